"""Cut-over of live work: open cases of ended agencies pass to their successors, once, as
recorded transfers with their deadlines unchanged (issue 9, part 4)."""

from __future__ import annotations

import argparse
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from schemas.actions import SubmitAnswer, TakeCase
from schemas.events import CaseAccepted, CaseFacts, Submitter
from services.kit.transport import Message
from services.router import cutover
from services.router.cutover_cli import _main
from services.router.models import RoutedCase
from tests.unit.router.lifecycle_support import (
    DISTRICT,
    LAND_RULE,
    RECEIVED,
    VAGUE,
    RouterHarness,
)

TODAY = date(2026, 12, 2)
IA_KHA = "xã Ia Kha, huyện Ia Grai"  # the former town Ia Kha → today's xã Ia Grai (X23764)


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[RouterHarness]:
    harness = await RouterHarness.start(tmp_path)
    yield harness
    await harness.close()


async def accept(router: RouterHarness, case_id: str, item: dict[str, str], address: str) -> None:
    facts = CaseFacts(
        case_id=case_id,
        tracking_code=f"GL-{case_id.upper()}",
        channel="web",
        received_at=RECEIVED,
        submitter=Submitter(name="Trần Văn Bình", address=address, email="binh@example.com"),
        **item,
    )
    event = CaseAccepted(correlation_id=case_id, case=facts)
    topic = router.topics.case_events
    await router._cases(Message(topic=topic, value=event.model_dump_json().encode()))


async def backlog(router: RouterHarness) -> None:
    """A 2023 backlog: a department's case, district cases, a triage case, a closed one."""
    await accept(router, "land", LAND_RULE, IA_KHA)
    await accept(router, "dist", DISTRICT, IA_KHA)
    await accept(router, "vague-place", DISTRICT, "huyện Ia Grai")  # six communes cover it
    await accept(router, "elsewhere", DISTRICT, "phường Hội Thương, TP Pleiku")
    await accept(router, "triage", VAGUE, IA_KHA)
    await accept(router, "done", DISTRICT, IA_KHA)
    await router.act(TakeCase(correlation_id="dist", case_id="dist", agency="IGR", officer="cb"))
    await router.act(TakeCase(correlation_id="done", case_id="done", agency="IGR", officer="cb"))
    answer = SubmitAnswer(
        correlation_id="done", case_id="done", agency="IGR", officer="cb", answer="Đã xử lý."
    )
    await router.act(answer)
    assert router.refusals() == []
    starting = {c: (await router.case(c)).agency for c in ("land", "dist", "vague-place")}
    assert starting == {"land": "STNMT", "dist": "IGR", "vague-place": "IGR"}


def _moves(moves: list[cutover.Move]) -> dict[str, str]:
    return {m.case_id: m.to_agency for m in moves}


async def test_the_plan_sends_each_case_to_its_successor_or_to_triage(
    router: RouterHarness,
) -> None:
    await backlog(router)
    moves = await cutover.plan(router.service.db, day=TODAY)
    assert _moves(moves) == {
        "land": "SNNMT",  # the department that absorbed land
        "dist": "X23764",  # the commune covering the address today
        "vague-place": "TRIAGE",  # a whole former district: six communes, the office decides
        "elsewhere": "TRIAGE",  # an address outside the district, a text naming only it
    }
    why = {m.case_id: m.why for m in moves}
    assert why["dist"].startswith("UBND huyện Ia Grai chấm dứt hoạt động từ ngày 01/07/2025")
    assert "thị trấn Ia Kha, huyện Ia Grai → xã Ia Grai" in why["dist"]
    assert "Văn phòng phân loại" in why["vague-place"]


async def test_in_march_2025_only_the_departments_move(router: RouterHarness) -> None:
    await backlog(router)
    moves = await cutover.plan(router.service.db, day=date(2025, 3, 15))
    assert _moves(moves) == {"land": "SNNMT"}
    assert await cutover.plan(router.service.db, day=date(2025, 2, 28)) == []


async def test_applying_moves_each_case_once_with_its_deadlines_and_state_kept(
    router: RouterHarness,
) -> None:
    await backlog(router)
    before = {c: await router.case(c) for c in ("land", "dist", "vague-place", "triage", "done")}
    sent_before = len(await router.published())
    core = router.service.core

    applied = await cutover.apply(router.service.db, core=core, day=TODAY, by="admin")

    assert {m.case_id for m in applied.moved} == {"land", "dist", "vague-place", "elsewhere"}
    assert {"IGR", "STNMT", "PLK"} <= set(applied.retired) and "VPUB" not in applied.retired
    for case_id in ("land", "dist", "vague-place"):
        case, old = await router.case(case_id), before[case_id]
        assert (case.due_classify, case.due_forward, case.due_answer) == (
            old.due_classify,
            old.due_forward,
            old.due_answer,
        ), "the answer clock is not restarted"
        assert (case.counted_from, case.hop) == (old.counted_from, old.hop + 1)
    dist = await router.case("dist")
    assert (dist.agency, dist.status, dist.taken_by) == ("X23764", "taken", "cb")
    assert (await router.case("vague-place")).status == "routed"
    for untouched in ("triage", "done"):
        case = await router.case(untouched)
        assert (case.agency, case.hop) == (before[untouched].agency, before[untouched].hop)

    hops = await router.hops("dist")
    assert [(h.agency, h.step, h.from_agency, h.decided_by) for h in hops] == [
        ("IGR", "route", None, "router"),
        ("X23764", "transfer", "IGR", "admin"),
    ]
    assert hops[1].reason.startswith("Sắp xếp tổ chức bộ máy: UBND huyện Ia Grai")

    events = (await router.published())[sent_before:]
    transferred = [e for e in events if e["event_type"] == "case.transferred"]
    assert sorted(e["case_id"] for e in transferred) == ["dist", "elsewhere", "land", "vague-place"]
    land = next(e for e in transferred if e["case_id"] == "land")
    assert (land["from_agency"], land["to_agency"], land["by"]) == ("STNMT", "SNNMT", "admin")
    assert land["reason"].startswith("Sắp xếp tổ chức bộ máy: Sở Tài nguyên và Môi trường")
    assert "Thời hạn trả lời không thay đổi" in land["reason"]
    assert land["to_agency_name"] == "Sở Nông nghiệp và Môi trường"
    routed = [e for e in events if e["event_type"] == "case.routed"]
    assert sorted(e["agency"] for e in routed) == ["SNNMT", "TRIAGE", "TRIAGE", "X23764"]
    queue = await router.published(router.topics.agency_queue("X23764"))
    assert [e["case_id"] for e in queue] == ["dist"]

    again = await cutover.apply(router.service.db, core=core, day=TODAY, by="admin")
    assert again == cutover.Applied((), ())
    assert len(await router.published()) == sent_before + len(events), "nothing sent twice"


async def test_the_moved_case_is_worked_by_its_new_agency(router: RouterHarness) -> None:
    await accept(router, "dist", DISTRICT, IA_KHA)
    await cutover.apply(router.service.db, core=router.service.core, day=TODAY, by="admin")
    answer = SubmitAnswer(
        correlation_id="dist", case_id="dist", agency="IGR", officer="cb", answer="Xong."
    )
    await router.act(answer)
    assert "không phải cơ quan đang xử lý" in router.refusals()[-1]
    await router.act(answer.model_copy(update={"agency": "X23764", "event_id": "other"}))
    assert (await router.case("dist")).status == "answered"


async def test_the_command_shows_on_a_dry_run_and_applies_without_it(
    router: RouterHarness,
) -> None:
    await backlog(router)
    dry = argparse.Namespace(on=TODAY.isoformat(), dry_run=True, by="")
    out = io.StringIO()
    assert await _main(router.service, args=dry, day=TODAY, out=out) == 0
    shown = out.getvalue()
    assert "4 hồ sơ đang mở cần chuyển" in shown and "chạy thử: chưa chuyển" in shown
    assert "GL-LAND\tSTNMT\tSNNMT Sở Nông nghiệp và Môi trường" in shown
    assert (await router.case("land")).agency == "STNMT", "a dry run changes nothing"

    out = io.StringIO()
    wet = argparse.Namespace(on=TODAY.isoformat(), dry_run=False, by="admin")
    assert await _main(router.service, args=wet, day=TODAY, out=out) == 0
    assert "Đã chuyển 4 hồ sơ" in out.getvalue()
    assert (await router.case("land")).agency == "SNNMT"

    out = io.StringIO()
    assert await _main(router.service, args=wet, day=TODAY, out=out) == 0
    assert "không có hồ sơ đang mở nào cần chuyển" in out.getvalue()
    assert "Đã chuyển 0 hồ sơ" in out.getvalue()


def test_every_agency_of_every_period_can_have_accounts_and_topics() -> None:
    agencies = cutover.all_agencies()
    for code in ("STNMT", "IGR", "SNNMT", "X23764", "VPUB"):
        assert agencies.get(code) is not None, code
    assert agencies.get("VPUB") == cutover.structure().agency_on("VPUB", TODAY)


async def test_a_case_row_at_an_unknown_agency_is_left_alone(router: RouterHarness) -> None:
    await accept(router, "land", LAND_RULE, IA_KHA)
    async with router.service.db.transaction() as session:
        case = await session.get(RoutedCase, "land")
        assert case is not None
        case.agency = "ZZZ"
        session.add(case)
    assert await cutover.plan(router.service.db, day=TODAY) == []
