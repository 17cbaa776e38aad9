"""Use case: register one submission — normalise, de-duplicate, decide, give it a code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseAccepted, CaseFacts, CaseRefused, Submitter
from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.domain.admissibility import Decision, RefusalReason, assess
from services.intake.domain.duplicates import channel_key, fingerprint, is_same_letter
from services.intake.domain.normalise import normalise_submission
from services.intake.domain.tracking import new_tracking_code
from services.intake.models import IntakeCase
from services.kit.outbox import add_event
from services.kit.text import fold

SERVICE = "intake"
SAME_LETTER_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Registration:
    case: IntakeCase
    created: bool  # False when the same channel message was registered before


async def register_submission(
    session: AsyncSession, *, submission: Submission, topics: Topics
) -> Registration:
    """Register `submission` in the caller's transaction and stage its accepted/refused event."""
    item = normalise_submission(submission)
    if channel_key(item) is not None and (known := await _by_channel_ref(session, item)):
        return Registration(case=known, created=False)
    first = await _same_letter(session, item)
    decision = _duplicate_of(first) if first else assess(item)
    case = _new_case(item, decision, duplicate_of=first.id if first else None)
    case.tracking_code = await _unique_code(session)
    session.add(case)
    await session.flush()
    add_event(
        session,
        service=SERVICE,
        topic=topics.case_events,
        key=case.id,
        event=_event(case, decision),
    )
    return Registration(case=case, created=True)


async def _by_channel_ref(session: AsyncSession, item: Submission) -> IntakeCase | None:
    query = select(IntakeCase).where(
        IntakeCase.channel == item.channel.value, IntakeCase.channel_ref == item.channel_ref
    )
    return (await session.exec(query)).first()


async def _same_letter(session: AsyncSession, item: Submission) -> IntakeCase | None:
    """The first registered case that is this very letter arriving by another channel."""
    wanted = fingerprint(item)
    near = or_(
        col(IntakeCase.phone) == item.phone if item.phone else False,
        col(IntakeCase.email) == item.email if item.email else False,
        col(IntakeCase.name_folded) == fold(item.name) if item.name else False,
    )
    query = (
        select(IntakeCase)
        .where(near)
        .where(IntakeCase.duplicate_of == None)  # noqa: E711 - SQL IS NULL
        .where(IntakeCase.received_at >= item.received_at - SAME_LETTER_WINDOW)
        .order_by(col(IntakeCase.received_at))
        .limit(50)
    )
    for candidate in (await session.exec(query)).all():
        if candidate.channel != item.channel.value and is_same_letter(
            wanted, fingerprint(_as_submission(candidate))
        ):
            return candidate
    return None


def _duplicate_of(first: IntakeCase) -> Decision:
    return Decision(
        accepted=False,
        reason=RefusalReason.DUPLICATE,
        explanation=f"same letter as case {first.tracking_code}",
        message_vi=(
            f"Phản ánh, kiến nghị này trùng với hồ sơ đã tiếp nhận mã {first.tracking_code}; "
            "hai bản được xử lý chung trong hồ sơ đó."
        ),
    )


def _new_case(item: Submission, decision: Decision, *, duplicate_of: str | None) -> IntakeCase:
    return IntakeCase(
        tracking_code="",
        channel=item.channel.value,
        channel_ref=item.channel_ref,
        received_at=item.received_at,
        submitter_type=item.submitter_type.value,
        name=item.name,
        name_folded=fold(item.name),
        organization=item.organization,
        address=item.address,
        phone=item.phone,
        email=item.email,
        title=item.title,
        content=item.content,
        regulation=item.regulation,
        attachments=list(item.attachments),
        extra=dict(item.extra),
        status="accepted" if decision.accepted else "refused",
        reason=decision.reason.value if decision.reason else None,
        duplicate_of=duplicate_of,
    )


async def _unique_code(session: AsyncSession) -> str:
    for _ in range(20):
        code = new_tracking_code()
        taken = await session.exec(select(IntakeCase.id).where(IntakeCase.tracking_code == code))
        if taken.first() is None:
            return code
    raise IntegrityError("tracking code space exhausted", params=None, orig=ValueError())


def _as_submission(case: IntakeCase) -> Submission:
    return Submission.model_validate(
        {
            "channel": case.channel,
            "channel_ref": case.channel_ref,
            "received_at": case.received_at,
            "submitter_type": case.submitter_type,
            "name": case.name,
            "organization": case.organization,
            "address": case.address,
            "phone": case.phone,
            "email": case.email,
            "title": case.title,
            "content": case.content,
            "regulation": case.regulation,
            "attachments": case.attachments,
        }
    )


def facts(case: IntakeCase) -> CaseFacts:
    submission = _as_submission(case)
    return CaseFacts(
        case_id=case.id,
        tracking_code=case.tracking_code,
        channel=submission.channel,
        received_at=submission.received_at,
        submitter=Submitter(
            submitter_type=submission.submitter_type,
            name=case.name,
            organization=case.organization,
            address=case.address,
            phone=case.phone,
            email=case.email,
        ),
        title=case.title,
        content=case.content,
        regulation=case.regulation,
        attachments=list(case.attachments),
    )


def _event(case: IntakeCase, decision: Decision) -> CaseAccepted | CaseRefused:
    if decision.accepted:
        return CaseAccepted(correlation_id=case.id, case=facts(case))
    reason = decision.reason or RefusalReason.EMPTY_CONTENT
    return CaseRefused(
        correlation_id=case.id,
        case=facts(case),
        reason=reason.value,
        message_vi=decision.message_vi,
        guidance_agency="TTR" if reason is RefusalReason.COMPLAINT_OR_DENUNCIATION else None,
        duplicate_of=case.duplicate_of,
    )
