"""Every case event changes the public projection and stages the e-mails it calls for (on
the in-memory store; the SQL adapter is held to the same contract in
tests/component/notifier/test_store_contract.py)."""

from __future__ import annotations

import typing
from datetime import date

from schemas.events import CaseEvent, CaseRefused
from tests.unit.notifier.builders import HOA, accepted, code, lifecycle, refused, routed
from tests.unit.notifier.memory_support import apply, memory_notifier, replay


def test_the_lifecycle_covers_every_case_event_type() -> None:
    union = typing.get_args(typing.get_args(CaseEvent)[0])
    covered = {type(e) for e in lifecycle("c", "GL-2222-2222")}
    assert set(union) - covered == {CaseRefused}  # refusal has its own test


async def test_each_event_updates_the_case_and_stages_its_mails() -> None:
    notifier = memory_notifier()
    tc = code()
    events = lifecycle("case-1", tc)
    await apply(notifier, *events[:2])
    assert notifier.public("case-1").status == "routed"
    await apply(notifier, *events[2:4])
    waiting = notifier.public("case-1")
    assert waiting.status == "waiting_info" and waiting.taken_on is not None
    await apply(notifier, *events[4:7])
    moved = notifier.public("case-1")
    assert moved.status == "routed" and moved.due_answer == date(2023, 3, 2)
    assert moved.extended_from == date(2023, 2, 15) and "0905" not in (moved.extension_reason or "")
    await apply(notifier, *events[7:9])
    assert notifier.public("case-1").overdue
    await apply(notifier, *events[9:])
    final = notifier.public("case-1")
    assert final.status == "answered" and final.agency == "SXD" and final.on_time is False
    assert final.missed == ["answer"] and not final.overdue
    assert "Nguyễn Thị Hoa" not in (final.answer or "") and "0905" not in (final.answer or "")
    assert "Quyết định số 22/2016/QĐ-UBND" in final.content
    hops = notifier.storage.tables.transfers
    logged = [row.field for row in notifier.storage.tables.redactions]
    assert [(h.from_agency_name, h.to_agency_name) for h in hops] == [
        ("Sở Tài nguyên và Môi trường", "Sở Xây dựng")
    ]
    assert "Hoa" not in hops[0].reason
    assert {"content", "answer", "extension", "transfer"} <= set(logged)
    hoa, stnmt = "hoa.nguyen@example.com", "pakn.stnmt@gialai.gov.vn"
    assert notifier.mails() == [
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


async def test_a_replayed_event_stages_nothing_twice() -> None:
    notifier = memory_notifier()
    tc = code()
    first = accepted("case-2", tc, **HOA)
    await apply(notifier, first, routed("case-2", tc))
    replayed = accepted("case-2", tc, **HOA)  # same case, new event id
    await replay(notifier, replayed)
    assert [t for t, _ in notifier.mails()].count("receipt") == 1


async def test_triage_then_assignment_tells_the_submitter_once() -> None:
    notifier = memory_notifier()
    tc = code()
    await apply(
        notifier,
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
    mails = notifier.mails()
    assert mails.count(("forwarding", "hoa.nguyen@example.com")) == 1
    # The office works its triage queue in the console: no "Chuyển xử lý" mail to itself.
    assert ("assignment", "pakn.vpub@gialai.gov.vn") not in mails
    assert ("assignment", "pakn.stnmt@gialai.gov.vn") in mails
    case = notifier.public("case-3")
    assert case.handled_on is not None and case.agency == "STNMT"


async def test_a_refusal_tells_the_submitter_where_to_go() -> None:
    notifier = memory_notifier()
    await apply(notifier, refused("case-4", code(), "complaint_or_denunciation", **HOA))
    case = notifier.public("case-4")
    assert case.status == "refused" and case.guidance_agency == "TTR"
    (mail,) = notifier.deliveries()
    assert mail.template == "refusal" and mail.recipient == "hoa.nguyen@example.com"
    assert "Thanh tra tỉnh Gia Lai" in mail.body_text and "Thanh tra tỉnh Gia Lai" in (
        mail.body_html or ""
    )


async def test_no_mail_is_staged_for_a_submitter_without_an_address() -> None:
    notifier = memory_notifier()
    tc = code()
    await apply(notifier, accepted("case-5", tc, **{**HOA, "email": ""}), routed("case-5", tc))
    assert notifier.mails() == [("assignment", "pakn.stnmt@gialai.gov.vn")]
