"""Every case event changes the public projection and stages the e-mails it calls for."""

from __future__ import annotations

import typing
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from schemas.events import CaseEvent, CaseRefused
from services.notifier.models import Delivery, PublicCase, PublicTransfer, Redaction
from services.notifier.service import NotifierService
from tests.unit.notifier.builders import (
    HOA,
    accepted,
    apply,
    code,
    lifecycle,
    migrated_notifier,
    refused,
    routed,
)


async def _public(service: NotifierService, case_id: str) -> PublicCase:
    async with service.db.session() as session:
        case = await session.get(PublicCase, case_id)
    assert case is not None
    return case


async def _mails(service: NotifierService) -> list[tuple[str, str]]:
    async with service.db.session() as session:
        rows = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
    return [(row.template, row.recipient) for row in rows]


def test_the_lifecycle_covers_every_case_event_type() -> None:
    union = typing.get_args(typing.get_args(CaseEvent)[0])
    covered = {type(e) for e in lifecycle("c", "GL-2222-2222")}
    assert set(union) - covered == {CaseRefused}  # refusal has its own test


async def test_each_event_updates_the_case_and_stages_its_mails(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    events = lifecycle("case-1", tc)
    await apply(service, *events[:2])
    assert (await _public(service, "case-1")).status == "routed"
    await apply(service, *events[2:4])
    waiting = await _public(service, "case-1")
    assert waiting.status == "waiting_info" and waiting.taken_on is not None
    await apply(service, *events[4:7])
    moved = await _public(service, "case-1")
    assert moved.status == "routed" and moved.due_answer == date(2023, 3, 2)
    assert moved.extended_from == date(2023, 2, 15) and "0905" not in (moved.extension_reason or "")
    await apply(service, *events[7:9])
    assert (await _public(service, "case-1")).overdue
    await apply(service, *events[9:])
    final = await _public(service, "case-1")
    assert final.status == "answered" and final.agency == "SXD" and final.on_time is False
    assert final.missed == ["answer"] and not final.overdue
    assert "Nguyễn Thị Hoa" not in (final.answer or "") and "0905" not in (final.answer or "")
    assert "Quyết định số 22/2016/QĐ-UBND" in final.content
    async with service.db.session() as session:
        hops = (await session.exec(select(PublicTransfer))).all()
        logged = (await session.exec(select(Redaction.field))).all()
    assert [(h.from_agency_name, h.to_agency_name) for h in hops] == [
        ("Sở Tài nguyên và Môi trường", "Sở Xây dựng")
    ]
    assert "Hoa" not in hops[0].reason
    assert {"content", "answer", "extension", "transfer"} <= set(logged)
    hoa, stnmt = "hoa.nguyen@example.com", "pakn.stnmt@gialai.gov.vn"
    assert await _mails(service) == [
        ("receipt", hoa),
        ("assignment", stnmt),
        ("forwarding", hoa),
        ("info_request", hoa),
        ("extension", hoa),
        ("digest", stnmt),  # the reminder, in the agency's digest of the day
        ("digest", "pakn.vpub@gialai.gov.vn"),  # the escalation, in the office's
        ("transfer", hoa),
        ("assignment", "pakn.sxd@gialai.gov.vn"),
        ("answer", hoa),
    ]
    await service.db.dispose()


async def test_a_replayed_event_stages_nothing_twice(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    first = accepted("case-2", tc, **HOA)
    await apply(service, first, routed("case-2", tc))
    replay = accepted("case-2", tc, **HOA)  # same case, new event id
    async with service.db.transaction() as session:
        await service._on_case_event(session, replay)
    assert [t for t, _ in await _mails(service)].count("receipt") == 1
    await service.db.dispose()


async def test_triage_then_assignment_tells_the_submitter_once(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    await apply(
        service,
        accepted("case-3", tc, **HOA),
        routed(
            "case-3",
            tc,
            agency="TRIAGE",
            agency_name="Văn phòng UBND tỉnh Gia Lai",
            agency_email="pakn.vpub@gialai.gov.vn",
        ),
        routed("case-3", tc, hop=2),
    )
    mails = await _mails(service)
    assert mails.count(("forwarding", "hoa.nguyen@example.com")) == 1
    # The office works its triage queue in the console: no "Chuyển xử lý" mail to itself.
    assert ("assignment", "pakn.vpub@gialai.gov.vn") not in mails
    assert ("assignment", "pakn.stnmt@gialai.gov.vn") in mails
    case = await _public(service, "case-3")
    assert case.handled_on is not None and case.agency == "STNMT"
    await service.db.dispose()


async def test_a_refusal_tells_the_submitter_where_to_go(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    await apply(service, refused("case-4", code(), "complaint_or_denunciation", **HOA))
    case = await _public(service, "case-4")
    assert case.status == "refused" and case.guidance_agency == "TTR"
    async with service.db.session() as session:
        mail = (await session.exec(select(Delivery))).one()
    assert mail.template == "refusal" and mail.recipient == "hoa.nguyen@example.com"
    assert "Thanh tra tỉnh Gia Lai" in mail.body_text and "Thanh tra tỉnh Gia Lai" in (
        mail.body_html or ""
    )
    await service.db.dispose()


async def test_no_mail_is_staged_for_a_submitter_without_an_address(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    await apply(service, accepted("case-5", tc, **{**HOA, "email": ""}), routed("case-5", tc))
    assert await _mails(service) == [("assignment", "pakn.stnmt@gialai.gov.vn")]
    await service.db.dispose()
