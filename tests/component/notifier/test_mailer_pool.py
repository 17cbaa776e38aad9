"""The mailer over a real SMTP server (aiosmtpd): a few connections, each reused, a bounded
number of deliveries at once, and still at most one copy per (event, recipient) when the
server hangs up or refuses in the middle of a batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.notifier.mailer import Mailer
from services.notifier.service import NotifierService
from services.notifier.transports import SmtpTransport
from tests.component.notifier.mail_support import FAST, deliveries, make_due, stage_receipts
from tests.conftest import free_port
from tests.unit.notifier.builders import migrated_notifier


class Server:
    """Counts connections and messages in flight; hangs up or refuses when told."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.peers: set[Any] = set()
        self.in_flight = self.most_in_flight = 0
        self.stall_rcpt_s = 0.0
        self.stall_first_rcpt_s = 0.0  # the first RCPT TO only
        self.rcpts = 0
        self.data_replies: dict[int, str] = {}  # n-th DATA (from 1) → this reply instead
        self.hang_up_after_data: set[int] = set()  # n-th DATA: 250, then close the connection
        self.hang_up_in_data: set[int] = set()  # n-th DATA: keep it, close before replying
        self.hang_ups_at_mail: Counter[int] = Counter()  # a connection's k-th MAIL FROM:
        # close instead of answering, this many times
        self.mails_by_peer: Counter[Any] = Counter()
        self.datas = 0
        self.rsets = 0

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.rsets += 1
        return "250 OK"

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.peers.add(session.peer)
        self.mails_by_peer[session.peer] += 1
        k = self.mails_by_peer[session.peer]
        if self.hang_ups_at_mail[k] > 0:
            self.hang_ups_at_mail[k] -= 1
            assert server.transport is not None
            server.transport.close()
            return "421 4.3.2 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.rcpts += 1
        try:
            await asyncio.sleep(self.stall_first_rcpt_s if self.rcpts == 1 else self.stall_rcpt_s)
        finally:
            self.in_flight -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.datas += 1
        n = self.datas
        if n in self.data_replies:
            return self.data_replies[n]
        assert isinstance(envelope.content, bytes)
        self.received.append(envelope.content)
        assert server.transport is not None
        if n in self.hang_up_in_data:
            server.transport.close()
            await asyncio.sleep(1.0)  # the reply never comes
        if n in self.hang_up_after_data:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(message_from_bytes(m, policy=default)["Message-ID"]) for m in self.received]


@pytest.fixture
def server() -> Iterator[tuple[int, Server]]:
    port, handler = free_port(), Server()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


async def _setup(
    tmp_path: Path, port: int, **settings: Any
) -> tuple[NotifierService, SmtpTransport, Mailer]:
    changes = {**FAST, "smtp_port": port, "smtp_timeout_s": 2.0, **settings}
    service = await migrated_notifier(tmp_path, **changes)
    transport = SmtpTransport(service.settings)
    mailer = Mailer(storage=service.storage, transport=transport, settings=service.settings)
    return service, transport, mailer


async def _drain(mailer: Mailer) -> None:
    while await mailer.run_once():
        pass


async def _statuses(service: NotifierService) -> Counter[str]:
    return Counter(row.status for row in await deliveries(service))


async def test_fifty_mails_go_through_at_most_n_connections_once_each(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    service, transport, mailer = await _setup(tmp_path, port, smtp_connections=3)
    await stage_receipts(service, count=50)
    await _drain(mailer)
    assert await _statuses(service) == {"sent": 50}
    ids = handler.message_ids()
    assert len(ids) == 50 and len(set(ids)) == 50  # every mail, each once
    assert 1 <= len(handler.peers) <= 3 and transport.opened <= 3
    transport.close()
    await service.db.dispose()


async def test_deliveries_go_in_parallel_but_never_more_than_n(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    handler.stall_rcpt_s = 0.05
    service, transport, mailer = await _setup(tmp_path, port, smtp_connections=4)
    await stage_receipts(service, count=24)
    await _drain(mailer)
    assert await _statuses(service) == {"sent": 24}
    assert 2 <= handler.most_in_flight <= 4
    assert len(handler.peers) <= 4
    transport.close()
    await service.db.dispose()


async def test_one_connection_is_reused_until_its_message_limit(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    service, transport, mailer = await _setup(
        tmp_path, port, smtp_connections=1, smtp_messages_per_connection=4
    )
    await stage_receipts(service, count=10)
    await _drain(mailer)
    assert await _statuses(service) == {"sent": 10}
    assert len(handler.received) == 10 and len(handler.peers) == 3  # 4 + 4 + 2
    assert handler.rsets == 0  # each envelope ended with its message accepted
    transport.close()
    await service.db.dispose()


async def test_a_connection_whose_envelope_was_refused_is_reset_before_reuse(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    """A refused message leaves its envelope open on a session that stays usable: the
    next message on it starts with RSET, and goes through."""
    port, handler = server
    handler.data_replies = {2: "550 5.7.1 refused"}
    service, transport, mailer = await _setup(tmp_path, port, smtp_connections=1)
    await stage_receipts(service, count=4)
    await _drain(mailer)
    assert await _statuses(service) == {"sent": 3, "failed": 1}
    assert len(handler.peers) == 1 and handler.rsets == 1
    transport.close()
    await service.db.dispose()


async def test_a_server_that_hangs_up_mid_batch_loses_nothing_and_doubles_nothing(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    handler.hang_up_after_data = {3, 9, 17}  # idle connections found dead: reconnect
    handler.hang_ups_at_mail[3] = 2  # a reused one dropped at MAIL FROM: a fresh one
    handler.hang_up_in_data = {20}  # the message is there, its reply never comes
    service, transport, mailer = await _setup(tmp_path, port, smtp_connections=2)
    await stage_receipts(service, count=30)
    await _drain(mailer)
    await make_due(service)
    await _drain(mailer)
    rows = await deliveries(service)
    statuses = Counter(row.status for row in rows)
    assert statuses == {"sent": 29, "uncertain": 1}, statuses
    assert all(row.attempts == 1 for row in rows if row.status == "sent")  # no retry needed
    ids = handler.message_ids()
    assert len(ids) == 30 and len(set(ids)) == 30  # the uncertain one arrived, once
    assert len(handler.peers) > 2  # the dropped connections were replaced
    assert handler.hang_ups_at_mail[3] == 0
    transport.close()
    await service.db.dispose()


async def test_a_fresh_connection_dropped_before_mail_from_is_retried_not_uncertain(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    handler.hang_ups_at_mail[1] = 1
    service, transport, mailer = await _setup(
        tmp_path, port, smtp_connections=1, mail_backoff_s=60.0
    )
    await stage_receipts(service, count=3)
    await _drain(mailer)
    assert await _statuses(service) == {"sent": 2, "pending": 1}
    await make_due(service)
    await _drain(mailer)
    rows = await deliveries(service)
    assert [(row.status, row.attempts) for row in rows] == [("sent", 2), ("sent", 1), ("sent", 1)]
    assert len(handler.received) == 3 and len(set(handler.message_ids())) == 3
    transport.close()
    await service.db.dispose()


async def test_a_connection_that_timed_out_is_not_reused(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    handler.stall_first_rcpt_s = 1.0
    service, transport, mailer = await _setup(
        tmp_path, port, smtp_connections=1, smtp_timeout_s=0.3, mail_backoff_s=60.0
    )
    await stage_receipts(service, count=4)
    await _drain(mailer)
    assert [(row.status, row.attempts) for row in await deliveries(service)] == [
        ("pending", 1), ("sent", 1), ("sent", 1), ("sent", 1)
    ]  # fmt: skip
    assert len(handler.peers) == 2 and transport.opened == 2  # the stalled one was dropped
    transport.close()
    await service.db.dispose()


async def test_421_on_some_mails_retries_them_later_once_each(
    tmp_path: Path, server: tuple[int, Server]
) -> None:
    port, handler = server
    handler.data_replies = {n: "421 4.3.0 try later" for n in (2, 7, 8, 15)}
    service, transport, mailer = await _setup(
        tmp_path, port, smtp_connections=3, mail_backoff_s=60.0
    )
    await stage_receipts(service, count=20)
    await _drain(mailer)
    rows = await deliveries(service)
    waiting = [row for row in rows if row.status == "pending"]
    assert len(waiting) == 4 and all(row.attempts == 1 for row in waiting)
    assert all("421" in (row.last_error or "") for row in waiting)
    await make_due(service)
    await _drain(mailer)
    rows = await deliveries(service)
    assert Counter(row.status for row in rows) == {"sent": 20}
    assert sorted(row.attempts for row in rows) == [1] * 16 + [2] * 4
    ids = handler.message_ids()
    assert len(ids) == 20 and len(set(ids)) == 20
    transport.close()
    await service.db.dispose()


async def test_idle_connections_are_closed(tmp_path: Path, server: tuple[int, Server]) -> None:
    port, handler = server
    service, transport, mailer = await _setup(tmp_path, port, smtp_idle_s=0.2)
    await stage_receipts(service, count=3)
    await _drain(mailer)
    assert transport._idle
    await asyncio.sleep(0.6)
    assert transport._idle == [] and len(handler.received) == 3
    await service.db.dispose()
