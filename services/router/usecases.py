"""Router use cases: route an accepted case, apply an agency's answer."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.actions import SubmitAnswer
from schemas.events import CaseAccepted, CaseAnswered, CaseRouted, Deadlines
from services.kit.consumer import PermanentError
from services.kit.outbox import add_event
from services.router.core import RouterCore
from services.router.domain.calendar import local_date
from services.router.domain.classify import RoutingDecision, RoutingInput, route
from services.router.domain.deadlines import compute_deadlines
from services.router.models import RoutedCase, RoutingHop

SERVICE = "router"
TRIAGE = "TRIAGE"
TRIAGE_HOME = "VPUB"  # the office that works the triage queue


async def route_accepted(session: AsyncSession, *, event: CaseAccepted, core: RouterCore) -> None:
    if await session.get(RoutedCase, event.case.case_id) is not None:
        return  # already routed under another event id (a replayed intake event)
    facts = event.case
    decision = route(
        RoutingInput(
            title=facts.title,
            content=facts.content,
            address=facts.submitter.address,
            regulation=facts.regulation,
            submitter_type=facts.submitter.submitter_type.value,
            channel=facts.channel.value,
            received_on=local_date(facts.received_at),
        ),
        rules=core.rules,
        agencies=core.agencies,
    )
    due = compute_deadlines(facts.received_at, calendar=core.calendar, policy=core.policy)
    case = RoutedCase(
        case_id=facts.case_id,
        tracking_code=facts.tracking_code,
        channel=facts.channel.value,
        received_at=facts.received_at,
        title=facts.title,
        content=facts.content,
        address=facts.submitter.address,
        regulation=facts.regulation,
        submitter_type=facts.submitter.submitter_type.value,
        agency=decision.agency,
        case_class=decision.case_class,
        kind=decision.kind,
        rule_id=decision.rule_id,
        rules_version=decision.rules_version,
        confidence=decision.confidence,
        due_classify=due.classify,
        due_forward=due.forward,
        due_answer=due.answer,
        calendar_version=core.calendar.version,
    )
    session.add(case)
    session.add(_hop(case, decision))
    _emit_routed(session, case=case, core=core)


def _hop(case: RoutedCase, decision: RoutingDecision) -> RoutingHop:
    return RoutingHop(
        case_id=case.case_id,
        hop=case.hop,
        agency=case.agency,
        rule_id=decision.rule_id,
        reason="; ".join(decision.reasons),
    )


def _emit_routed(session: AsyncSession, *, case: RoutedCase, core: RouterCore) -> None:
    home = TRIAGE_HOME if case.agency == TRIAGE else case.agency
    agency = core.agencies.get(home)
    event = CaseRouted(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        agency_name=agency.name_vi if agency else home,
        agency_email=agency.email if agency else None,
        case_class=case.case_class,
        kind=case.kind,
        rule_id=case.rule_id,
        rules_version=case.rules_version,
        confidence=case.confidence,
        deadlines=Deadlines(
            classify=case.due_classify,
            forward=case.due_forward,
            answer=case.due_answer,
            calendar_version=case.calendar_version,
        ),
        hop=case.hop,
        title=case.title,
        content=case.content,
    )
    add_event(
        session, service=SERVICE, topic=core.topics.case_events, key=case.case_id, event=event
    )
    add_event(
        session,
        service=SERVICE,
        topic=core.topics.agency_queue(home),
        key=case.case_id,
        event=event,
    )


async def apply_answer(
    session: AsyncSession, *, action: SubmitAnswer, core: RouterCore, today: date
) -> None:
    case = await session.get(RoutedCase, action.case_id)
    if case is None:
        raise PermanentError(f"no such case: {action.case_id}")
    if action.agency != case.agency:
        raise PermanentError(f"agency {action.agency} is not in charge of {action.case_id}")
    if case.status == "answered":
        raise PermanentError(f"case {action.case_id} is already answered")
    case.status = "answered"
    session.add(case)
    agency = core.agencies.get(case.agency)
    answered = CaseAnswered(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        agency_name=agency.name_vi if agency else case.agency,
        answer=action.answer,
        legal_basis=action.legal_basis,
        answered_by=action.officer,
        answered_on=today,
        due_answer=case.due_answer,
        on_time=today <= case.due_answer,
    )
    add_event(
        session, service=SERVICE, topic=core.topics.case_events, key=case.case_id, event=answered
    )
