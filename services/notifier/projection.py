"""Use cases: keep the public projection of each case and stage the e-mails its events call for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseAccepted, CaseAnswered, CaseEvent, CaseRefused, CaseRouted
from services.kit.columns import utc_now
from services.kit.consumer import PermanentError
from services.kit.text import fold
from services.notifier.domain.redact import KnownPersonalData, redact, redact_case
from services.notifier.mail import stage
from services.notifier.models import Contact, PublicCase, Redaction

GUIDANCE = {"TTR": "Thanh tra tỉnh Gia Lai hoặc Ban Tiếp công dân tỉnh"}


@dataclass(frozen=True)
class Links:
    public_base_url: str
    hotline: str

    def status_url(self, tracking_code: str) -> str:
        return f"{self.public_base_url}/tra-cuu/{tracking_code}"


async def project(session: AsyncSession, *, event: CaseEvent, links: Links) -> None:
    if isinstance(event, CaseAccepted | CaseRefused):
        await _on_registered(session, event=event, links=links)
    elif isinstance(event, CaseRouted):
        await _on_routed(session, event=event, links=links)
    elif isinstance(event, CaseAnswered):
        await _on_answered(session, event=event, links=links)


def _known(contact: Contact) -> KnownPersonalData:
    return KnownPersonalData(
        name=contact.name,
        organization=contact.organization if contact.submitter_type == "individual" else "",
        address=contact.address,
        phone=contact.phone,
        email=contact.email,
    )


async def _on_registered(
    session: AsyncSession, *, event: CaseAccepted | CaseRefused, links: Links
) -> None:
    facts = event.case
    if await session.get(PublicCase, facts.case_id) is not None:
        return
    who = facts.submitter
    contact = Contact(
        case_id=facts.case_id,
        submitter_type=who.submitter_type.value,
        name=who.name,
        organization=who.organization,
        address=who.address,
        phone=who.phone,
        email=who.email,
    )
    public = redact_case(facts.title, facts.content, known=_known(contact))
    refused = isinstance(event, CaseRefused)
    session.add(contact)
    session.add(
        PublicCase(
            case_id=facts.case_id,
            tracking_code=facts.tracking_code,
            channel=facts.channel.value,
            received_at=facts.received_at,
            status="refused" if refused else "received",
            refusal_reason=event.reason if isinstance(event, CaseRefused) else None,
            title=public.title,
            content=public.content,
            search_text=fold(f"{public.title} {public.content}"),
        )
    )
    for finding in public.findings:
        session.add(
            Redaction(
                case_id=facts.case_id,
                field=finding.field,
                kind=finding.kind,
                start=finding.start,
                end=finding.end,
            )
        )
    common = {
        "name": who.name,
        "tracking_code": facts.tracking_code,
        "hotline": links.hotline,
        "status_url": links.status_url(facts.tracking_code),
    }
    if isinstance(event, CaseRefused):
        await stage(
            session,
            event_id=event.event_id,
            case_id=facts.case_id,
            recipient=who.email,
            template="refusal",
            message=event.message_vi,
            guidance=GUIDANCE.get(event.guidance_agency or ""),
            **common,
        )
    else:
        received = facts.received_at.strftime("%H:%M %d/%m/%Y")
        await stage(
            session,
            event_id=event.event_id,
            case_id=facts.case_id,
            recipient=who.email,
            template="receipt",
            received_at=received,
            **common,
        )


async def _public(session: AsyncSession, case_id: str) -> PublicCase:
    public = await session.get(PublicCase, case_id)
    if public is None:
        raise PermanentError(f"case {case_id} was never registered with the notifier")
    return public


async def _on_routed(session: AsyncSession, *, event: CaseRouted, links: Links) -> None:
    public = await _public(session, event.case_id)
    public.status, public.agency, public.agency_name = "routed", event.agency, event.agency_name
    public.due_answer, public.updated_at = event.deadlines.answer, utc_now()
    session.add(public)
    await stage(
        session,
        event_id=event.event_id,
        case_id=event.case_id,
        recipient=event.agency_email or "",
        template="assignment",
        agency_name=event.agency_name,
        tracking_code=event.tracking_code,
        title=event.title,
        content=event.content,
        case_class=event.case_class,
        kind=event.kind,
        rule_id=event.rule_id,
        confidence=f"{event.confidence:.2f}",
        due_forward=event.deadlines.forward.strftime("%d/%m/%Y"),
        due_answer=event.deadlines.answer.strftime("%d/%m/%Y"),
    )


async def _on_answered(session: AsyncSession, *, event: CaseAnswered, links: Links) -> None:
    public = await _public(session, event.case_id)
    contact = await session.get(Contact, event.case_id)
    known = _known(contact) if contact else KnownPersonalData()
    answer, basis = redact(event.answer, known=known), redact(event.legal_basis, known=known)
    public.status, public.answer, public.legal_basis = "answered", answer.text, basis.text
    public.answered_on, public.on_time = event.answered_on, event.on_time
    public.agency, public.agency_name, public.updated_at = (
        event.agency,
        event.agency_name,
        utc_now(),
    )
    public.search_text = fold(f"{public.title} {public.content} {answer.text}")
    session.add(public)
    for finding in answer.findings:
        session.add(
            Redaction(
                case_id=event.case_id,
                field="answer",
                kind=finding.kind,
                start=finding.start,
                end=finding.end,
            )
        )
    if contact and contact.email:
        await stage(
            session,
            event_id=event.event_id,
            case_id=event.case_id,
            recipient=contact.email,
            template="answer",
            name=contact.name,
            tracking_code=event.tracking_code,
            agency_name=event.agency_name,
            answered_on=event.answered_on.strftime("%d/%m/%Y"),
            answer=event.answer,
            legal_basis=event.legal_basis,
            status_url=links.status_url(event.tracking_code),
        )
