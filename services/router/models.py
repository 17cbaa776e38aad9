"""The router's tables, all of them: where each case is, its deadlines, every hop it took,
the clock stops, the reminders and escalations already sent, the holiday tables in force,
the items the intake refused (for the reports), and the console's (accounts, sessions, API
tokens, answer drafts, the audit log).

One module for the whole schema: whatever loads it has every router table on the metadata
(the migrations, the tests' databases), and it imports nothing of the router's but the
lifecycle's statuses, so every other module may import it."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field

from services.kit.columns import UtcDateTime, utc_now
from services.kit.table import Table
from services.router.domain.lifecycle import OPEN_STATUSES as _OPEN
from services.router.domain.lifecycle import Status

# The statuses of a case still in hands (the lifecycle's `Status`, as stored).
OPEN_STATUSES: tuple[str, ...] = tuple(status.value for status in _OPEN)


class RoutedCase(Table, table=True):
    """A case as the router tracks it: the agency in charge now and its deadlines."""

    __tablename__ = "router_case"

    case_id: str = Field(primary_key=True, max_length=32)
    tracking_code: str = Field(max_length=20, index=True)
    channel: str = Field(max_length=16)
    received_at: datetime = Field(sa_type=UtcDateTime)
    title: str = Field(default="", max_length=500)
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    address: str = Field(default="", max_length=500)
    regulation: str = Field(default="", max_length=500)
    submitter_type: str = Field(default="individual", max_length=16)
    agency: str = Field(max_length=16, index=True)
    status: str = Field(default=Status.ROUTED.value, max_length=16)  # a lifecycle `Status`
    case_class: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    rule_id: str = Field(max_length=100)
    rules_version: str = Field(max_length=40)
    confidence: float
    due_classify: date
    due_forward: date
    due_answer: date
    calendar_version: str = Field(max_length=40)
    hop: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # The day the current periods run from: None = the day of receipt; a transfer's day.
    counted_from: date | None = None
    taken_by: str | None = Field(default=None, max_length=200)
    # True while due_answer includes the extension (a transfer starts a fresh period).
    extended: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Set once, never cleared: the case's one extension is used.
    extension_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The original as the submitter sent it (private: the agency console shows it to the
    # agency in charge only). None on cases routed before these columns existed.
    submitter_name: str | None = Field(default=None, max_length=300)
    submitter_organization: str | None = Field(default=None, max_length=300)
    submitter_phone: str | None = Field(default=None, max_length=50)
    submitter_email: str | None = Field(default=None, max_length=320)
    attachments: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class RoutingHop(Table, table=True):
    """One step of a case's path between agencies: the history keeps every hop."""

    __tablename__ = "router_hop"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    hop: int
    agency: str = Field(max_length=16)
    rule_id: str = Field(max_length=100)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    decided_by: str = Field(default="router", max_length=200)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # route (first routing) | transfer (an agency handed it on) | assign (triage decision)
    step: str = Field(default="route", max_length=16, sa_column_kwargs={"server_default": "route"})
    from_agency: str | None = Field(default=None, max_length=16)


class RefusedItem(Table, table=True):
    """An item the intake refused (`CaseRefused`), kept for the reports' "refused, by
    reason": one row per case, however often the event comes."""

    __tablename__ = "router_refusal"

    case_id: str = Field(primary_key=True, max_length=32)
    received_at: datetime = Field(sa_type=UtcDateTime, index=True)
    channel: str = Field(max_length=16)
    reason: str = Field(max_length=32)  # a `CaseRefused.reason` code


class ClockPause(Table, table=True):
    """The clock stopped while the submitter completes the item (open while resumed_on is None)."""

    __tablename__ = "router_pause"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    agency: str = Field(max_length=16)
    paused_on: date
    resumed_on: date | None = None
    question: str = Field(default="", sa_column=Column(Text, nullable=False))
    requested_by: str = Field(max_length=200)
    resumed_by: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class DeadlineNotice(Table, table=True):
    """A reminder or escalation already emitted: at most one per (case, kind, stage, due)."""

    __tablename__ = "router_deadline_notice"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "stage", "due", name="uq_router_notice_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)  # reminder | escalation
    stage: str = Field(max_length=16)  # classify | forward | answer
    due: date
    agency: str = Field(max_length=16)
    event_id: str = Field(max_length=64)
    sent_on: date
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class CalendarYear(Table, table=True):
    """A year's holiday table loaded by an administrator; it overrides the packaged file."""

    __tablename__ = "router_calendar_year"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    table_json: str = Field(sa_column=Column(Text, nullable=False))
    change_id: int


class CalendarChange(Table, table=True):
    """The log of holiday-table changes: who loaded what, when, and what it moved."""

    __tablename__ = "router_calendar_change"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    changed_by: str = Field(max_length=200)
    source: str = Field(max_length=500)
    years: str = Field(max_length=200)
    previous_version: str = Field(max_length=40)
    version: str = Field(max_length=40)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    cases_recalculated: int = 0


# The console's tables: officers' accounts, login sessions, API tokens, answer drafts and
# the audit log (written by the console, the agencies' API and the cut-over). Secrets are
# never stored: passwords as scrypt hashes, session ids and API tokens as SHA-256 digests of
# high-entropy random values.
class Account(Table, table=True):
    """An officer of one agency; `role` is officer, head or supervisor (VPUB only)."""

    __tablename__ = "router_account"
    __table_args__ = (UniqueConstraint("username", name="uq_router_account_username"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    agency: str = Field(max_length=16, index=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # Failed logins counted from `failures_since`; reaching the limit sets `locked_until`.
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    failures_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    created_by: str = Field(default="", max_length=200)
    password_changed_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginSession(Table, table=True):
    """A login: the cookie holds a random id, the table only its digest."""

    __tablename__ = "router_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="router_account.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)


class ApiToken(Table, table=True):
    """An agency's system's key to its own queue (`Authorization: Bearer …`)."""

    __tablename__ = "router_api_token"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_router_api_token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    prefix: str = Field(max_length=16)  # shown in lists and the audit log
    agency: str = Field(max_length=16, index=True)
    label: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_by: str | None = Field(default=None, max_length=200)


class AnswerDraft(Table, table=True):
    """An answer being prepared; a head's approval turns it into a `SubmitAnswer`.

    Drafts of one consolidated answer (the same text for every open case about one
    regulation) share a `batch`.
    """

    __tablename__ = "router_answer_draft"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    agency: str = Field(max_length=16)
    batch: str | None = Field(default=None, max_length=32, index=True)
    answer: str = Field(sa_column=Column(Text, nullable=False))
    legal_basis: str = Field(default="", sa_column=Column(Text, nullable=False))
    outcome: str = Field(default="answered", max_length=32)
    documents: str = Field(default="", sa_column=Column(Text, nullable=False))
    written_by: str = Field(max_length=200)
    written_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    status: str = Field(default="draft", max_length=16)  # draft | published | withdrawn
    approved_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    event_id: str | None = Field(default=None, max_length=64)


class AuditEntry(Table, table=True):
    """Who saw or did what, when: logins, case views, every command, API token use."""

    __tablename__ = "router_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=200)
    agency: str = Field(default="", max_length=16)
    action: str = Field(max_length=32, index=True)
    case_id: str | None = Field(default=None, max_length=32, index=True)
    event_id: str | None = Field(default=None, max_length=64)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    address: str = Field(default="", max_length=64)  # the client's IP address
