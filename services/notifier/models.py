"""The notifier's tables: private contacts, the public projection, and e-mail deliveries.

The public pages read only `notifier_public_case`; personal data lives in
`notifier_contact`, which nothing public ever queries.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.kit.columns import UtcDateTime, utc_now


class Contact(SQLModel, table=True):
    """The submitter of a case: private, used to e-mail them and to know what to redact."""

    __tablename__ = "notifier_contact"

    case_id: str = Field(primary_key=True, max_length=32)
    submitter_type: str = Field(default="individual", max_length=16)
    name: str = Field(default="", max_length=300)
    organization: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=320)


class PublicCase(SQLModel, table=True):
    """What the public may see of a case: redacted text, agency, dates, deadline met or not."""

    __tablename__ = "notifier_public_case"

    case_id: str = Field(primary_key=True, max_length=32)
    tracking_code: str = Field(max_length=20, unique=True)
    channel: str = Field(max_length=16)
    received_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(max_length=16, index=True)  # received | refused | routed | answered
    refusal_reason: str | None = Field(default=None, max_length=40)
    title: str = Field(default="", max_length=500)
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    agency: str | None = Field(default=None, max_length=16, index=True)
    agency_name: str | None = Field(default=None, max_length=300)
    due_answer: date | None = None
    answer: str | None = Field(default=None, sa_column=Column(Text))
    legal_basis: str | None = Field(default=None, sa_column=Column(Text))
    answered_on: date | None = None
    on_time: bool | None = None
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class Redaction(SQLModel, table=True):
    """The redaction log: what kind of personal data was removed where (never the value)."""

    __tablename__ = "notifier_redaction"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    field: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    start: int
    end: int
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class Delivery(SQLModel, table=True):
    """One e-mail for one event and one recipient: sent at most once, retried until done."""

    __tablename__ = "notifier_delivery"
    __table_args__ = (UniqueConstraint("event_id", "recipient", name="uq_delivery_event_rcpt"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64)
    case_id: str = Field(max_length=32, index=True)
    recipient: str = Field(max_length=320)
    template: str = Field(max_length=40)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)  # pending|sent|failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    meta: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
