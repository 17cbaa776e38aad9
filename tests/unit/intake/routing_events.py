"""The router's case events for a case of the intake's register, and a way to hand them to
the intake's case-event subscription as the bus would (issue 14: the receipt's agency)."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from schemas.events import (
    CaseAnswered,
    CaseEvent,
    CaseRouted,
    CaseTransferred,
    DeadlineExtended,
    Deadlines,
    DeadlinesRecalculated,
    InfoReceived,
    InfoRequested,
)
from services.intake.models import CaseRouting, IntakeCase
from services.kit.transport import InMemoryBus, Message
from tests.unit.intake.http_support import GOOD, Intake

FIRST = Deadlines(
    classify=date(2026, 12, 7),
    forward=date(2026, 12, 9),
    answer=date(2026, 12, 16),
    calendar_version="test",
)
SECOND = Deadlines(
    classify=date(2026, 12, 7),
    forward=date(2026, 12, 9),
    answer=date(2027, 1, 5),
    calendar_version="test",
)
SYT = "Sở Y tế"
STC = "Sở Tài chính"
_OFFSETS = count()


def routed(
    case: IntakeCase,
    agency: str = "SYT",
    name: str = SYT,
    *,
    hop: int = 1,
    deadlines: Deadlines = FIRST,
) -> CaseRouted:
    return CaseRouted(
        correlation_id=case.id,
        case_id=case.id,
        tracking_code=case.tracking_code,
        agency=agency,
        agency_name=name,
        case_class="regulation",
        kind="kien_nghi",
        rule_id="test",
        rules_version="test",
        confidence=0.9,
        deadlines=deadlines,
        hop=hop,
        title="Nội dung riêng của người gửi",
        content="Nội dung riêng của người gửi",
    )


def _ids(case: IntakeCase) -> dict[str, Any]:
    return {"correlation_id": case.id, "case_id": case.id, "tracking_code": case.tracking_code}


def transferred(case: IntakeCase, *, to: str = "STC", hop: int = 2) -> CaseTransferred:
    return CaseTransferred(
        **_ids(case),
        from_agency="SYT",
        to_agency=to,
        reason="Không thuộc thẩm quyền",
        by="can.bo",
        hop=hop,
        to_agency_name=STC,
    )


def extended(case: IntakeCase, due: date = date(2026, 12, 30)) -> DeadlineExtended:
    return DeadlineExtended(
        **_ids(case),
        agency="SYT",
        reason="Vụ việc phức tạp",
        by="can.bo",
        previous_due=FIRST.answer,
        due_answer=due,
    )


def info_requested(case: IntakeCase) -> InfoRequested:
    return InfoRequested(
        **_ids(case),
        agency="SYT",
        agency_name=SYT,
        question="Xin gửi bản sao quyết định",
        by="can.bo",
        requested_on=date(2026, 12, 8),
    )


def info_received(case: IntakeCase, deadlines: Deadlines = SECOND) -> InfoReceived:
    return InfoReceived(
        **_ids(case), agency="SYT", by="can.bo", received_on=date(2026, 12, 10), deadlines=deadlines
    )


def recalculated(case: IntakeCase, deadlines: Deadlines = SECOND) -> DeadlinesRecalculated:
    return DeadlinesRecalculated(
        **_ids(case), previous=FIRST, deadlines=deadlines, reason="Lịch nghỉ mới"
    )


def answered(case: IntakeCase) -> CaseAnswered:
    return CaseAnswered(
        **_ids(case),
        agency="SYT",
        agency_name=SYT,
        answer="Trả lời",
        answered_by="ld.syt",
        answered_on=date(2026, 12, 11),
        due_answer=FIRST.answer,
        on_time=True,
    )


async def registered(intake: Intake) -> IntakeCase:
    """A case of the register, sent by the public form."""
    sent = await intake.client.post("/gui-phan-anh", data=GOOD)
    assert sent.status_code == 303, sent.text
    (case,) = await intake.cases()
    return case


def message(intake: Intake, event: CaseEvent) -> Message:
    return Message(
        topic=intake.service.topics.case_events,
        value=event.model_dump_json().encode(),
        partition=0,
        offset=next(_OFFSETS),
    )


async def deliver(intake: Intake, *events: CaseEvent | Message) -> None:
    """Hand `events` to the intake's case-event subscription, one batch each (a `Message`
    is delivered as it is: a redelivery)."""
    subscriptions = intake.service.subscriptions(publisher=InMemoryBus())
    [handler] = [s.handler for s in subscriptions if s.topic == intake.service.topics.case_events]
    for event in events:
        await handler(event if isinstance(event, Message) else message(intake, event))


async def routing(intake: Intake, case: IntakeCase) -> CaseRouting | None:
    async with intake.service.db.session() as session:
        return await session.get(CaseRouting, case.id)
