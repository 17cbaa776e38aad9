"""Event contracts that cross service boundaries.

Every event carries `event_id` (consumers de-duplicate on it), `occurred_at`,
`schema_version` and `correlation_id` (the case id once the case exists). A change that
breaks readers gets a new `schema_version`; `tests/unit/test_contracts.py` fails when the
committed JSON Schema documents drift from these models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from schemas.submission import Channel, Submission, SubmitterType

SCHEMA_VERSION = 1


def _new_id() -> str:
    return uuid4().hex


def _now() -> datetime:
    return datetime.now().astimezone()


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(default_factory=_new_id, min_length=1, max_length=64)
    occurred_at: AwareDatetime = Field(default_factory=_now)
    schema_version: int = SCHEMA_VERSION
    correlation_id: str = Field(min_length=1, max_length=64)


class SubmissionReceived(Event):
    """A channel posts one item to the intake topic."""

    event_type: Literal["submission.received"] = "submission.received"
    submission: Submission


class Submitter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    submitter_type: SubmitterType = SubmitterType.INDIVIDUAL
    name: str = ""
    organization: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class CaseFacts(BaseModel):
    """What a case is about; carried by accepted/refused events (private data included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    tracking_code: str
    channel: Channel
    received_at: AwareDatetime
    submitter: Submitter
    title: str = ""
    content: str = ""
    regulation: str = ""
    attachments: list[str] = Field(default_factory=list)


class CaseAccepted(Event):
    event_type: Literal["case.accepted"] = "case.accepted"
    case: CaseFacts


class CaseRefused(Event):
    event_type: Literal["case.refused"] = "case.refused"
    case: CaseFacts
    reason: str
    message_vi: str
    guidance_agency: str | None = None
    duplicate_of: str | None = None


class Deadlines(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    classify: date
    forward: date
    answer: date
    calendar_version: str


class CaseRouted(Event):
    """The router placed the case with an agency (or the TRIAGE queue)."""

    event_type: Literal["case.routed"] = "case.routed"
    case_id: str
    tracking_code: str
    agency: str
    agency_name: str
    agency_email: str | None = None
    case_class: Literal["regulation", "behaviour"]
    kind: Literal["phan_anh", "kien_nghi"]
    rule_id: str
    rules_version: str
    confidence: float = Field(ge=0, le=1)
    deadlines: Deadlines
    hop: int = Field(default=1, ge=1)
    title: str = ""
    content: str = ""


class CaseTransferred(Event):
    event_type: Literal["case.transferred"] = "case.transferred"
    case_id: str
    tracking_code: str
    from_agency: str
    to_agency: str
    reason: str
    by: str
    hop: int = Field(ge=1)


class CaseAnswered(Event):
    event_type: Literal["case.answered"] = "case.answered"
    case_id: str
    tracking_code: str
    agency: str
    agency_name: str
    answer: str
    legal_basis: str = ""
    answered_by: str
    answered_on: date
    due_answer: date
    on_time: bool


CaseEvent = Annotated[
    CaseAccepted | CaseRefused | CaseRouted | CaseTransferred | CaseAnswered,
    Field(discriminator="event_type"),
]


class AnswerSubmitted(Event):
    """An agency answers a case (console, API, or its own system)."""

    event_type: Literal["action.answer"] = "action.answer"
    case_id: str
    agency: str
    officer: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=1, max_length=50_000)
    legal_basis: str = Field(default="", max_length=2_000)


class TransferRequested(Event):
    """An agency that is not competent hands the case back with a reason."""

    event_type: Literal["action.transfer"] = "action.transfer"
    case_id: str
    agency: str
    officer: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2_000)
    to_agency: str | None = None


AgencyAction = Annotated[AnswerSubmitted | TransferRequested, Field(discriminator="event_type")]

CASE_EVENT_ADAPTER: TypeAdapter[CaseEvent] = TypeAdapter(CaseEvent)
AGENCY_ACTION_ADAPTER: TypeAdapter[AgencyAction] = TypeAdapter(AgencyAction)
SUBMISSION_ADAPTER: TypeAdapter[SubmissionReceived] = TypeAdapter(SubmissionReceived)
