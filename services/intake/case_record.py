"""How a registered case is recorded and announced: the row, and its accepted/refused event."""

from __future__ import annotations

import math
import re
from typing import Any

from schemas.events import CaseAccepted, CaseFacts, CaseRefused, GeoPoint, Submitter
from schemas.submission import Submission
from services.intake.domain.admissibility import Decision, RefusalReason
from services.intake.models import IntakeCase
from services.kit.text import fold


def duplicate_decision(first: IntakeCase) -> Decision:
    return Decision(
        accepted=False,
        reason=RefusalReason.DUPLICATE,
        explanation=f"same letter as case {first.tracking_code}",
        message_vi=(
            f"Phản ánh, kiến nghị này trùng với hồ sơ đã tiếp nhận mã {first.tracking_code}; "
            "hai bản được xử lý chung trong hồ sơ đó."
        ),
    )


def new_case(item: Submission, decision: Decision, *, duplicate_of: str | None) -> IntakeCase:
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
        extra=storable(item.extra),
        status="accepted" if decision.accepted else "refused",
        reason=decision.reason.value if decision.reason else None,
        duplicate_of=duplicate_of,
    )


_UNPAIRED = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`extra` as every database stores it: unpaired surrogates become U+FFFD, NUL
    characters go (PostgreSQL refuses both), NaN and infinities become null."""
    if isinstance(value, str):
        return _UNPAIRED.sub("\ufffd", value).replace("\x00", "")
    if isinstance(value, dict):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def as_submission(case: IntakeCase) -> Submission:
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


# Set in `extra` by `pakn import --no-notify`: a backlog whose submitters are not mailed.
NO_NOTIFY = "pakn_no_notify"


def facts(case: IntakeCase) -> CaseFacts:
    submission = as_submission(case)
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
        location=location(case.extra),
        notify_submitter=(case.extra or {}).get(NO_NOTIFY) is not True,
    )


def location(extra: dict[str, Any]) -> GeoPoint | None:
    """The point an Open311 client sent (`lat`, `long` kept in `extra`), if it is one."""
    try:
        return GeoPoint(lat=float(extra["lat"]), long=float(extra["long"]))
    except (KeyError, TypeError, ValueError):
        return None


def event_of(
    case: IntakeCase, decision: Decision, *, correlation_id: str | None = None
) -> CaseAccepted | CaseRefused:
    """The outcome event; its correlation_id is the producer's when the item came with one
    (a `submission.received`), so the producer finds its tracking code, else the case id."""
    correlation = correlation_id or case.id
    if decision.accepted:
        return CaseAccepted(correlation_id=correlation, case=facts(case))
    reason = decision.reason or RefusalReason.EMPTY_CONTENT
    return CaseRefused(
        correlation_id=correlation,
        case=facts(case),
        reason=reason.value,
        message_vi=decision.message_vi,
        guidance_agency="TTR" if reason is RefusalReason.COMPLAINT_OR_DENUNCIATION else None,
        duplicate_of=case.duplicate_of,
    )
