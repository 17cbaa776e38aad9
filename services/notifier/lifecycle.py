"""The steps of a case between routing and answer: transfers, information requests,
deadline changes, reminders and escalations (their public trace and their e-mails)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from schemas.events import (
    CaseEscalated,
    CaseEventBase,
    CaseTaken,
    CaseTransferred,
    DeadlineExtended,
    DeadlineReminder,
    Deadlines,
    DeadlinesRecalculated,
    InfoReceived,
    InfoRequested,
)
from schemas.vocabulary import STAGE_VI
from services.kit.columns import utc_now
from services.notifier.digest import DigestLine, add_to_digest
from services.notifier.labels import local_day, vn_date
from services.notifier.messages import (
    Extension,
    Greeting,
    InfoRequest,
    ToSubmitter,
    Transfer,
)
from services.notifier.models import PublicCase, PublicTransfer
from services.notifier.ports import UnitOfWork
from services.notifier.projection_shared import (
    Context,
    public_case,
    redact_field,
    stage,
    submitter,
)


async def mail_submitter(
    uow: UnitOfWork,
    *,
    event: CaseEventBase,
    ctx: Context,
    message: Callable[[Greeting], ToSubmitter],
) -> None:
    """Stage `message` (given the greeting) for the case's submitter, if they gave an e-mail
    address."""
    contact = await submitter(uow, event.case_id)
    if contact is None or not contact.notify:
        return  # none known, or an imported backlog (`pakn import --no-notify`)
    greeting = Greeting(
        # No text the submitter typed goes into an official mail to an address nobody has
        # verified (issue 10: the name was a megaphone): "Kính gửi Quý ông/bà".
        name="",
        tracking_code=event.tracking_code,
        status_url=ctx.links.status_url(event.tracking_code),
    )
    await stage(
        uow,
        event_id=event.event_id,
        case_id=event.case_id,
        recipient=contact.email,
        message=message(greeting),
    )


def _agency_name(public: PublicCase, code: str, ctx: Context) -> str:
    """The name the case's own events gave the agency, else the agencies file's."""
    if public.agency == code and public.agency_name:
        return public.agency_name
    return ctx.directory.name(code)


def _set_deadlines(public: PublicCase, deadlines: Deadlines) -> None:
    public.due_classify, public.due_forward = deadlines.classify, deadlines.forward
    public.due_answer, public.updated_at = deadlines.answer, utc_now()


async def on_transferred(uow: UnitOfWork, *, event: CaseTransferred, ctx: Context) -> None:
    public = await public_case(uow, event.case_id)
    reason = await redact_field(uow, case_id=event.case_id, field="transfer", text=event.reason)
    from_name = event.from_agency_name or _agency_name(public, event.from_agency, ctx)
    transfer = PublicTransfer(
        case_id=event.case_id,
        hop=event.hop,
        from_agency=event.from_agency,
        from_agency_name=from_name,
        to_agency=event.to_agency,
        to_agency_name=event.to_agency_name or ctx.directory.name(event.to_agency),
        reason=reason,
        transferred_on=event.transferred_on or local_day(event.occurred_at),
    )
    uow.transfers.add(transfer)
    public.updated_at = utc_now()
    uow.cases.save(public)
    await mail_submitter(
        uow,
        event=event,
        ctx=ctx,
        message=lambda greeting: Transfer(
            **greeting,
            hotline=ctx.links.hotline,
            from_agency_name=from_name,
            to_agency_name=transfer.to_agency_name,
            reason=event.reason,
            reorganisation=event.reorganisation,
        ),
    )


async def on_taken(uow: UnitOfWork, *, event: CaseTaken) -> None:
    public = await public_case(uow, event.case_id)
    public.taken_on, public.updated_at = local_day(event.occurred_at), utc_now()
    uow.cases.save(public)


async def on_info_requested(uow: UnitOfWork, *, event: InfoRequested, ctx: Context) -> None:
    public = await public_case(uow, event.case_id)
    if public.status != "answered":
        public.status = "waiting_info"
    public.info_requested_on, public.updated_at = event.requested_on, utc_now()
    uow.cases.save(public)
    await mail_submitter(
        uow,
        event=event,
        ctx=ctx,
        message=lambda greeting: InfoRequest(
            **greeting,
            hotline=ctx.links.hotline,
            agency_name=event.agency_name,
            question=event.question,
            requested_on=vn_date(event.requested_on),
        ),
    )


async def on_info_received(uow: UnitOfWork, *, event: InfoReceived) -> None:
    public = await public_case(uow, event.case_id)
    if public.status == "waiting_info":
        public.status = "routed"
    public.info_requested_on = None
    _set_deadlines(public, event.deadlines)
    uow.cases.save(public)


async def on_extended(uow: UnitOfWork, *, event: DeadlineExtended, ctx: Context) -> None:
    public = await public_case(uow, event.case_id)
    public.extension_reason = await redact_field(
        uow, case_id=event.case_id, field="extension", text=event.reason
    )
    public.extended_from, public.due_answer = event.previous_due, event.due_answer
    public.updated_at = utc_now()
    uow.cases.save(public)
    agency_name = _agency_name(public, event.agency, ctx)
    await mail_submitter(
        uow,
        event=event,
        ctx=ctx,
        message=lambda greeting: Extension(
            **greeting,
            hotline=ctx.links.hotline,
            agency_name=agency_name,
            previous_due=vn_date(event.previous_due),
            due_answer=vn_date(event.due_answer),
            reason=event.reason,
        ),
    )


async def on_recalculated(uow: UnitOfWork, *, event: DeadlinesRecalculated) -> None:
    public = await public_case(uow, event.case_id)
    _set_deadlines(public, event.deadlines)
    uow.cases.save(public)


def _line(public: PublicCase, agency_name: str, stage: str, due: date, url: str) -> str:
    title = f" «{public.title[:120]}»" if public.title else ""
    return f"{public.tracking_code}{title} — {agency_name} — hạn {stage} {vn_date(due)} — {url}"


async def on_reminder(uow: UnitOfWork, *, event: DeadlineReminder, ctx: Context) -> None:
    """A line in the agency's reminder digest of the day (services/notifier/digest.py)."""
    public = await public_case(uow, event.case_id)
    agency_name = _agency_name(public, event.agency, ctx)
    url = ctx.links.status_url(event.tracking_code)
    stage = STAGE_VI[event.stage]
    text = _line(public, agency_name, stage, event.due, url)
    left = f" (còn {event.working_days_left} ngày làm việc)"
    await add_to_digest(
        uow,
        kind="reminder",
        recipient=event.agency_email or ctx.directory.email(event.agency),
        recipient_name=agency_name,
        line=DigestLine(event.event_id, event.case_id, text + left),
        at=event.occurred_at,
        send_at=ctx.digest_at,
    )


async def on_escalated(uow: UnitOfWork, *, event: CaseEscalated, ctx: Context) -> None:
    """The case is marked overdue; a line in the office's overdue digest of the day."""
    public = await public_case(uow, event.case_id)
    if public.status != "answered":
        public.overdue = True
    if event.stage not in public.missed:
        public.missed = [*public.missed, event.stage]
    public.updated_at = utc_now()
    uow.cases.save(public)
    agency_name = _agency_name(public, event.agency, ctx)
    url = ctx.links.status_url(event.tracking_code)
    text = _line(public, agency_name, STAGE_VI[event.stage], event.due, url)
    await add_to_digest(
        uow,
        kind="overdue",
        recipient=event.escalated_to_email or ctx.directory.email(event.escalated_to),
        recipient_name=ctx.directory.name(event.escalated_to),
        line=DigestLine(event.event_id, event.case_id, text),
        at=event.occurred_at,
        send_at=ctx.digest_at,
    )
