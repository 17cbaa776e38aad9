"""Agency commands that keep the case with its agency: take, ask the submitter, extend, answer."""

from __future__ import annotations

from datetime import date

from schemas.actions import ExtendDeadline, RecordInfoReceived, RequestInfo, SubmitAnswer, TakeCase
from schemas.events import CaseAnswered, CaseTaken, DeadlineExtended, InfoReceived, InfoRequested
from services.kit.columns import utc_now
from services.kit.consumer import PermanentError
from services.router.case_deadlines import after_pause, extended_answer
from services.router.core import RouterCore
from services.router.domain.lifecycle import Outcome
from services.router.emit import agency_name, deadlines_of, dues_of, emit, set_dues
from services.router.guards import allowed, require_case
from services.router.models import ClockPause, RoutedCase
from services.router.ports import UnitOfWork


async def case_for(
    uow: UnitOfWork,
    command: TakeCase | SubmitAnswer | RequestInfo | RecordInfoReceived | ExtendDeadline,
) -> tuple[RoutedCase, Outcome]:
    """The case, locked, and what the lifecycle says of the command (refused: raises)."""
    case = require_case(await uow.cases.lock(command.case_id), command.case_id)
    return case, allowed(case, command)


def _touch(uow: UnitOfWork, case: RoutedCase) -> None:
    case.updated_at = utc_now()
    uow.cases.save(case)


async def take_case(uow: UnitOfWork, *, action: TakeCase, core: RouterCore, today: date) -> None:
    case, outcome = await case_for(uow, action)
    case.status, case.taken_by = outcome.status.value, action.officer
    _touch(uow, case)
    taken = CaseTaken(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        by=action.officer,
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=taken)


async def request_info(
    uow: UnitOfWork, *, action: RequestInfo, core: RouterCore, today: date
) -> None:
    """The clock stops from today until the submitter's answer is recorded."""
    case, outcome = await case_for(uow, action)
    case.status = outcome.status.value
    _touch(uow, case)
    uow.pauses.add(
        ClockPause(
            case_id=case.case_id,
            agency=case.agency,
            paused_on=today,
            question=action.question,
            requested_by=action.officer,
        )
    )
    requested = InfoRequested(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        agency_name=agency_name(core, case.agency),
        question=action.question,
        by=action.officer,
        requested_on=today,
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=requested)


async def record_info_received(
    uow: UnitOfWork, *, action: RecordInfoReceived, core: RouterCore, today: date
) -> None:
    case, outcome = await case_for(uow, action)
    case.status = outcome.status.value
    await _resume_clock(uow, case=case, core=core, today=today, by=action.officer, note=action.note)
    received = InfoReceived(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        by=action.officer,
        received_on=today,
        deadlines=deadlines_of(case),
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=received)


async def _resume_clock(
    uow: UnitOfWork, *, case: RoutedCase, core: RouterCore, today: date, by: str, note: str
) -> None:
    """Close the open pause and give back the working days it took (the case is saved)."""
    pause = await uow.pauses.open_of(case.case_id)
    if pause is None:  # a broken invariant, not an officer's mistake
        raise PermanentError(f"Hồ sơ {case.case_id} đang chờ bổ sung nhưng không có lần dừng.")
    resumed_on = max(today, pause.paused_on)
    pause.resumed_on, pause.resumed_by, pause.note = resumed_on, by, note
    uow.pauses.save(pause)
    set_dues(
        case,
        after_pause(
            dues_of(case), paused_on=pause.paused_on, resumed_on=resumed_on, calendar=core.calendar
        ),
    )
    _touch(uow, case)


async def extend_deadline(
    uow: UnitOfWork, *, action: ExtendDeadline, core: RouterCore, today: date
) -> None:
    case, outcome = await case_for(uow, action)  # refused if the extension is spent
    case.status = outcome.status.value
    previous = case.due_answer
    case.due_answer = extended_answer(previous, calendar=core.calendar, policy=core.policy)
    case.extended, case.extension_reason = True, action.reason
    _touch(uow, case)
    extended = DeadlineExtended(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        reason=action.reason,
        by=action.officer,
        previous_due=previous,
        due_answer=case.due_answer,
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=extended)


async def submit_answer(
    uow: UnitOfWork, *, action: SubmitAnswer, core: RouterCore, today: date
) -> None:
    """The answer closes the case; it is on time if given by the current answer deadline."""
    case, outcome = await case_for(uow, action)
    if outcome.resumes_clock:  # answered without the details: the pause ends today
        await _resume_clock(uow, case=case, core=core, today=today, by=action.officer, note="")
    case.status = outcome.status.value
    _touch(uow, case)
    answered = CaseAnswered(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        agency=case.agency,
        agency_name=agency_name(core, case.agency),
        answer=action.answer,
        legal_basis=action.legal_basis,
        outcome=action.outcome,
        answered_by=action.officer,
        answered_on=today,
        due_answer=case.due_answer,
        on_time=today <= case.due_answer,
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=answered)
