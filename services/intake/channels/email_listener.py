"""The PAKN mailbox: an SMTP listener (aiosmtpd) inside the intake service's event loop.

Only mail to the published address is taken. The message's bytes are archived before
they are read; a message that cannot be read stays archived with its error, and the
sending server is told "250" all the same (the office has it). If the database is away
the answer is "451", so the sending server keeps the message and tries again later.
The receipt e-mail is the notifier's, as for every channel: the item carries the
sender's address as its e-mail.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError

from schemas.submission import Submission
from services.intake.channels.http import check_uploads
from services.intake.channels.mailparse import message_ref, read_mail
from services.intake.problems import explain
from services.intake.receiving import Receiver
from services.intake.settings import IntakeSettings

log = logging.getLogger(__name__)
SOURCE = "smtp"
TEXT_MARGIN = 1024 * 1024  # room for the text and MIME overhead beside the attachments


class Mailbox:
    """aiosmtpd handler for the published PAKN address."""

    def __init__(self, *, receiver: Receiver, settings: IntakeSettings) -> None:
        self.receiver, self.settings = receiver, settings
        self.address = settings.pakn_email.strip().lower()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.strip().lower() != self.address:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        if not isinstance(content, bytes):
            content = str(content or "").encode("utf-8", errors="surrogateescape")
        try:
            await self.receive(content, envelope_from=envelope.mail_from or "")
        except (OperationalError, DBAPIError, OSError, TimeoutError) as error:
            log.warning("mailbox: cannot store a message now: %s", error)
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 OK"

    async def receive(self, content: bytes, *, envelope_from: str = "") -> None:
        archived = await self.receiver.archive(SOURCE, content, ref=message_ref(content))
        raw = archived.raw
        if not archived.new and raw.status != "received":
            return  # a re-delivered message: registered (or kept as failed) already
        try:
            item = read_mail(content, received_at=datetime.now(UTC), envelope_from=envelope_from)
        except Exception as error:  # any malformed MIME: keep it, with why, for the office
            await self.receiver.fail(raw, f"Không đọc được thư: {type(error).__name__}: {error}")
            return
        files, problems = check_uploads(item.uploads, settings=self.settings)
        if problems:
            item.fields["extra"]["attachments_refused"] = [p.message for p in problems]
            item.fields["attachments"] = [f.filename for f in files]
        try:
            submission = Submission.model_validate(item.fields)
        except ValidationError as error:
            await self.receiver.fail(raw, explain(error))
            return
        await self.receiver.register(raw, submission, files)


def smtp_server(mailbox: Mailbox) -> SMTP:
    s = mailbox.settings
    return SMTP(
        mailbox,
        hostname=s.pakn_email.partition("@")[2] or None,
        data_size_limit=s.attachment_max_files * s.attachment_max_bytes * 4 // 3 + TEXT_MARGIN,
        enable_SMTPUTF8=True,
        decode_data=False,
    )


async def serve_mailbox(mailbox: Mailbox, *, host: str, port: int) -> None:
    """Listen until cancelled (one of the service's background loops)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: smtp_server(mailbox), host=host, port=port)
    log.info("PAKN mailbox %s listening on %s:%d", mailbox.address, host, port)
    async with server:
        await server.serve_forever()
