"""What every projection step shares: the context, finding a case, redacting before storing,
staging a mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from services.kit.consumer import PermanentError
from services.kit.text import fold
from services.notifier.directory import Directory
from services.notifier.mail import render
from services.notifier.messages import Mail
from services.notifier.models import Contact, Delivery, PublicCase, Redaction
from services.notifier.ports import Redactions, UnitOfWork
from services.text.redaction import Finding, KnownPersonalData, redact


@dataclass(frozen=True)
class Links:
    public_base_url: str
    hotline: str

    def status_url(self, tracking_code: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/tra-cuu/{tracking_code}"


@dataclass(frozen=True)
class Context:
    links: Links
    directory: Directory
    digest_at: time  # when the day's digest leaves, Vietnam time (settings.digest_at)


async def public_case(uow: UnitOfWork, case_id: str) -> PublicCase:
    public = await uow.cases.get(case_id)
    if public is None:
        raise PermanentError(f"case {case_id} was never registered with the notifier")
    return public


def known_of(contact: Contact | None) -> KnownPersonalData:
    if contact is None:
        return KnownPersonalData()
    return KnownPersonalData.for_submitter(
        submitter_type=contact.submitter_type,
        name=contact.name,
        organization=contact.organization,
        address=contact.address,
        phone=contact.phone,
        email=contact.email,
    )


def log_findings(
    log: Redactions, *, case_id: str, findings: list[Finding], field: str | None = None
) -> None:
    """The redaction log: kind and place of each removed datum, never the value."""
    for finding in findings:
        log.add(
            Redaction(
                case_id=case_id,
                field=field or finding.field,
                kind=finding.kind.value,
                start=finding.start,
                end=finding.end,
            )
        )


async def redact_field(uow: UnitOfWork, *, case_id: str, field: str, text: str) -> str:
    """The public copy of one officer- or submitter-written text of the case, logged."""
    if not text:
        return ""
    known = known_of(await uow.contacts.get(case_id))
    result = redact(text, known=known)
    log_findings(uow.redactions, case_id=case_id, findings=result.findings, field=field)
    return result.text


def refresh_search(public: PublicCase) -> None:
    """What the search matches, folded: people type without diacritics."""
    parts = [public.tracking_code, public.title, public.content, public.regulation]
    parts += [public.agency_name or "", public.answer or ""]
    public.search_text = fold(" ".join(parts))


async def submitter(uow: UnitOfWork, case_id: str) -> Contact | None:
    return await uow.contacts.get(case_id)


async def stage(
    uow: UnitOfWork, *, event_id: str, case_id: str, recipient: str | None, message: Mail
) -> bool:
    """Stage one e-mail in the unit of work; the same (event, recipient) only once."""
    recipient = (recipient or "").strip()
    if not recipient or await uow.deliveries.staged(event_id, recipient):
        return False
    mail = render(message)
    uow.deliveries.add(
        Delivery(
            event_id=event_id,
            case_id=case_id,
            recipient=recipient,
            template=message.template,
            subject=mail.subject,
            body_text=mail.text,
            body_html=mail.html,
        )
    )
    return True
