"""Which use case each case event and each agency command goes to, on any storage
(`ports.UnitOfWork`): the service calls these on its database, the tests on the in-memory
store. mypy fails on an event or a command left without a branch."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import assert_never

from schemas.actions import (
    AgencyAction,
    AssignFromTriage,
    ExtendDeadline,
    RecordInfoReceived,
    RequestInfo,
    RequestTransfer,
    SubmitAnswer,
    TakeCase,
)
from schemas.events import (
    CaseAccepted,
    CaseAnswered,
    CaseEscalated,
    CaseEvent,
    CaseRefused,
    CaseRouted,
    CaseTaken,
    CaseTransferred,
    DeadlineExtended,
    DeadlineReminder,
    DeadlinesRecalculated,
    InfoReceived,
    InfoRequested,
)
from services.router.commands import (
    extend_deadline,
    record_info_received,
    request_info,
    submit_answer,
    take_case,
)
from services.router.core import RouterCore
from services.router.ports import UnitOfWork
from services.router.refusals import record_refusal
from services.router.transfer import assign_from_triage, transfer_case
from services.router.usecases import route_accepted


async def in_force(uow: UnitOfWork, core: RouterCore) -> RouterCore:
    """`core` with the holiday calendar in force (an administrator may have loaded one)."""
    return replace(core, calendar=await uow.calendar())


def ignored(event: CaseEvent) -> bool:
    """The events `on_case_event` does nothing with (the router's own, read back): its
    pipeline finishes them without a transaction."""
    return not isinstance(event, CaseAccepted | CaseRefused)


async def on_case_event(uow: UnitOfWork, event: CaseEvent, *, core: RouterCore) -> None:
    match event:
        case CaseAccepted():
            await route_accepted(uow, event=event, core=await in_force(uow, core))
        case CaseRefused():  # nothing to route: kept for the reports
            await record_refusal(uow, event=event)
        case (
            CaseRouted()  # the router's own events, emitted by its use cases
            | CaseTransferred()
            | CaseTaken()
            | InfoRequested()
            | InfoReceived()
            | DeadlineExtended()
            | DeadlinesRecalculated()
            | DeadlineReminder()
            | CaseEscalated()
            | CaseAnswered()
        ):
            pass
        case _ as unreachable:  # mypy fails here on a case event with no branch above
            assert_never(unreachable)


async def on_action(
    uow: UnitOfWork, action: AgencyAction, *, core: RouterCore, today: date
) -> None:
    """Apply an agency's command; one the lifecycle refuses raises `PermanentError`."""
    core = await in_force(uow, core)
    match action:
        case TakeCase():
            await take_case(uow, action=action, core=core, today=today)
        case SubmitAnswer():
            await submit_answer(uow, action=action, core=core, today=today)
        case RequestTransfer():
            await transfer_case(uow, action=action, core=core, today=today)
        case AssignFromTriage():
            await assign_from_triage(uow, action=action, core=core, today=today)
        case RequestInfo():
            await request_info(uow, action=action, core=core, today=today)
        case RecordInfoReceived():
            await record_info_received(uow, action=action, core=core, today=today)
        case ExtendDeadline():
            await extend_deadline(uow, action=action, core=core, today=today)
        case _ as unreachable:  # mypy fails here on an agency action with no branch above
            assert_never(unreachable)
