"""One typed message per e-mail template: its fields are exactly the template's variables.

`stage` takes one of these instead of loose keyword arguments, and `mail.check_templates`
renders every type with sample values when the notifier starts and compares each
template's variables (text, HTML and subject) with the fields declared here: a template
that names an unknown variable, or forgets a field, stops the start instead of
dead-lettering a case event.

The province and the office (`province`, `office_name`, `office_address`) are the
templates' globals, set from the settings (`mail.use_office`); a message declares one of
them only to override it (the escalation names the office it is sent to).

Every value is already text as the reader sees it (dates `dd/mm/yyyy`, labels in
Vietnamese); an empty string means "not given" where the template tests it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, TypedDict


@dataclass(frozen=True, kw_only=True)
class Mail:
    """A message for one template; subclasses set `template` and declare its variables."""

    template: ClassVar[str]

    def values(self) -> dict[str, object]:
        """The template's variables, by name."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


class Greeting(TypedDict):
    """What every e-mail to a submitter starts from: who, which case, where to follow it."""

    name: str
    tracking_code: str
    status_url: str


@dataclass(frozen=True, kw_only=True)
class ToSubmitter(Mail):
    """A message to the submitter, greeted by name (or "Quý ông/bà" when none was given)."""

    name: str
    tracking_code: str
    status_url: str


@dataclass(frozen=True, kw_only=True)
class Receipt(Mail):
    """The receipt. Sent to an address nobody has verified: nothing the submitter typed."""

    template: ClassVar[str] = "receipt"
    tracking_code: str
    received_at: str
    hotline: str
    status_url: str


@dataclass(frozen=True, kw_only=True)
class Refusal(ToSubmitter):
    template: ClassVar[str] = "refusal"
    hotline: str
    message: str
    guidance: str | None  # where to go instead, if somewhere


@dataclass(frozen=True, kw_only=True)
class Forwarding(ToSubmitter):
    template: ClassVar[str] = "forwarding"
    hotline: str
    agency_name: str
    due_answer: str


@dataclass(frozen=True, kw_only=True)
class Transfer(ToSubmitter):
    template: ClassVar[str] = "transfer"
    hotline: str
    from_agency_name: str
    to_agency_name: str
    reason: str
    reorganisation: bool  # a move to the successor agency: the deadline stays


@dataclass(frozen=True, kw_only=True)
class InfoRequest(ToSubmitter):
    template: ClassVar[str] = "info_request"
    hotline: str
    agency_name: str
    question: str
    requested_on: str


@dataclass(frozen=True, kw_only=True)
class Extension(ToSubmitter):
    template: ClassVar[str] = "extension"
    hotline: str
    agency_name: str
    previous_due: str
    due_answer: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Answer(ToSubmitter):
    template: ClassVar[str] = "answer"
    agency_name: str
    answered_on: str
    answer: str
    legal_basis: str


@dataclass(frozen=True, kw_only=True)
class Assignment(Mail):
    """To the agency the case is routed to (never to the office for its own triage queue).
    `reason` is the plain sentence of `CaseRouted.reason_vi`: no rule id, no figure."""

    template: ClassVar[str] = "assignment"
    agency_name: str
    tracking_code: str
    title: str
    content: str
    case_class_vi: str
    kind_vi: str
    reason: str
    due_forward: str
    due_answer: str


@dataclass(frozen=True, kw_only=True)
class National(Mail):
    """The hand-off to the national PAKN system (`QG`) for the competent ministry: what it
    needs to answer the submitter itself, their contact as given included (a mail to an
    authority, never a public page)."""

    template: ClassVar[str] = "national"
    agency_name: str
    tracking_code: str
    reason: str
    submitter_name: str
    submitter_organization: str
    submitter_address: str
    submitter_phone: str
    submitter_email: str
    title: str
    regulation: str
    received_on: str
    content: str


@dataclass(frozen=True, kw_only=True)
class Digest(Mail):
    """One mail a day per recipient: the reminders (to an agency) or the overdue cases (to
    the office they escalate to) of that day, one line per case and stage."""

    template: ClassVar[str] = "digest"
    recipient_name: str
    heading: str
    overdue: bool  # escalations (overdue) rather than reminders (due soon)
    count: int
    day: str
    lines: str  # one line per case and stage, the first `LISTED` of them (digest.py)
    more: int  # the lines not listed: the agency's queue in the console has them all


MESSAGES: tuple[type[Mail], ...] = (
    Receipt,
    Refusal,
    Forwarding,
    Transfer,
    Assignment,
    National,
    Digest,
    InfoRequest,
    Extension,
    Answer,
)
