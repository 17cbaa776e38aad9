"""Events that cross service boundaries: submissions, the life of every case, and the
reference data the router publishes for the other services (agencies, working days).

A change that breaks readers gets a new `schema_version`; `tests/unit/test_contracts.py`
fails when the committed JSON Schema documents drift from these models.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)

from schemas.actions import Outcome
from schemas.base import SCHEMA_VERSION, Deadlines, Event, _new_id
from schemas.submission import Channel, Submission, SubmitterType

__all__ = ["SCHEMA_VERSION", "Deadlines", "Event"]

Stage = Literal["classify", "forward", "answer"]


def _require_event_id(schema: dict[str, Any]) -> None:
    """The published contract requires `event_id` of producers (see `SubmissionReceived`)."""
    required = schema.setdefault("required", [])
    if "event_id" not in required:
        required.insert(0, "event_id")


LEGACY_ID_PREFIX = "derived-"


class SubmissionReceived(Event):
    """A channel posts one item to the intake topic (docs/producing-to-intake.md).

    `event_id` is required of producers (the JSON Schema says so). A message without one,
    from a producer written before it was, is still read: its id is derived from its
    content (`LEGACY_ID_PREFIX` + SHA-256), so a copy delivered again is still recognised.
    """

    model_config = ConfigDict(json_schema_extra=_require_event_id)

    event_id: str = Field(
        default_factory=_new_id,
        min_length=1,
        max_length=64,
        description=(
            "Unique per submission, chosen by the producer (a UUID). The intake registers each "
            "event_id once: a message delivered or sent again with the same event_id is "
            "skipped. Send the same event_id again when retrying the same submission."
        ),
    )
    correlation_id: str = Field(
        min_length=1,
        max_length=64,
        description=(
            "Chosen by the producer to find its result: the intake copies it onto the "
            "case.accepted or case.refused event it publishes for this submission on the "
            "case-event topic. Not used for de-duplication."
        ),
    )
    event_type: Literal["submission.received"] = "submission.received"
    submission: Submission = Field(
        description=(
            "The item. Its (channel, channel_ref) is unique on the register: a submission "
            "whose channel and channel_ref are already registered registers nothing and "
            "publishes nothing (the first registration stands)."
        )
    )

    @model_validator(mode="before")
    @classmethod
    def _derive_missing_event_id(cls, data: Any, info: ValidationInfo) -> Any:
        if info.mode == "json" and isinstance(data, dict) and not data.get("event_id"):
            data = {**data, "event_id": derived_event_id(data)}
        return data


def derived_event_id(message: dict[str, Any]) -> str:
    """The id of a `submission.received` sent without one: a hash of its content, so the
    same message read twice (or archived, then decoded) gets the same id."""
    canonical = json.dumps(message, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    return (LEGACY_ID_PREFIX + digest)[:64]


class Submitter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    submitter_type: SubmitterType = SubmitterType.INDIVIDUAL
    name: str = ""
    organization: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class GeoPoint(BaseModel):
    """A WGS84 point the submitter gave (Open311's `lat`/`long`). Personal data, like the
    address: used to find the commune, never published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


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
    location: GeoPoint | None = None
    notify_submitter: bool = Field(
        default=True,
        description="false for a backlog imported with `pakn import --no-notify`: the "
        "submitter is never e-mailed about this case",
    )


class CaseAccepted(Event):
    """The intake registered the item and accepted it; `case.tracking_code` is its code.
    `correlation_id` is the producer's when the item came as a `submission.received`
    (docs/producing-to-intake.md), else the case id."""

    event_type: Literal["case.accepted"] = "case.accepted"
    case: CaseFacts

    @property
    def case_id(self) -> str:
        """The case's id, where every other case event carries it."""
        return self.case.case_id


class CaseRefused(Event):
    """The intake registered the item (it has a tracking code) and refused it: `reason` (the
    codes of interfaces.md §2), `message_vi` for the citizen. `correlation_id` as on
    `CaseAccepted`."""

    event_type: Literal["case.refused"] = "case.refused"
    case: CaseFacts
    reason: str
    message_vi: str
    guidance_agency: str | None = None
    duplicate_of: str | None = None

    @property
    def case_id(self) -> str:
        """The case's id, where every other case event carries it."""
        return self.case.case_id


class CaseEventBase(Event):
    case_id: str
    tracking_code: str


class CaseRouted(CaseEventBase):
    """The router placed the case with an agency (or the TRIAGE queue): first routing,
    transfer or triage decision alike. Also published on the agency's own queue."""

    event_type: Literal["case.routed"] = "case.routed"
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
    decided_by: str = "router"
    reasons: list[str] = Field(default_factory=list)
    title: str = ""
    content: str = ""
    reason_vi: str = Field(
        default="",
        description="why the case is with this agency, in plain Vietnamese for officers and "
        "mails (no rule ids, no figures); `reasons` keeps the rules' technical notes",
    )


class CaseTransferred(CaseEventBase):
    """An agency handed the case on; a `case.routed` for the next hop follows."""

    event_type: Literal["case.transferred"] = "case.transferred"
    from_agency: str
    to_agency: str
    reason: str
    by: str
    hop: int = Field(ge=1)
    from_agency_name: str | None = None
    to_agency_name: str | None = None
    transferred_on: date | None = None
    notice_due: date | None = Field(
        default=None, description="the copy of the forwarding notice must reach the submitter by"
    )
    reorganisation: bool = Field(
        default=False,
        description=(
            "moved because its agency ceased to exist (sắp xếp tổ chức bộ máy, `pakn cutover`):"
            " history and legal deadlines unchanged"
        ),
    )


class CaseTaken(CaseEventBase):
    """The agency confirmed the case is its own and started handling it."""

    event_type: Literal["case.taken"] = "case.taken"
    agency: str
    by: str


class InfoRequested(CaseEventBase):
    """The agency asks the submitter to complete the item; the clock stops."""

    event_type: Literal["case.info_requested"] = "case.info_requested"
    agency: str
    agency_name: str
    question: str
    by: str
    requested_on: date


class InfoReceived(CaseEventBase):
    """The submitter completed the item; the clock runs again with these deadlines."""

    event_type: Literal["case.info_received"] = "case.info_received"
    agency: str
    by: str
    received_on: date
    deadlines: Deadlines


class DeadlineExtended(CaseEventBase):
    """The one extension of the answer deadline, with its reason."""

    event_type: Literal["case.extended"] = "case.extended"
    agency: str
    reason: str
    by: str
    previous_due: date
    due_answer: date


class DeadlinesRecalculated(CaseEventBase):
    """The holiday table changed and this open case's deadlines moved."""

    event_type: Literal["case.deadlines_recalculated"] = "case.deadlines_recalculated"
    previous: Deadlines
    deadlines: Deadlines
    reason: str


class DeadlineReminder(CaseEventBase):
    """A deadline is near: the agency is reminded."""

    event_type: Literal["case.reminder"] = "case.reminder"
    agency: str
    agency_email: str | None = None
    stage: Stage
    due: date
    working_days_left: int


class CaseEscalated(CaseEventBase):
    """A deadline passed: the supervising office is told; the case shows as overdue."""

    event_type: Literal["case.escalated"] = "case.escalated"
    agency: str
    stage: Stage
    due: date
    escalated_to: str = "VPUB"
    escalated_to_email: str | None = None


class CaseAnswered(CaseEventBase):
    """The approved answer: published (redacted) and sent to the submitter."""

    event_type: Literal["case.answered"] = "case.answered"
    agency: str
    agency_name: str
    answer: str
    legal_basis: str = ""
    outcome: Outcome = "answered"
    answered_by: str
    answered_on: date
    due_answer: date
    on_time: bool


CaseEvent = Annotated[
    CaseAccepted
    | CaseRefused
    | CaseRouted
    | CaseTransferred
    | CaseTaken
    | InfoRequested
    | InfoReceived
    | DeadlineExtended
    | DeadlinesRecalculated
    | DeadlineReminder
    | CaseEscalated
    | CaseAnswered,
    Field(discriminator="event_type"),
]

CASE_EVENT_ADAPTER: TypeAdapter[CaseEvent] = TypeAdapter(CaseEvent)
SUBMISSION_ADAPTER: TypeAdapter[SubmissionReceived] = TypeAdapter(SubmissionReceived)


# --- Reference data (issue 11): what the notifier knows of the router's agencies and
# working days, published by the router on `Topics.reference_data` (key: `kind`, compacted:
# the latest of each kind stays). Each event carries the whole document; `version` is a
# fingerprint of its content, so a consumer keeps the newest and ignores repeats.


class AgencyVersion(BaseModel):
    """One agency as it is (or was) between two dates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    level: str
    name_vi: str
    email: str | None = None
    fields_vi: tuple[str, ...] = ()  # lĩnh vực, for citizens: the answers list's filter
    effective_from: date | None = None
    effective_to: date | None = None  # None: until further notice
    predecessors: tuple[str, ...] = ()  # codes whose work this version took over


class SuccessionShare(BaseModel):
    """The part of a former agency's work one successor took, and the words that say a
    text is about it: phrases of folded words (lower case, no diacritics, đ → d)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    to: str
    words: tuple[tuple[str, ...], ...] = ()


class AgencySuccession(BaseModel):
    """From `effective_from`, `former`'s work is `main`'s or, by the text, a share's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    former: str
    effective_from: date
    main: str | None = None  # None: no single successor (a district's communes)
    shares: tuple[SuccessionShare, ...] = ()


class DirectoryPublished(Event):
    """The router's agency directory: names, e-mails and fields of the agencies it routes
    to, every dated version of the province's structure, and who took over whose work."""

    event_type: Literal["reference.directory"] = "reference.directory"
    kind: Literal["directory"] = "directory"
    version: str = Field(min_length=1, max_length=64, description="fingerprint of the content")
    registry: tuple[AgencyVersion, ...] = Field(
        description="the agencies file: the name, e-mail and fields of each code"
    )
    versions: tuple[AgencyVersion, ...] = Field(
        description="every dated version of every agency, 2023 to today"
    )
    successions: tuple[AgencySuccession, ...] = ()
    department_names: tuple[tuple[str, ...], ...] = Field(
        default=(),
        description="departments' names, old and new, as folded words: cut out of a text "
        "before its words choose a split department's share",
    )


class CalendarYear(BaseModel):
    """One year's days off and Saturdays worked, as the router's calendar resolves them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int
    kind: Literal["official", "provisional", "rule"]
    source: str = ""
    days_off: tuple[date, ...] = ()
    working_saturdays: tuple[date, ...] = ()


class CalendarPublished(Event):
    """The working-day calendar the router computes deadlines with (the packaged file plus
    the years an administrator loaded). A day of a listed year is a working day when it is
    Monday to Friday and not a day off, or a Saturday worked; outside the listed years,
    Monday to Friday."""

    event_type: Literal["reference.calendar"] = "reference.calendar"
    kind: Literal["calendar"] = "calendar"
    version: str = Field(min_length=1, max_length=64, description="fingerprint of the content")
    calendar_version: str = Field(description="as `Deadlines.calendar_version`")
    years: tuple[CalendarYear, ...]


ReferenceEvent = Annotated[
    DirectoryPublished | CalendarPublished,
    Field(discriminator="event_type"),
]

REFERENCE_EVENT_ADAPTER: TypeAdapter[ReferenceEvent] = TypeAdapter(ReferenceEvent)
