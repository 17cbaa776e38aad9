"""Open cases computed under another holiday calendar get their deadlines again under the
one in force: after an administrator loads a year (`holidays_admin`), and at each pass of
the deadline scheduler (a change another replica committed)."""

from __future__ import annotations

from schemas.events import DeadlinesRecalculated
from services.kit.columns import utc_now
from services.router.case_deadlines import period_start, recalculated
from services.router.core import RouterCore
from services.router.domain.deadlines import Pause
from services.router.emit import deadlines_of, dues_of, emit, set_dues
from services.router.models import OPEN_STATUSES, RoutedCase
from services.router.ports import UnitOfWork


async def recalculate_open_cases(uow: UnitOfWork, *, core: RouterCore, reason: str) -> int:
    """Every open case computed under another calendar version gets its deadlines again
    under `core.calendar`; a `DeadlinesRecalculated` for each case whose dates moved.
    Returns how many cases changed."""
    cases = await uow.cases.open_on_other_calendar(core.calendar.version, statuses=OPEN_STATUSES)
    pauses = await uow.pauses.closed_of([case.case_id for case in cases])
    changed = 0
    for case in cases:
        moved = _recalculate(case, core=core, pauses=pauses.get(case.case_id, []), reason=reason)
        uow.cases.save(case)
        if moved is not None:
            emit(uow.outbox, core=core, case_id=case.case_id, event=moved)
            changed += 1
    return changed


def _recalculate(
    case: RoutedCase, *, core: RouterCore, pauses: list[Pause], reason: str
) -> DeadlinesRecalculated | None:
    """Put the case on `core.calendar`; the event to publish if its dates moved."""
    previous, before = deadlines_of(case), dues_of(case)
    dues = recalculated(
        start=period_start(case.received_at, case.counted_from),
        current=before,
        current_version=case.calendar_version,
        calendar=core.calendar,
        policy=core.policy,
        pauses=pauses,
        extended=case.extended,
    )
    set_dues(case, dues)
    case.calendar_version, case.updated_at = core.calendar.version, utc_now()
    if dues == before:
        return None
    return DeadlinesRecalculated(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        previous=previous,
        deadlines=deadlines_of(case),
        reason=reason,
    )
