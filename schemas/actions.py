"""Commands agencies send to the router (console, API, their own systems) on the actions topic.

The router checks that the officer's agency is in charge of the case, applies the command
and emits case events; a command that cannot apply is dead-lettered with the reason.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from schemas.base import Event

Officer = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2_000)]
Outcome = Literal["answered", "regulation_amended", "amendment_proposed"]


class AgencyCommand(Event):
    case_id: str = Field(min_length=1, max_length=32)
    agency: str = Field(min_length=1, max_length=16, description="the officer's agency")
    officer: Officer


class TakeCase(AgencyCommand):
    """The agency confirms the case is its own and starts handling it."""

    event_type: Literal["action.take"] = "action.take"


class SubmitAnswer(AgencyCommand):
    """The approved answer, to publish and send to the submitter."""

    event_type: Literal["action.answer"] = "action.answer"
    answer: str = Field(min_length=1, max_length=50_000)
    legal_basis: str = Field(default="", max_length=2_000)
    outcome: Outcome = "answered"
    approved_by: str | None = Field(default=None, max_length=200)


class RequestTransfer(AgencyCommand):
    """Not competent: hand the case on (to a named agency, or back to triage)."""

    event_type: Literal["action.transfer"] = "action.transfer"
    reason: Reason
    to_agency: str | None = Field(default=None, max_length=16)


class AssignFromTriage(AgencyCommand):
    """An office (VPUB) officer picks the agency for a case in the triage queue."""

    event_type: Literal["action.assign"] = "action.assign"
    to_agency: str = Field(min_length=1, max_length=16)
    reason: Reason


class RequestInfo(AgencyCommand):
    """Ask the submitter to complete the item; the deadline clock stops."""

    event_type: Literal["action.request_info"] = "action.request_info"
    question: Reason


class RecordInfoReceived(AgencyCommand):
    """The submitter completed the item; the clock runs again."""

    event_type: Literal["action.info_received"] = "action.info_received"
    note: str = Field(default="", max_length=20_000)


class ExtendDeadline(AgencyCommand):
    """The one extension of the answer deadline the rules allow, with its reason."""

    event_type: Literal["action.extend"] = "action.extend"
    reason: Reason


AgencyAction = Annotated[
    TakeCase
    | SubmitAnswer
    | RequestTransfer
    | AssignFromTriage
    | RequestInfo
    | RecordInfoReceived
    | ExtendDeadline,
    Field(discriminator="event_type"),
]
AGENCY_ACTION_ADAPTER: TypeAdapter[AgencyAction] = TypeAdapter(AgencyAction)
