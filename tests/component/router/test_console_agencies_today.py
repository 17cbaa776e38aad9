"""The triage and transfer lists on the case's date (issue 9 part 5): only the agencies in
force on the day the case was received, grouped, searchable with or without diacritics
without JavaScript; assigning an agency not in force then is refused in Vietnamese."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest

from schemas.events import CaseAccepted, CaseFacts, Submitter
from services.kit.transport import Message
from services.router.console.agency_choices import agency_groups, count, not_in_force
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import VAGUE

TODAY = datetime.fromisoformat("2025-08-04T09:00:00+07:00")  # a Monday, 135 communes
OLD = datetime.fromisoformat("2023-03-06T08:15:00+07:00")


def _names(day: date, search: str = "") -> list[str]:
    return [name for g in agency_groups(day, search) for _, name in g.choices]


def test_the_list_offers_the_structure_in_force_on_the_day() -> None:
    today = agency_groups(TODAY.date())
    labels = [g.label for g in today]
    assert labels == ["Sở, ban, ngành và cơ quan cấp tỉnh", "UBND xã, phường", "Trung ương"]
    assert len(today[1].choices) == 135 and count(today) > 150
    names = _names(TODAY.date())
    assert "Sở Nông nghiệp và Môi trường" in names and "Sở Giao thông vận tải" not in names
    old = _names(OLD.date())
    assert "UBND thành phố Pleiku" in old and "Sở Giao thông vận tải" in old
    assert not any(name.startswith("UBND phường") for name in old)
    march = [g.label for g in agency_groups(date(2025, 3, 1))]
    assert "UBND huyện, thị xã, thành phố" in march and "UBND xã, phường" not in march


def test_the_search_ignores_diacritics() -> None:
    plain = _names(TODAY.date(), "quy nhon")
    assert plain == _names(TODAY.date(), "Quy Nhơn") == _names(TODAY.date(), "QUY NHƠN")
    assert "UBND phường Quy Nhơn" in plain and "UBND phường Quy Nhơn Bắc" in plain
    assert all("Quy Nhơn" in name for name in plain) and len(plain) == 5
    assert _names(TODAY.date(), "nong nghiep") == ["Sở Nông nghiệp và Môi trường"]
    assert _names(TODAY.date(), "x23575") == ["UBND phường Pleiku"]  # by code too
    assert _names(TODAY.date(), "không có cơ quan này") == []


def test_an_agency_not_in_force_on_the_day_is_explained() -> None:
    assert not_in_force("SNNMT", TODAY) is None and not_in_force("SGTVT", OLD) is None
    ended = not_in_force("SGTVT", TODAY)
    assert ended and "không còn hoạt động" in ended and "Sở Xây dựng (SXD)" in ended
    assert "04/08/2025" in ended
    early = not_in_force("X23575", OLD)
    assert early and "chỉ hoạt động từ ngày 01/07/2025" in early
    unknown = not_in_force("ABCXYZ", TODAY)
    assert unknown and "Không có cơ quan mã ABCXYZ" in unknown


async def _accept_on(console: Console, case_id: str, received_at: datetime) -> None:
    facts = CaseFacts(
        case_id=case_id,
        tracking_code=f"GL-{case_id.upper()}",
        channel="web",
        received_at=received_at,
        submitter=Submitter(name="Nguyễn Thị Hoa", phone="0905 123 456"),
        **VAGUE,
    )
    event = CaseAccepted(correlation_id=case_id, case=facts)
    topic = console.router.topics.case_events
    await console.router._cases(Message(topic=topic, value=event.model_dump_json().encode()))


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path, today=date(2025, 8, 5))
    await _accept_on(harness, "homnay", TODAY)
    await _accept_on(harness, "namcu", OLD)
    yield harness
    await harness.close()


async def test_the_case_page_lists_and_filters_the_days_agencies(console: Console) -> None:
    assert (await console.router.case("homnay")).agency == "TRIAGE"
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = (await supervisor.get("/can-bo/ho-so/homnay")).text
    assert '<optgroup label="UBND xã, phường">' in page
    assert "UBND phường Quy Nhơn Bắc (X21553)" in page and "(SGTVT)" not in page
    assert '<label for="tim">Tên cơ quan</label>' in page and "<script" not in page
    found = (await supervisor.get("/can-bo/ho-so/homnay", params={"tim": "quy nhon bac"})).text
    assert "Có 1 cơ quan khớp" in found
    assert '<option value="X21553" selected>' in found and "(X23575)" not in found
    none = (await supervisor.get("/can-bo/ho-so/homnay", params={"tim": "zzz"})).text
    assert "Không có cơ quan nào khớp" in none
    old = (await supervisor.get("/can-bo/ho-so/namcu", params={"tim": "giao thong"})).text
    assert "Sở Giao thông vận tải (SGTVT)" in old and "X21553" not in old


async def test_assigning_an_agency_not_in_force_on_the_cases_date_is_refused(
    console: Console,
) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = "/can-bo/ho-so/homnay"
    refused = await console.post_form(
        supervisor, page, f"{page}/giao", {"to_agency": "SGTVT", "reason": "Về giao thông"}
    )
    assert refused.status_code == 409
    assert "không còn hoạt động vào ngày tiếp nhận hồ sơ (04/08/2025)" in refused.text
    assert "Sở Xây dựng (SXD)" in refused.text
    old = "/can-bo/ho-so/namcu"
    early = await console.post_form(
        supervisor, old, f"{old}/giao", {"to_agency": "X21553", "reason": "Về hộ tịch"}
    )
    assert early.status_code == 409 and "chỉ hoạt động từ ngày 01/07/2025" in early.text
    assert await console.apply() == []
    assert (await console.router.case("homnay")).agency == "TRIAGE"
