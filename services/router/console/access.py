"""Who may see and do what in the console and the API. Pure.

An officer or head sees and works the cases its agency is in charge of now, and nothing
else: the moment a case is transferred, the old agency's access ends. The supervisor (an
account of the provincial office, VPUB) sees every case, and works the triage queue and
VPUB's own cases. Heads (and the supervisor) approve answers and extensions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from services.router.emit import TRIAGE, TRIAGE_HOME

Role = Literal["officer", "head", "supervisor"]
ROLES: tuple[str, ...] = get_args(Role)
ROLE_VI = {
    "officer": "cán bộ xử lý",
    "head": "lãnh đạo cơ quan",
    "supervisor": "giám sát (Văn phòng UBND tỉnh)",
}


@dataclass(frozen=True)
class Officer:
    """Whoever is making this request: a logged-in officer or an agency's API token."""

    username: str
    agency: str
    role: Role
    display_name: str = ""
    csrf: str = ""  # the session's form token ("" for API tokens)
    token_prefix: str | None = None
    # Its agency was retired by a cut-over: it still reads the cases it held, acts on none.
    retired: bool = False

    @property
    def actor(self) -> str:
        """How the audit log and the commands name this officer."""
        if self.token_prefix is not None:
            return f"api:{self.agency}:{self.token_prefix}"
        return self.username

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def may_approve(self) -> bool:
        """Approve and publish answers, extend deadlines, issue API tokens."""
        return self.role in ("head", "supervisor") and not self.retired

    @property
    def label(self) -> str:
        name = self.display_name or self.username
        return f"{name} ({ROLE_VI[self.role]}, {self.agency})"


def may_see(officer: Officer, case_agency: str) -> bool:
    return officer.is_supervisor or case_agency == officer.agency


def may_act(officer: Officer, case_agency: str) -> bool:
    """The triage queue is the supervisor's; any other case its agency's in charge."""
    if officer.retired:
        return False
    if case_agency == TRIAGE:
        return officer.is_supervisor
    return case_agency == officer.agency


def role_problem(role: str, agency: str) -> str | None:
    """Why an account cannot have this role at this agency (Vietnamese), or None."""
    if role not in ROLES:
        return f"Vai trò không hợp lệ: {role} (chọn một trong {', '.join(ROLES)})."
    if role == "supervisor" and agency != TRIAGE_HOME:
        return f"Chỉ tài khoản của {TRIAGE_HOME} mới có vai trò giám sát."
    return None


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class FailureCount:
    failed: int
    since: datetime | None
    locked_until: datetime | None


def after_failure(count: FailureCount, *, now: datetime, policy: LockoutPolicy) -> FailureCount:
    """One more failed login: a failure outside the window starts a new count; reaching the
    limit locks the account for a while and starts the count again."""
    if count.since is None or now - count.since > policy.window:
        count = FailureCount(0, now, count.locked_until)
    failed = count.failed + 1
    if failed >= policy.max_failures:
        return FailureCount(0, None, now + policy.lock_for)
    return FailureCount(failed, count.since, count.locked_until)


def is_locked(locked_until: datetime | None, *, now: datetime) -> bool:
    return locked_until is not None and now < locked_until
