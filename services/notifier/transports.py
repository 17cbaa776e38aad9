"""How an e-mail leaves: SMTP in production, `.eml` files in the embedded default.

A transport tells the mailer, through `point_of_no_return`, the moment after which the
server may hold the message even if the conversation then breaks (the DATA phase).
Before it, any failure leaves nothing sent; after it, only the server's reply tells.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, Protocol

import aiosmtplib

from services.notifier.outgoing import Outgoing
from services.notifier.settings import NotifierSettings

Hook = Callable[[], Awaitable[None]]


class MailError(Exception):
    """A delivery attempt did not end with the server's acceptance."""


class PermanentMailError(MailError):
    """The server refused for good (5xx, bad credentials): never retried."""


class TransientMailError(MailError):
    """Nothing was handed over (connection trouble, a timeout, a 4xx): retried with backoff."""


class UncertainMailError(MailError):
    """The conversation broke during DATA: the server may have the message. Not retried."""


class MailTransport(Protocol):
    async def send(self, message: Outgoing, *, point_of_no_return: Hook) -> None:
        """Deliver `message`; await `point_of_no_return` just before the server may accept it.

        Raises PermanentMailError, TransientMailError or UncertainMailError; an exception
        from `point_of_no_return` aborts the delivery before anything is handed over.
        """


def _classify(error: aiosmtplib.SMTPResponseException) -> MailError:
    kind = PermanentMailError if error.code >= 500 else TransientMailError
    return kind(f"{error.code} {error.message}")


def _translate(error: BaseException) -> BaseException:
    """What a failure before DATA means: nothing was handed over in any case."""
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return PermanentMailError(f"{error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _classify(error)
    if isinstance(error, (aiosmtplib.SMTPException, OSError, TimeoutError)):
        return TransientMailError(f"{type(error).__name__}: {error}")
    if isinstance(error, (UnicodeError, ValueError)):  # an address SMTP cannot carry
        return PermanentMailError(f"{type(error).__name__}: {error}")
    return error  # a cancellation, or a bug: as it is


def _reraise(error: BaseException) -> NoReturn:
    translated = _translate(error)
    if translated is error:
        raise error
    raise translated from error


def _refused(error: BaseException) -> bool:
    """A reply refusing this message (4xx/5xx but 421): the session itself stays usable."""
    return (
        isinstance(error, aiosmtplib.SMTPResponseException)
        and not isinstance(error, aiosmtplib.SMTPAuthenticationError)
        and not _dropped(error)
    )


def _dropped(error: BaseException) -> bool:
    """The server hung up (or is about to: 421): the session is gone, not the message."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code == 421
    return isinstance(error, (aiosmtplib.SMTPServerDisconnected, ConnectionError))


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    messages: int = 0  # DATA phases begun on this connection
    idle_since: float = 0.0
    # A MAIL FROM was sent and its transaction did not end with a message accepted: the
    # next use resets it first (RSET). After an accepted message nothing is open.
    unfinished: bool = False


class SmtpTransport:
    """SMTP through a pool of at most `smtp_connections` sessions, each reused for up to
    `smtp_messages_per_connection` messages and closed after `smtp_idle_s` unused. A
    connection that failed or timed out is closed, never reused. A reused connection is
    reset (RSET) only when its last envelope did not end with a message accepted: after one
    that did, nothing is open, and MAIL FROM itself finds a session the server dropped.

    A pooled connection the server dropped while it was idle (or drops before DATA) is
    replaced by a fresh one within the same `send`: nothing was handed over. Only the
    fresh connection's failure reaches the mailer, with the meaning it always had.
    """

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.opened = 0  # connections opened so far
        self._slots = asyncio.Semaphore(settings.smtp_connections)
        self._idle: list[_Connection] = []
        self._closing: set[asyncio.Task[None]] = set()
        self._reaper: asyncio.TimerHandle | None = None

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

    async def send(self, message: Outgoing, *, point_of_no_return: Hook) -> None:
        async with self._slots:
            connection = await self._envelope(message)
            try:
                await point_of_no_return()
            except BaseException:
                self._release(connection, reusable=True)  # mid-envelope: RSET on reuse
                raise
            connection.messages += 1
            try:
                await self._data(connection.client, message)
            except (PermanentMailError, TransientMailError) as refusal:
                code = getattr(refusal.__cause__, "code", 421)
                self._release(connection, reusable=code != 421)
                raise
            except BaseException:  # no reply (uncertain) or a cancellation: hang up
                self._release(connection, reusable=False)
                raise
            connection.unfinished = False  # accepted: the transaction is over
            if connection.messages >= self.settings.smtp_messages_per_connection:
                await self._quit(connection.client)  # within the slot: at most N open
            else:
                self._release(connection, reusable=True)

    def close(self) -> None:
        """Hang up every idle connection (at shutdown); busy ones close when they finish."""
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.client.close()

    async def _envelope(self, message: Outgoing) -> _Connection:
        """A connection on which MAIL FROM and RCPT TO were accepted: nothing sent yet."""
        while (connection := self._take_idle()) is not None:
            if connection.unfinished:
                try:
                    await connection.client.rset()
                except BaseException as error:
                    connection.client.close()  # dropped while idle, or broken: not reused
                    if isinstance(error, Exception):
                        continue
                    raise
            try:
                await self._addresses(connection, message)
            except BaseException as error:
                if _dropped(error):
                    connection.client.close()
                    continue  # the server hung up before MAIL FROM: try another session
                self._release(connection, reusable=_refused(error))
                _reraise(error)
            return connection
        connection = _Connection(self._client())
        try:
            await connection.client.connect()
        except BaseException as error:
            connection.client.close()
            _reraise(error)
        self.opened += 1
        try:
            await self._addresses(connection, message)
        except BaseException as error:
            self._release(connection, reusable=_refused(error))
            _reraise(error)
        return connection

    async def _addresses(self, connection: _Connection, message: Outgoing) -> None:
        connection.unfinished = True
        await connection.client.mail(message.sender)
        await connection.client.rcpt(message.recipient)

    async def _data(self, client: aiosmtplib.SMTP, message: Outgoing) -> None:
        try:
            await client.data(message.data)
        except aiosmtplib.SMTPResponseException as error:
            raise _classify(error) from error  # a reply: the server said no, nothing kept
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise UncertainMailError(f"{type(error).__name__}: {error}") from error

    def _take_idle(self) -> _Connection | None:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the likeliest alive
            if connection.client.is_connected and now - connection.idle_since < self._idle_s:
                return connection
            connection.client.close()
        return None

    def _release(self, connection: _Connection, *, reusable: bool) -> None:
        client = connection.client
        used_up = connection.messages >= self.settings.smtp_messages_per_connection
        if not reusable or used_up or not client.is_connected:
            client.close()
            return
        connection.idle_since = time.monotonic()
        self._idle.append(connection)
        self._schedule_reaper()

    @property
    def _idle_s(self) -> float:
        return self.settings.smtp_idle_s

    def _schedule_reaper(self) -> None:
        if self._reaper is None and self._idle:
            oldest = min(c.idle_since for c in self._idle)
            wait = max(oldest + self._idle_s - time.monotonic(), 0.01)
            self._reaper = asyncio.get_running_loop().call_later(wait, self._reap)

    def _reap(self) -> None:
        self._reaper = None
        task = asyncio.get_running_loop().create_task(self._reap_expired())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _reap_expired(self) -> None:
        """QUIT the connections idle too long, holding a slot: never more than N open."""
        async with self._slots:
            now = time.monotonic()
            expired = [c for c in self._idle if now - c.idle_since >= self._idle_s]
            self._idle = [c for c in self._idle if c not in expired]
            for connection in expired:
                await self._quit(connection.client)
        self._schedule_reaper()

    @staticmethod
    async def _quit(client: aiosmtplib.SMTP) -> None:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()  # QUIT is a courtesy
        except BaseException:
            client.close()
            raise


@dataclass(frozen=True)
class FileTransport:
    """The embedded default: each e-mail becomes an `.eml` file named by its Message-ID,
    so writing the same delivery again replaces the file instead of doubling it."""

    folder: Path

    async def send(self, message: Outgoing, *, point_of_no_return: Hook) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message.message_id.strip("<>").replace("@", "_").replace("/", "_")
        await point_of_no_return()
        try:
            (self.folder / f"{name}.eml").write_bytes(message.data)
        except OSError as error:
            raise TransientMailError(f"{type(error).__name__}: {error}") from error
