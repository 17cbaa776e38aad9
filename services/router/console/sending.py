"""Console and API actions become agency commands on the actions topic, staged in the
router's outbox: the router's own consumer then checks and applies them exactly as it does
a command from an agency's system (and dead-letters one that no longer applies).

Before staging, the console asks the same lifecycle the router will
(`domain/lifecycle.py`, through `guards.allowed`), so an officer is told at once why an
action cannot be done; the router stays the authority (a case can change between the check
and the command).
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.actions import AgencyCommand, AssignFromTriage, RequestTransfer
from services.kit.consumer import PermanentError, ProcessedEvent
from services.kit.outbox import add_event
from services.router import audit
from services.router.console.access import Officer
from services.router.core import RouterCore
from services.router.domain.lifecycle import TRIAGE, action_of
from services.router.emit import SERVICE
from services.router.guards import allowed
from services.router.models import RoutedCase
from services.router.transfer import known_agency


def action_name(command: AgencyCommand) -> str:
    """The audit log's name of the command (the lifecycle's action)."""
    return action_of(command).value


def problem_with(case: RoutedCase, command: AgencyCommand, *, core: RouterCore) -> str | None:
    """Why the router would refuse `command` on `case` as it is now (Vietnamese), or None."""
    try:
        allowed(case, command)
        if isinstance(command, RequestTransfer | AssignFromTriage):
            target = command.to_agency
            if target and target != TRIAGE:
                known_agency(core, case, target)
    except PermanentError as refusal:
        return str(refusal)
    return None


def send(
    session: AsyncSession,
    *,
    command: AgencyCommand,
    officer: Officer,
    core: RouterCore,
    address: str = "",
    detail: str = "",
    action: str | None = None,
) -> None:
    """Stage `command` on the actions topic, with its audit entry, in the caller's
    transaction (its commit wakes the relay: kit.outbox)."""
    add_event(
        session,
        service=SERVICE,
        topic=core.topics.agency_actions,
        key=command.case_id,
        event=command,
    )
    audit.record(
        session,
        action=action or action_name(command),
        officer=officer,
        case_id=command.case_id,
        event_id=command.event_id,
        detail=detail,
        address=address,
    )


async def applied(session: AsyncSession, event_id: str) -> bool:
    """Whether the router's consumer has applied this command (a refused one never is)."""
    return await session.get(ProcessedEvent, (SERVICE, event_id)) is not None
