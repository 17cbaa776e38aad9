"""What the HTTP channels share: a capped body read, file checks, pages and links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from schemas.submission import Submission
from schemas.timezone import VIETNAM
from services.intake.attachments import AttachmentRefused, CheckedFile, check_count, check_file
from services.intake.channels.formdata import Upload
from services.intake.channels.guard import TOO_MANY_FOR_RECIPIENT, Guard, minutes
from services.intake.domain.normalise import normalise_email
from services.intake.models import RawPayload
from services.intake.problems import Problem
from services.intake.receiving import Receiver
from services.intake.settings import IntakeSettings
from services.kit.pages import templates

LOCAL = VIETNAM  # receipts and forms show Vietnam's time
TEMPLATES = templates(Path(__file__).parent.parent / "templates")
OVERSIZE_KEPT_BYTES = 1024 * 1024  # of a body over the limit, the start is archived


@dataclass(frozen=True)
class Body:
    data: bytes
    too_large: bool
    size: int  # bytes read (a body over the limit is not read to its end)


async def read_capped(request: Request, *, limit: int) -> Body:
    """The body, read no further than `limit` bytes; of a larger one only the start."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > limit
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > limit or (too_large and len(data) >= OVERSIZE_KEPT_BYTES):
            size = max(len(data), int(declared) if declared.isdigit() else 0)
            return Body(bytes(data[:OVERSIZE_KEPT_BYTES]), too_large=True, size=size)
    if too_large:  # the client said more than it sent
        return Body(bytes(data), too_large=True, size=int(declared))
    return Body(bytes(data), too_large=False, size=len(data))


async def keep_invalid(
    site: Site,
    client: str,
    source: str,
    data: bytes,
    problems: Sequence[Problem] | str,
    *,
    raw: RawPayload | None = None,
) -> None:
    """Archive (or mark, if archived already) a body that cannot be registered: only its
    start, and nothing at all past the client's quota (then counted and dropped)."""
    receiver = site.receiver
    text = problems if isinstance(problems, str) else " ".join(map(str, problems))
    keep = site.guard.keep_invalid(client, len(data))
    if keep is None:
        if raw is not None:
            await receiver.discard(raw)
        return
    if keep < len(data):
        text = f"{text} [Chỉ lưu {keep} byte đầu trong {len(data)} byte.]"
    if raw is None:
        await receiver.archive(source, data[:keep], error=text)
    else:
        await receiver.fail(raw, text, keep_bytes=keep)


def recipient_refused(site: Site, submission: Submission) -> tuple[Problem, int] | None:
    """Why a public item may not be registered now for its e-mail address, or None: each
    one mails a receipt there, so one address gets only so many per window."""
    email = normalise_email(submission.email) if submission.email else None
    if not email:
        return None
    recipients = site.guard.recipients
    if recipients.allow(email):
        return None
    wait = recipients.retry_after_s(email)
    message = TOO_MANY_FOR_RECIPIENT.format(minutes=minutes(wait))
    return Problem(message, "email"), wait


def too_large_note(body: Body, *, limit: int) -> str:
    return (
        f"Dữ liệu gửi lên quá lớn (ít nhất {body.size} byte, giới hạn {limit} byte); "
        f"chỉ lưu {len(body.data)} byte đầu."
    )


def check_uploads(
    uploads: Sequence[Upload], *, settings: IntakeSettings
) -> tuple[list[CheckedFile], list[Problem]]:
    """Accepted files and, for the others, why not (tied to the `attachments` field)."""
    try:
        check_count(len(uploads), max_files=settings.attachment_max_files)
    except AttachmentRefused as error:
        return [], [Problem(str(error), "attachments")]
    files: list[CheckedFile] = []
    problems: list[Problem] = []
    for upload in uploads:
        try:
            files.append(
                check_file(upload.filename, upload.data, max_bytes=settings.attachment_max_bytes)
            )
        except AttachmentRefused as error:
            problems.append(Problem(str(error), "attachments"))
    return files, problems


@dataclass(frozen=True)
class Site:
    """The receiver, the settings and how pages and links are made."""

    receiver: Receiver
    settings: IntakeSettings
    guard: Guard = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "guard", Guard(self.settings))

    def page(
        self, request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
    ) -> Response:
        s = self.settings
        common = {
            "hotline": s.hotline_number,
            "province": s.province_name,
            "office_name": s.office_name,
            "address_examples": s.address_examples,
            "pakn_email": s.pakn_email,
            "postal_address": s.pakn_postal_address,
            "allowed_files": "PDF, JPEG, PNG, DOCX, ODT",
            "max_files": s.attachment_max_files,
            "max_file_mb": s.attachment_max_bytes // (1024 * 1024),
        }
        return TEMPLATES.TemplateResponse(
            request, name, {**common, **context}, status_code=status_code
        )

    def base_url(self, request: Request) -> str:
        """The configured public address (required: `web.build_app` refuses to start
        without it); never the request's Host header."""
        return self.settings.public_base_url.rstrip("/")

    def status_url(self, request: Request, code: str) -> str:
        return f"{self.base_url(request)}/tra-cuu/{code}"

    def receipt_url(self, request: Request, code: str) -> str:
        return f"{self.base_url(request)}/bien-nhan/{code}"


def local_time(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%H:%M ngày %d/%m/%Y")
