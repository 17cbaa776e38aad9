"""How an e-mail leaves: SMTP in production, `.eml` files in the embedded default.

A transport tells the mailer, through `point_of_no_return`, the moment after which the
server may hold the message even if the conversation then breaks (the DATA phase).
Before it, any failure leaves nothing sent; after it, only the server's reply tells.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Protocol

import aiosmtplib

from services.notifier.settings import NotifierSettings

Hook = Callable[[], Awaitable[None]]

# Bodies in base64/quoted-printable (no reliance on 8BITMIME). Headers are never folded:
# CPython 3.11's folder drops the space between two RFC 2047 encoded words when it folds
# there ("Sở Tài nguyên" arrives as "Sở Tàinguyên"); subjects are ≤ 300 characters, so
# one unfolded line stays far below SMTP's 998-octet limit.
BUILD_POLICY = SMTP_POLICY.clone(cte_type="7bit")
WIRE_POLICY = BUILD_POLICY.clone(max_line_length=998)


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (and into `.eml` files)."""
    return message.as_bytes(policy=WIRE_POLICY)


class MailError(Exception):
    """A delivery attempt did not end with the server's acceptance."""


class PermanentMailError(MailError):
    """The server refused for good (5xx, bad credentials): never retried."""


class TransientMailError(MailError):
    """Nothing was handed over (connection trouble, a timeout, a 4xx): retried with backoff."""


class UncertainMailError(MailError):
    """The conversation broke during DATA: the server may have the message. Not retried."""


class MailTransport(Protocol):
    async def send(self, message: EmailMessage, *, point_of_no_return: Hook) -> None:
        """Deliver `message`; await `point_of_no_return` just before the server may accept it.

        Raises PermanentMailError, TransientMailError or UncertainMailError; an exception
        from `point_of_no_return` aborts the delivery before anything is handed over.
        """


def _classify(error: aiosmtplib.SMTPResponseException) -> MailError:
    kind = PermanentMailError if error.code >= 500 else TransientMailError
    return kind(f"{error.code} {error.message}")


@dataclass(frozen=True)
class SmtpTransport:
    settings: NotifierSettings

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            start_tls=s.smtp_starttls,
            username=s.smtp_username,
            password=s.smtp_password,
            timeout=s.smtp_timeout_s,
            validate_certs=s.smtp_validate_certs,
            cert_bundle=str(s.smtp_ca_file) if s.smtp_ca_file else None,
        )

    async def send(self, message: EmailMessage, *, point_of_no_return: Hook) -> None:
        client = self._client()
        try:
            await self._envelope(client, message)
            await point_of_no_return()
            await self._data(client, message)
        except BaseException:  # a refusal, a failure or a cancellation: just hang up
            client.close()
            raise
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()  # the message was accepted; QUIT is a courtesy

    async def _envelope(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        """Connect, STARTTLS, log in, MAIL FROM, RCPT TO: any failure here sent nothing."""
        try:
            await client.connect()
            await client.mail(self._sender(message))
            await client.rcpt(str(message["To"]))
        except aiosmtplib.SMTPAuthenticationError as error:
            raise PermanentMailError(f"{error.code} {error.message}") from error
        except aiosmtplib.SMTPResponseException as error:
            raise _classify(error) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TransientMailError(f"{type(error).__name__}: {error}") from error
        except (UnicodeError, ValueError) as error:  # an address SMTP cannot carry
            raise PermanentMailError(f"{type(error).__name__}: {error}") from error

    async def _data(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        try:
            await client.data(wire_bytes(message))
        except aiosmtplib.SMTPResponseException as error:
            raise _classify(error) from error  # a reply: the server said no, nothing kept
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise UncertainMailError(f"{type(error).__name__}: {error}") from error

    def _sender(self, message: EmailMessage) -> str:
        address = message["From"].addresses[0] if message["From"] else None
        return address.addr_spec if address else self.settings.mail_from


@dataclass(frozen=True)
class FileTransport:
    """The embedded default: each e-mail becomes an `.eml` file named by its Message-ID,
    so writing the same delivery again replaces the file instead of doubling it."""

    folder: Path

    async def send(self, message: EmailMessage, *, point_of_no_return: Hook) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        await point_of_no_return()
        try:
            (self.folder / f"{name}.eml").write_bytes(wire_bytes(message))
        except OSError as error:
            raise TransientMailError(f"{type(error).__name__}: {error}") from error
