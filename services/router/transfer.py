"""Moving a case between agencies: a transfer by the agency that is not competent, and the
office's decision for a case in the triage queue. The history keeps every hop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.actions import AssignFromTriage, RequestTransfer
from schemas.events import CaseTransferred
from services.kit.columns import utc_now
from services.kit.consumer import PermanentError
from services.router.case_deadlines import fresh_dues, period_start
from services.router.core import RouterCore
from services.router.domain.calendar import local_date
from services.router.domain.deadlines import notice_due
from services.router.emit import TRIAGE, agency_name, emit, emit_routed, set_dues
from services.router.guards import allowed, require_case
from services.router.models import RoutedCase, RoutingHop
from services.router.ports import UnitOfWork
from services.router.usecases import routing_input


@dataclass(frozen=True)
class Destination:
    agency: str
    rule_id: str
    confidence: float
    decided_by: str
    reasons: tuple[str, ...]
    rules_version: str | None = None  # set when the rules decided again


def known_agency(core: RouterCore, case: RoutedCase, code: str) -> str:
    """An agency in force on the day the case was received (the structure it lives under)."""
    if core.agencies_on(local_date(case.received_at)).get(code) is None:
        raise PermanentError(f"Không có cơ quan mã {code} trong danh mục cơ quan đang áp dụng.")
    return code


def destination(
    case: RoutedCase, action: RequestTransfer, *, core: RouterCore, tried: set[str]
) -> Destination:
    """The named agency, else what the rules say among the agencies not tried yet, else
    the triage queue. (The lifecycle has refused a transfer to the agency itself.)"""
    if action.to_agency == TRIAGE:
        return Destination(TRIAGE, "transfer.to_triage", 0.0, action.officer, ())
    if action.to_agency:
        code = known_agency(core, case, action.to_agency)
        return Destination(code, "transfer.named", 1.0, action.officer, ())
    decision = core.route(routing_input(case), exclude=frozenset(tried))
    reasons = decision.reasons
    if decision.agency == TRIAGE:
        return Destination(
            TRIAGE, decision.rule_id, decision.confidence, "router", reasons, decision.rules_version
        )
    return Destination(
        decision.agency,
        decision.rule_id,
        decision.confidence,
        "router",
        reasons,
        rules_version=decision.rules_version,
    )


async def tried_agencies(uow: UnitOfWork, case_id: str) -> set[str]:
    """The agencies that held the case (the triage queue is none)."""
    return {agency for agency in await uow.hops.agencies(case_id) if agency != TRIAGE}


async def transfer_case(
    uow: UnitOfWork, *, action: RequestTransfer, core: RouterCore, today: date
) -> None:
    """Hop + 1: the new agency gets the whole periods again, counted from today."""
    case = require_case(await uow.cases.lock(action.case_id), action.case_id)
    outcome = allowed(case, action)
    target = destination(case, action, core=core, tried=await tried_agencies(uow, case.case_id))
    previous = case.agency
    _move(case, target, hop=case.hop + 1)
    case.counted_from, case.taken_by, case.extended = today, None, False
    case.status = outcome.status.value
    start = period_start(case.received_at, today)
    set_dues(case, fresh_dues(start, calendar=core.calendar, policy=core.policy))
    case.calendar_version = core.calendar.version
    uow.cases.save(case)
    reason = "; ".join((action.reason, *target.reasons))
    # The officer who asked is the hop's author; its rule_id says who picked the destination.
    uow.hops.add(
        _hop(case, target, step="transfer", by=action.officer, previous=previous, reason=reason)
    )
    transferred = CaseTransferred(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        from_agency=previous,
        to_agency=case.agency,
        reason=action.reason,
        by=action.officer,
        hop=case.hop,
        from_agency_name=agency_name(core, previous),
        to_agency_name=agency_name(core, case.agency),
        transferred_on=today,
        notice_due=notice_due(today, calendar=core.calendar, policy=core.policy),
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=transferred)
    emit_routed(uow.outbox, case=case, core=core, decided_by=target.decided_by, reasons=(reason,))


async def assign_from_triage(
    uow: UnitOfWork, *, action: AssignFromTriage, core: RouterCore, today: date
) -> None:
    """The office picks the agency; who chose and why stay in the history. The periods keep
    running from where they started: triage is the office's own classification time."""
    case = require_case(await uow.cases.lock(action.case_id), action.case_id)
    outcome = allowed(case, action)  # refused if it names no agency
    code = known_agency(core, case, action.to_agency)
    target = Destination(code, "triage.assigned", 1.0, action.officer, (action.reason,))
    _move(case, target, hop=case.hop + 1)
    case.status = outcome.status.value
    uow.cases.save(case)
    uow.hops.add(
        _hop(case, target, step="assign", by=action.officer, previous=TRIAGE, reason=action.reason)
    )
    emit_routed(
        uow.outbox, case=case, core=core, decided_by=action.officer, reasons=(action.reason,)
    )


def _move(case: RoutedCase, target: Destination, *, hop: int) -> None:
    case.agency, case.hop = target.agency, hop
    case.rule_id, case.confidence = target.rule_id, target.confidence
    if target.rules_version:
        case.rules_version = target.rules_version
    case.updated_at = utc_now()


def _hop(
    case: RoutedCase, target: Destination, *, step: str, by: str, previous: str, reason: str
) -> RoutingHop:
    return RoutingHop(
        case_id=case.case_id,
        hop=case.hop,
        agency=case.agency,
        rule_id=target.rule_id,
        reason=reason,
        decided_by=by,
        step=step,
        from_agency=previous,
    )
