"""The mailer: sends staged deliveries, retries what may pass, records what never will."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib
from sqlmodel import col, select

from services.kit.columns import utc_now
from services.kit.db import Database
from services.kit.loop import Poller
from services.notifier.models import Delivery
from services.notifier.settings import NotifierSettings

log = logging.getLogger(__name__)


class PermanentMailError(Exception):
    """The server refused for good (5xx, bad credentials): never retried."""


class TransientMailError(Exception):
    """Connection trouble, a timeout or a 4xx: retried with backoff."""


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpTransport:
    settings: NotifierSettings

    async def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                start_tls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password,
                timeout=s.smtp_timeout_s,
            )
        except aiosmtplib.SMTPAuthenticationError as error:
            raise PermanentMailError(str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            kind = PermanentMailError if error.code >= 500 else TransientMailError
            raise kind(f"{error.code} {error.message}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TransientMailError(f"{type(error).__name__}: {error}") from error


@dataclass(frozen=True)
class FileTransport:
    """The embedded default: each e-mail becomes an `.eml` file in a folder."""

    folder: Path

    async def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


def build_message(delivery: Delivery, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = delivery.recipient
    message["Subject"] = delivery.subject
    # A stable Message-ID per (event, recipient) lets receiving systems drop a resend.
    message["Message-ID"] = make_msgid(
        idstring=f"{delivery.event_id}.{delivery.id}", domain="pakn.gialai.gov.vn"
    )
    message["X-PAKN-Case"] = delivery.case_id
    message.set_content(delivery.body_text)
    return message


class Mailer:
    def __init__(self, *, db: Database, transport: MailTransport, settings: NotifierSettings):
        self._db, self._transport, self._settings = db, transport, settings
        self._poller = Poller(self.run_once, idle_s=settings.mail_poll_s, name="mailer")

    def wake(self) -> None:
        self._poller.wake()

    async def run_once(self, *, batch: int = 50) -> int:
        async with self._db.session() as session:
            due = select(Delivery).where(
                Delivery.status == "pending", col(Delivery.next_attempt_at) <= utc_now()
            )
            rows = (await session.exec(due.order_by(col(Delivery.id)).limit(batch))).all()
        for row in rows:
            await self._deliver(row)
        return len(rows)

    async def _deliver(self, delivery: Delivery) -> None:
        message = build_message(delivery, sender=self._settings.mail_from)
        try:
            await self._transport.send(message)
            delivery.status, delivery.sent_at, delivery.last_error = "sent", utc_now(), None
        except PermanentMailError as error:
            delivery.status, delivery.last_error = "failed", str(error)
        except TransientMailError as error:
            self._schedule_retry(delivery, str(error))
        delivery.attempts += 1
        async with self._db.transaction() as session:
            session.add(delivery)

    def _schedule_retry(self, delivery: Delivery, error: str) -> None:
        delivery.last_error = error
        if delivery.attempts + 1 >= self._settings.mail_max_attempts:
            delivery.status = "failed"
            return
        delay = self._settings.mail_backoff_s * 2**delivery.attempts
        delivery.next_attempt_at = utc_now() + timedelta(seconds=min(delay, 3600))

    async def run(self) -> None:
        await self._poller.run()
