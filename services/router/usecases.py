"""Route an accepted case by the rules: the first hop of its life."""

from __future__ import annotations

from schemas.events import CaseAccepted, CaseFacts, CaseRouted
from services.router.case_deadlines import Dues, fresh_dues
from services.router.core import RouterCore
from services.router.domain.calendar import local_date
from services.router.domain.classify import RoutingDecision, RoutingInput
from services.router.emit import SERVICE, TRIAGE, TRIAGE_HOME, emit_routed
from services.router.models import RoutedCase, RoutingHop
from services.router.ports import UnitOfWork
from services.router.structure.centres import commune_near

__all__ = ["SERVICE", "TRIAGE", "TRIAGE_HOME", "route_accepted", "routing_input"]


def routing_input(case: RoutedCase) -> RoutingInput:
    """What the rules look at, from the router's copy of the case."""
    return RoutingInput(
        title=case.title,
        content=case.content,
        address=case.address,
        regulation=case.regulation,
        submitter_type=case.submitter_type,
        channel=case.channel,
        received_on=local_date(case.received_at),
    )


def placed(facts: CaseFacts) -> CaseFacts:
    """The case with an address line from its map point when it gave a point and no address
    (an Open311 request): the commune nearest the point, saying so (structure/centres.py)."""
    if facts.submitter.address.strip() or facts.location is None:
        return facts
    near = commune_near(facts.location.lat, facts.location.long)
    if near is None:
        return facts
    submitter = facts.submitter.model_copy(update={"address": near.address_vi})
    return facts.model_copy(update={"submitter": submitter})


async def route_accepted(
    uow: UnitOfWork, *, event: CaseAccepted, core: RouterCore
) -> CaseRouted | None:
    """Place the case with an agency by the rules, with its deadlines: the case, its first
    hop and its `CaseRouted` (returned), or nothing if the case was routed already (a
    replayed intake event under another event id)."""
    if await uow.cases.get(event.case.case_id) is not None:
        return None
    facts = placed(event.case)
    decision = core.route(
        RoutingInput(
            title=facts.title,
            content=facts.content,
            address=facts.submitter.address,
            regulation=facts.regulation,
            submitter_type=facts.submitter.submitter_type.value,
            channel=facts.channel.value,
            received_on=local_date(facts.received_at),
        )
    )
    due = fresh_dues(facts.received_at, calendar=core.calendar, policy=core.policy)
    case = _new_case(facts, decision, due, calendar_version=core.calendar.version)
    uow.cases.add(case)
    uow.hops.add(
        RoutingHop(
            case_id=case.case_id,
            hop=case.hop,
            agency=case.agency,
            rule_id=decision.rule_id,
            reason="; ".join(decision.reasons),
        )
    )
    return emit_routed(uow.outbox, case=case, core=core, reasons=decision.reasons)


def _new_case(
    facts: CaseFacts, decision: RoutingDecision, due: Dues, *, calendar_version: str
) -> RoutedCase:
    return RoutedCase(
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
        calendar_version=calendar_version,
        submitter_name=facts.submitter.name,
        submitter_organization=facts.submitter.organization,
        submitter_phone=facts.submitter.phone,
        submitter_email=facts.submitter.email,
        attachments=list(facts.attachments),
    )
