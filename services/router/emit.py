"""Events the router stages in its outbox (`ports.Outbox`), built from a case row."""

from __future__ import annotations

from collections.abc import Sequence

from schemas.events import CaseRouted, Deadlines, Event
from schemas.vocabulary import PROVINCIAL_OFFICE, TRIAGE
from services.kit.outbox import Outbox
from services.router.case_deadlines import Dues
from services.router.core import RouterCore
from services.router.domain.agencies import Agency
from services.router.domain.explain import officer_reason
from services.router.models import RoutedCase
from services.router.ports import SERVICE as SERVICE  # re-exported: its old home

TRIAGE_HOME = PROVINCIAL_OFFICE  # the office that works the triage queue
SUPERVISOR = PROVINCIAL_OFFICE  # the office overdue cases escalate to


def home_of(agency: str) -> str:
    """The agency whose queue and mailbox a code stands for (TRIAGE is worked by VPUB)."""
    return TRIAGE_HOME if agency == TRIAGE else agency


def agency_info(core: RouterCore, code: str) -> Agency | None:
    return core.agencies.get(home_of(code))


def agency_name(core: RouterCore, code: str) -> str:
    agency = agency_info(core, code)
    return agency.name_vi if agency else code


def agency_email(core: RouterCore, code: str) -> str | None:
    agency = agency_info(core, code)
    return agency.email if agency else None


def dues_of(case: RoutedCase) -> Dues:
    return Dues(classify=case.due_classify, forward=case.due_forward, answer=case.due_answer)


def set_dues(case: RoutedCase, dues: Dues) -> None:
    case.due_classify, case.due_forward, case.due_answer = dues.classify, dues.forward, dues.answer


def deadlines_of(case: RoutedCase) -> Deadlines:
    return Deadlines(
        classify=case.due_classify,
        forward=case.due_forward,
        answer=case.due_answer,
        calendar_version=case.calendar_version,
    )


def emit(outbox: Outbox, *, core: RouterCore, case_id: str, event: Event) -> None:
    """Stage a case event on the case-events topic (keyed by case: one case stays in order)."""
    outbox.stage(topic=core.topics.case_events, key=case_id, event=event)


def emit_routed(
    outbox: Outbox,
    *,
    case: RoutedCase,
    core: RouterCore,
    decided_by: str = "router",
    reasons: Sequence[str] = (),
) -> CaseRouted:
    """ "This case is now yours": on the case events and on the new agency's own queue.

    `reasons` are the rules' notes (kept for developers); `reason_vi` is what officers and
    agencies read (services/router/domain/explain.py)."""
    name = agency_name(core, case.agency)
    event = CaseRouted(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        agency_name=name,
        agency_email=agency_email(core, case.agency),
        case_class=case.case_class,
        kind=case.kind,
        rule_id=case.rule_id,
        rules_version=case.rules_version,
        confidence=case.confidence,
        deadlines=deadlines_of(case),
        hop=case.hop,
        decided_by=decided_by,
        reasons=list(reasons),
        title=case.title,
        content=case.content,
        reason_vi=officer_reason(
            agency=case.agency,
            agency_name=name,
            rule_id=case.rule_id,
            case_class=case.case_class,
            kind=case.kind,
            regulation=case.regulation,
            reasons=reasons,
            decided_by=decided_by,
        ),
    )
    emit(outbox, core=core, case_id=case.case_id, event=event)
    outbox.stage(
        topic=core.topics.agency_queue(home_of(case.agency)), key=case.case_id, event=event
    )
    return event
