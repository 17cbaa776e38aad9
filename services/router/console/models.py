"""The console's own tables: officers' accounts, login sessions, API tokens, answer drafts
and the audit log. Secrets are never stored: passwords as scrypt hashes, session ids and
API tokens as SHA-256 digests of high-entropy random values."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.kit.columns import UtcDateTime, utc_now


class Account(SQLModel, table=True):
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


class LoginSession(SQLModel, table=True):
    """A login: the cookie holds a random id, the table only its digest."""

    __tablename__ = "router_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="router_account.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)


class ApiToken(SQLModel, table=True):
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


class AnswerDraft(SQLModel, table=True):
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


class AuditEntry(SQLModel, table=True):
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
