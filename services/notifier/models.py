"""The notifier's tables: private contacts, the public projection, e-mail deliveries (and
the lines of the daily digests), and the reference data the router publishes (agencies,
working days).

The public pages read only `notifier_public_case`; personal data lives in
`notifier_contact`, which nothing public ever queries.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field

from services.kit.columns import UtcDateTime, utc_now
from services.kit.table import Table


class Contact(Table, table=True):
    """The submitter of a case: private, used to e-mail them and to know what to redact."""

    __tablename__ = "notifier_contact"

    case_id: str = Field(primary_key=True, max_length=32)
    submitter_type: str = Field(default="individual", max_length=16)
    name: str = Field(default="", max_length=300)
    organization: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=320)
    # False for an imported backlog (`pakn import --no-notify`): never mailed about the case.
    notify: bool = Field(default=True)


class PublicCase(Table, table=True):
    """What the public may see of a case: redacted text, agency, dates, deadlines met or not.

    Refused cases are kept (their status page shows the reason) but never listed in feeds.
    """

    __tablename__ = "notifier_public_case"

    case_id: str = Field(primary_key=True, max_length=32)
    tracking_code: str = Field(max_length=20, unique=True)
    channel: str = Field(max_length=16)
    received_at: datetime = Field(sa_type=UtcDateTime)
    # received | refused | routed | waiting_info | answered
    status: str = Field(max_length=16, index=True)
    refusal_reason: str | None = Field(default=None, max_length=40)
    refusal_message: str | None = Field(default=None, sa_column=Column(Text))
    guidance_agency: str | None = Field(default=None, max_length=16)
    title: str = Field(default="", max_length=500)
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    regulation: str = Field(default="", max_length=500)
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    case_class: str | None = Field(default=None, max_length=16)
    kind: str | None = Field(default=None, max_length=16)
    agency: str | None = Field(default=None, max_length=16, index=True)
    agency_name: str | None = Field(default=None, max_length=300)
    due_classify: date | None = None
    due_forward: date | None = None
    due_answer: date | None = None
    handled_on: date | None = None  # first placed with an agency (not the triage queue)
    taken_on: date | None = None
    info_requested_on: date | None = None
    extended_from: date | None = None
    extension_reason: str | None = Field(default=None, sa_column=Column(Text))
    overdue: bool = False  # an escalation came in and the case is not answered yet
    missed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answer: str | None = Field(default=None, sa_column=Column(Text))
    legal_basis: str | None = Field(default=None, sa_column=Column(Text))
    outcome: str | None = Field(default=None, max_length=32)
    answered_on: date | None = None
    on_time: bool | None = None
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class PublicTransfer(Table, table=True):
    """One hop of a case from an agency to another, with the (redacted) reason."""

    __tablename__ = "notifier_public_transfer"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    hop: int
    from_agency: str = Field(max_length=16)
    from_agency_name: str = Field(max_length=300)
    to_agency: str = Field(max_length=16)
    to_agency_name: str = Field(max_length=300)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    transferred_on: date


class Redaction(Table, table=True):
    """The redaction log: what kind of personal data was removed where (never the value)."""

    __tablename__ = "notifier_redaction"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    field: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    start: int
    end: int
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class Delivery(Table, table=True):
    """One e-mail for one event and one recipient: handed to SMTP at most once.

    pending → claimed (a mailer owns it) → sending (DATA under way) → sent | failed |
    uncertain; a refusal that may pass puts it back to pending with a later attempt time.
    See docs/decisions/0003-mail-delivery.md.
    """

    __tablename__ = "notifier_delivery"
    __table_args__ = (UniqueConstraint("event_id", "recipient", name="uq_delivery_event_rcpt"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64)
    case_id: str = Field(max_length=32, index=True)
    recipient: str = Field(max_length=320)
    template: str = Field(max_length=40)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    claim_token: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    meta: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DigestEntry(Table, table=True):
    """One line of a daily digest (services/notifier/digest.py): written once per event,
    rendered into its `Delivery` only when the mailer claims it. An event is in one digest
    of its recipient at most (`add_to_digest` looks it up; the unique key holds it per
    digest), so a replayed event adds nothing."""

    __tablename__ = "notifier_digest_line"
    __table_args__ = (UniqueConstraint("digest_id", "event_id", name="uq_digest_line_event"),)

    id: int | None = Field(default=None, primary_key=True)  # the order lines came in
    digest_id: int = Field(foreign_key="notifier_delivery.id")
    event_id: str = Field(max_length=64, index=True)
    case_id: str = Field(max_length=32)
    recipient_name: str = Field(max_length=300)  # as the event named them; the last one greets
    text: str = Field(sa_column=Column(Text, nullable=False))


class ReferenceData(Table, table=True):
    """The latest reference document of each kind the router published ("directory",
    "calendar"): the event's JSON as received. The notifier reads agencies and working
    days only from here (docs/decisions/0008-reference-data-in-events.md)."""

    __tablename__ = "notifier_reference_data"

    kind: str = Field(primary_key=True, max_length=16)
    version: str = Field(max_length=64)
    event_id: str = Field(max_length=64)
    published_at: datetime = Field(sa_type=UtcDateTime)
    received_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    payload: str = Field(sa_column=Column(Text, nullable=False))
