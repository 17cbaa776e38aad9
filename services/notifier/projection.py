"""Use cases: keep the public projection of each case and stage the e-mails its events call for.

Every case event of `schemas/events.py` lands here. Registration, routing and the answer
live in this module; the steps in between (transfers, information requests, deadline
changes, reminders, escalations) in `lifecycle.py`.
"""

from __future__ import annotations

from typing import assert_never

from schemas.events import (
    CaseAccepted,
    CaseAnswered,
    CaseEscalated,
    CaseEvent,
    CaseRefused,
    CaseRouted,
    CaseTaken,
    CaseTransferred,
    DeadlineExtended,
    DeadlineReminder,
    DeadlinesRecalculated,
    InfoReceived,
    InfoRequested,
)
from schemas.vocabulary import CLASS_VI, KIND_VI, TRIAGE
from services.kit.columns import utc_now
from services.notifier import lifecycle
from services.notifier.labels import GUIDANCE_VI, local_day, vn_date, vn_datetime
from services.notifier.messages import Answer, Assignment, Forwarding, National, Receipt, Refusal
from services.notifier.models import Contact, PublicCase
from services.notifier.ports import UnitOfWork
from services.notifier.projection_shared import (
    Context,
    Links,
    known_of,
    log_findings,
    public_case,
    redact_field,
    refresh_search,
    stage,
)
from services.text.redaction import Finding, redact, redact_case

NATIONAL = "QG"  # the national PAKN system: a hand-off, not an assignment

__all__ = ["Context", "Links", "project"]


async def project(uow: UnitOfWork, *, event: CaseEvent, ctx: Context) -> None:
    match event:
        case CaseAccepted() | CaseRefused():
            await _on_registered(uow, event=event, ctx=ctx)
        case CaseRouted():
            await _on_routed(uow, event=event, ctx=ctx)
        case CaseAnswered():
            await _on_answered(uow, event=event, ctx=ctx)
        case CaseTransferred():
            await lifecycle.on_transferred(uow, event=event, ctx=ctx)
        case CaseTaken():
            await lifecycle.on_taken(uow, event=event)
        case InfoRequested():
            await lifecycle.on_info_requested(uow, event=event, ctx=ctx)
        case InfoReceived():
            await lifecycle.on_info_received(uow, event=event)
        case DeadlineExtended():
            await lifecycle.on_extended(uow, event=event, ctx=ctx)
        case DeadlinesRecalculated():
            await lifecycle.on_recalculated(uow, event=event)
        case DeadlineReminder():
            await lifecycle.on_reminder(uow, event=event, ctx=ctx)
        case CaseEscalated():
            await lifecycle.on_escalated(uow, event=event, ctx=ctx)
        case _ as unreachable:  # mypy fails here on a case event with no branch above
            assert_never(unreachable)


def _contact(event: CaseAccepted | CaseRefused) -> Contact:
    who = event.case.submitter
    return Contact(
        case_id=event.case.case_id,
        submitter_type=who.submitter_type.value,
        name=who.name,
        organization=who.organization,
        address=who.address,
        phone=who.phone,
        email=who.email,
        notify=event.case.notify_submitter,
    )


def _public_of(
    event: CaseAccepted | CaseRefused, contact: Contact
) -> tuple[PublicCase, list[Finding]]:
    facts, known = event.case, known_of(contact)
    text = redact_case(facts.title, facts.content, known=known)
    refused = event if isinstance(event, CaseRefused) else None
    public = PublicCase(
        case_id=facts.case_id,
        tracking_code=facts.tracking_code,
        channel=facts.channel.value,
        received_at=facts.received_at,
        status="refused" if refused else "received",
        refusal_reason=refused.reason if refused else None,
        refusal_message=redact(refused.message_vi, known=known).text if refused else None,
        guidance_agency=refused.guidance_agency if refused else None,
        title=text.title,
        content=text.content,
        regulation=redact(facts.regulation, known=known).text,
    )
    refresh_search(public)
    return public, text.findings


async def _on_registered(
    uow: UnitOfWork, *, event: CaseAccepted | CaseRefused, ctx: Context
) -> None:
    facts = event.case
    if await uow.cases.get(facts.case_id) is not None:
        return  # the same case under another event id (a replayed intake event)
    contact = _contact(event)
    public, findings = _public_of(event, contact)
    uow.contacts.add(contact)
    uow.cases.add(public)
    log_findings(uow.redactions, case_id=facts.case_id, findings=findings)
    code, hotline = facts.tracking_code, ctx.links.hotline
    status_url = ctx.links.status_url(code)
    message: Refusal | Receipt
    if isinstance(event, CaseRefused):
        message = Refusal(
            name="",  # no submitter text in mail to an unverified address (see lifecycle)
            tracking_code=code,
            hotline=hotline,
            status_url=status_url,
            message=event.message_vi,
            guidance=GUIDANCE_VI.get(event.guidance_agency or ""),
        )
    else:
        received = vn_datetime(facts.received_at)
        message = Receipt(
            tracking_code=code, received_at=received, hotline=hotline, status_url=status_url
        )
    if not contact.notify:
        return  # an imported backlog (`pakn import --no-notify`): the submitter is not mailed
    await stage(
        uow,
        event_id=event.event_id,
        case_id=facts.case_id,
        recipient=contact.email,
        message=message,
    )


async def _on_routed(uow: UnitOfWork, *, event: CaseRouted, ctx: Context) -> None:
    public = await public_case(uow, event.case_id)
    first_placement = event.agency != TRIAGE and public.agency in (None, TRIAGE)
    if public.status != "answered":
        public.status = "routed"
    if public.agency != event.agency:  # a new hop: what the previous agency did is history
        public.taken_on, public.extended_from, public.extension_reason = None, None, None
    public.agency, public.agency_name = event.agency, event.agency_name
    public.case_class, public.kind = event.case_class, event.kind
    deadlines = event.deadlines
    public.due_classify, public.due_forward = deadlines.classify, deadlines.forward
    public.due_answer, public.overdue = deadlines.answer, False  # new hop, deadlines anew
    if event.agency != TRIAGE and public.handled_on is None:
        public.handled_on = local_day(event.occurred_at)
    public.updated_at = utc_now()
    refresh_search(public)
    uow.cases.save(public)
    if event.agency == NATIONAL:
        await _national_mail(uow, event=event, public=public)
    elif event.agency != TRIAGE:  # the office works its triage queue in the console
        await _assignment_mail(uow, event=event)
    if first_placement:
        await _forwarding_mail(uow, event=event, ctx=ctx)


async def _assignment_mail(uow: UnitOfWork, *, event: CaseRouted) -> None:
    await stage(
        uow,
        event_id=event.event_id,
        case_id=event.case_id,
        recipient=event.agency_email,
        message=Assignment(
            agency_name=event.agency_name,
            tracking_code=event.tracking_code,
            title=event.title,
            content=event.content,
            case_class_vi=CLASS_VI.get(event.case_class, event.case_class),
            kind_vi=KIND_VI.get(event.kind, event.kind),
            reason=event.reason_vi,
            due_forward=vn_date(event.deadlines.forward),
            due_answer=vn_date(event.deadlines.answer),
        ),
    )


async def _national_mail(uow: UnitOfWork, *, event: CaseRouted, public: PublicCase) -> None:
    """The hand-off to the national PAKN system: it answers the submitter itself, so it gets
    their contact as given, the question, the regulation and the tracking code."""
    contact = await uow.contacts.get(event.case_id)
    who = contact or Contact(case_id=event.case_id)
    await stage(
        uow,
        event_id=event.event_id,
        case_id=event.case_id,
        recipient=event.agency_email,
        message=National(
            agency_name=event.agency_name,
            tracking_code=event.tracking_code,
            reason=event.reason_vi,
            submitter_name=who.name,
            submitter_organization=who.organization,
            submitter_address=who.address,
            submitter_phone=who.phone,
            submitter_email=who.email,
            title=event.title,
            regulation=public.regulation,
            received_on=vn_date(local_day(public.received_at)),
            content=event.content,
        ),
    )


async def _forwarding_mail(uow: UnitOfWork, *, event: CaseRouted, ctx: Context) -> None:
    await lifecycle.mail_submitter(
        uow,
        event=event,
        ctx=ctx,
        message=lambda greeting: Forwarding(
            **greeting,
            hotline=ctx.links.hotline,
            agency_name=event.agency_name,
            due_answer=vn_date(event.deadlines.answer),
        ),
    )


async def _on_answered(uow: UnitOfWork, *, event: CaseAnswered, ctx: Context) -> None:
    public = await public_case(uow, event.case_id)
    case_id = event.case_id
    public.answer = await redact_field(uow, case_id=case_id, field="answer", text=event.answer)
    public.legal_basis = await redact_field(
        uow, case_id=case_id, field="legal_basis", text=event.legal_basis
    )
    public.status, public.outcome = "answered", event.outcome
    public.answered_on, public.on_time, public.overdue = event.answered_on, event.on_time, False
    if not event.on_time and "answer" not in public.missed:
        public.missed = [*public.missed, "answer"]
    public.agency, public.agency_name, public.updated_at = (
        event.agency,
        event.agency_name,
        utc_now(),
    )
    refresh_search(public)
    uow.cases.save(public)
    await lifecycle.mail_submitter(
        uow,
        event=event,
        ctx=ctx,
        message=lambda greeting: Answer(
            **greeting,
            agency_name=event.agency_name,
            answered_on=vn_date(event.answered_on),
            answer=event.answer,
            legal_basis=event.legal_basis,
        ),
    )
