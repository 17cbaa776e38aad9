"""Who may do what to a case, and in which state, asked of the lifecycle
(`domain/lifecycle.py`) for a case row and an agency command.

A command the lifecycle refuses raises `PermanentError`, so the pipeline dead-letters it with
the reason (in Vietnamese: the officer's console shows it).
"""

from __future__ import annotations

from schemas.actions import AgencyCommand, AssignFromTriage, RequestTransfer
from services.kit.consumer import PermanentError
from services.router.domain.lifecycle import (
    STATUS_VI,
    CaseFacts,
    Outcome,
    Status,
    action_of,
    transition,
)
from services.router.models import RoutedCase

__all__ = ["STATUS_VI", "allowed", "facts_of", "require_case"]


def require_case(case: RoutedCase | None, case_id: str) -> RoutedCase:
    if case is None:
        raise PermanentError(f"Không tìm thấy hồ sơ {case_id}.")
    return case


def facts_of(case: RoutedCase) -> CaseFacts:
    """What the lifecycle knows of a case row."""
    try:
        status = Status(case.status)
    except ValueError:  # a broken invariant, not an officer's mistake
        raise PermanentError(
            f"Hồ sơ {case.case_id} có tình trạng không hợp lệ: {case.status}."
        ) from None
    return CaseFacts(
        case_id=case.case_id,
        status=status,
        holder=case.agency,
        taken=bool(case.taken_by),
        extension_used=case.extension_reason is not None,
    )


def allowed(case: RoutedCase, command: AgencyCommand) -> Outcome:
    """The lifecycle's outcome of `command` on `case`; `PermanentError` if it is refused."""
    to_agency = (
        command.to_agency if isinstance(command, RequestTransfer | AssignFromTriage) else None
    )
    outcome = transition(
        facts_of(case), action_of(command), actor=command.agency, to_agency=to_agency
    )
    if outcome.refusal is not None:
        raise PermanentError(outcome.refusal)
    return outcome
