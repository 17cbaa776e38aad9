"""Console and API actions become agency commands on the actions topic, staged in the
router's outbox: the router's own consumer then checks and applies them exactly as it does
a command from an agency's system (and dead-letters one that no longer applies).

Before staging, the console runs the same guards the router will, so an officer is told at
once why an action cannot be done; the router stays the authority (a case can change
between the check and the command).
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.actions import (
    AgencyCommand,
    AssignFromTriage,
    ExtendDeadline,
    RecordInfoReceived,
    RequestInfo,
    RequestTransfer,
    SubmitAnswer,
    TakeCase,
)
from services.kit.consumer import PermanentError, ProcessedEvent
from services.kit.outbox import add_event
from services.router.console import audit
from services.router.console.access import Officer
from services.router.core import RouterCore
from services.router.emit import SERVICE, TRIAGE
from services.router.guards import require_in_charge, require_status
from services.router.models import RoutedCase
from services.router.transfer import known_agency

# (the states the router applies each command in, what the refusal says it was doing):
# the same as services/router/commands.py and transfer.py.
_RULES: dict[type[AgencyCommand], tuple[tuple[str, ...], str, str]] = {
    TakeCase: (("routed",), "tiếp nhận hồ sơ", "take"),
    RequestInfo: (("routed", "taken"), "yêu cầu bổ sung thông tin", "request_info"),
    RecordInfoReceived: (("waiting_info",), "ghi nhận thông tin bổ sung", "info_received"),
    ExtendDeadline: (("routed", "taken", "waiting_info"), "gia hạn", "extend"),
    SubmitAnswer: (("routed", "taken", "waiting_info"), "trả lời", "answer"),
    RequestTransfer: (("routed", "taken"), "chuyển hồ sơ", "transfer"),
    AssignFromTriage: (("routed",), "giao hồ sơ", "assign"),
}


def action_name(command: AgencyCommand) -> str:
    return _RULES[type(command)][2]


def problem_with(case: RoutedCase, command: AgencyCommand, *, core: RouterCore) -> str | None:
    """Why the router would refuse `command` on `case` as it is now (Vietnamese), or None."""
    allowed, doing, _ = _RULES[type(command)]
    try:
        require_in_charge(case, command)
        require_status(case, allowed, doing=doing)
        if isinstance(command, ExtendDeadline) and case.extension_reason is not None:
            return f"Hồ sơ {case.tracking_code} đã được gia hạn một lần; chỉ được gia hạn một lần."
        target = getattr(command, "to_agency", None)
        if target and target != TRIAGE:
            if target == case.agency:
                return "Hồ sơ đang ở chính cơ quan này: hãy chọn cơ quan khác."
            known_agency(core, case, target)
        if isinstance(command, AssignFromTriage) and command.to_agency == TRIAGE:
            return "Hãy chọn một cơ quan cụ thể để giao hồ sơ."
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
    transaction (wake the relay after the commit)."""
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
