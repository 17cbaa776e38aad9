"""Intake's own tables: the raw archive, the register of cases and their attachments, and
what the router last said of each case (for the receipt)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field

from services.kit.columns import UtcDateTime, utc_now
from services.kit.table import Table


class RawPayload(Table, table=True):
    """Every payload a channel delivered, kept before validation, forever."""

    __tablename__ = "intake_raw_payload"
    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_intake_raw_source"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=255, description="topic or HTTP route it came from")
    source_ref: str = Field(
        max_length=255, index=True, description="partition:offset, request id, hash, …"
    )
    received_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="received", max_length=16, index=True)  # received|registered|failed
    error: str | None = Field(default=None, sa_column=Column(Text))
    event_id: str | None = Field(default=None, max_length=64, index=True)
    case_id: str | None = Field(default=None, max_length=32, index=True)


class IntakeCase(Table, table=True):
    """One item in the register, accepted or not: nothing a channel sends is dropped."""

    __tablename__ = "intake_case"
    __table_args__ = (UniqueConstraint("channel", "channel_ref", name="uq_intake_channel_ref"),)

    id: str = Field(default_factory=lambda: uuid4().hex, primary_key=True, max_length=32)
    tracking_code: str = Field(unique=True, max_length=20)
    channel: str = Field(max_length=16)
    channel_ref: str | None = Field(default=None, max_length=200, index=True)
    received_at: datetime = Field(sa_type=UtcDateTime)
    registered_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    submitter_type: str = Field(max_length=16)
    name: str = Field(default="", max_length=300)
    name_folded: str = Field(default="", max_length=300, index=True)
    organization: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=20, index=True)
    email: str = Field(default="", max_length=320, index=True)
    title: str = Field(default="", max_length=500)
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    regulation: str = Field(default="", max_length=500)
    attachments: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    extra: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=16)  # accepted | refused
    reason: str | None = Field(default=None, max_length=40)
    duplicate_of: str | None = Field(default=None, max_length=32)


class IntakeAttachment(Table, table=True):
    """A file a channel delivered with an item; the bytes are in the attachment store,
    named by their SHA-256 (the same file sent twice is stored once)."""

    __tablename__ = "intake_attachment"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str | None = Field(default=None, max_length=32, index=True)
    raw_id: int | None = Field(default=None, index=True)
    sha256: str = Field(max_length=64, index=True)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    received_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class CaseRouting(Table, table=True):
    """The agency in charge of a registered case and its deadlines, as the router's case
    events last said (services/intake/routing_news.py): what the receipt shows."""

    __tablename__ = "intake_case_routing"

    case_id: str = Field(primary_key=True, max_length=32)
    agency: str = Field(max_length=16)  # an agency's code, or TRIAGE
    agency_name: str = Field(default="", max_length=300)
    hop: int = 1
    due_classify: date
    due_forward: date
    due_answer: date
    extended: bool = False  # the one extension moved `due_answer`
    waiting_info: bool = False  # the clock stopped until the submitter completes the item
    answered_on: date | None = None
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
