"""Transactional outbox: events are stored with the state change, then relayed to the bus.

The relay sleeps until there is something to publish: a commit that stored outbox rows
wakes the relays of its service in this process at once, and on PostgreSQL the committing
transaction also sends `NOTIFY pakn_outbox, '<service> <process>'`, which wakes the relays
of other processes (`LISTEN` on a connection of their own). A relay ignores its own
process's notifications: the commit woke it already, and a second wake-up would cost a
round that finds nothing. A slow poll remains as a safety net.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Column, Text, event, func, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import Field, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import Event
from services.kit import wakeups
from services.kit.columns import UtcDateTime, utc_now
from services.kit.db import Database, is_sqlite
from services.kit.health import backoff_s
from services.kit.loop import Poller
from services.kit.metrics import OUTBOX_FAILURES, OUTBOX_PENDING, OUTBOX_PUBLISHED
from services.kit.table import Table
from services.kit.transport import Message, Publisher, publish_all

log = logging.getLogger(__name__)

CHANNEL = "pakn_outbox"  # PostgreSQL NOTIFY channel; the payload is the service's name
_STAGED = "pakn_outbox_services"  # Session.info key: services whose rows this transaction adds
PROCESS = uuid.uuid4().hex[:12]  # this process, in its notifications' payloads


class OutboxMessage(Table, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(max_length=32, index=True)
    topic: str = Field(max_length=255)
    key: str | None = Field(default=None, max_length=255)
    event_id: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    published_at: datetime | None = Field(default=None, index=True, sa_type=UtcDateTime)


def add_event(session: AsyncSession, *, service: str, topic: str, key: str, event: Event) -> None:
    """Stage `event` for publication in the caller's transaction."""
    session.add(
        OutboxMessage(
            service=service,
            topic=topic,
            key=key,
            event_id=event.event_id,
            payload=event.model_dump_json(),
        )
    )


class Outbox(Protocol):
    """The outbox port of a service's unit of work (kit.memory_store.MemoryOutbox in memory)."""

    def stage(self, *, topic: str, key: str, event: Event) -> None:
        """Publish `event` once the transaction has committed, and only then."""
        ...


class SqlOutbox:
    """The outbox port on `session`: rows of `service` in the caller's transaction."""

    def __init__(self, session: AsyncSession, *, service: str) -> None:
        self.session, self.service = session, service

    def stage(self, *, topic: str, key: str, event: Event) -> None:
        add_event(self.session, service=self.service, topic=topic, key=key, event=event)


def to_message(row: OutboxMessage) -> Message:
    event_type = json.loads(row.payload).get("event_type", "")
    return Message(
        topic=row.topic,
        value=row.payload.encode(),
        key=row.key.encode() if row.key else None,
        headers={"event_id": row.event_id, "event_type": event_type, "producer": row.service},
    )


# --- waking the relays when rows are committed -------------------------------------------


def relay_name(service: str) -> str:
    """The name `service`'s relays listen under for in-process wake-ups (kit.wakeups)."""
    return f"outbox {service}"


@event.listens_for(Session, "after_flush")
def _note_staged(session: Session, _context: Any) -> None:
    services = {row.service for row in session.new if isinstance(row, OutboxMessage)}
    if services:
        session.info.setdefault(_STAGED, set()).update(services)
        for service in services:
            wakeups.wake_after_commit(session, relay_name(service))


@event.listens_for(Session, "before_commit")
def _notify_other_processes(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the transaction has not committed yet
    # The rows still pending are flushed by the commit after this hook: note them too.
    _note_staged(session, None)
    staged: set[str] = session.info.pop(_STAGED, set())
    if not staged:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Delivered when (and only if) the transaction commits.
        for service in sorted(staged):
            connection.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": notification(service)},
            )


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_STAGED, None)


def notification(service: str, process: str = PROCESS) -> str:
    """The payload of the NOTIFY a commit of `service`'s outbox rows sends."""
    return f"{service} {process}"


def wakes(payload: str, service: str, process: str = PROCESS) -> bool:
    """Whether a notification wakes `service`'s relay in `process`: one of another process
    (or of an older version, whose payload is the service alone) about this service."""
    named, _, sender = payload.partition(" ")
    return named == service and sender != process


class OutboxRelay:
    """Publishes a service's pending outbox rows in order, then marks them sent.

    One round takes up to `batch` rows in id order, sends them all, waits until the broker
    has every one (`publish_all`), then marks them in one statement. A crash or a failed
    send before the mark re-publishes: consumers de-duplicate on event_id. The producer is
    idempotent and sends in id order, so one key's (one case's) events keep their order.

    Several replicas of a service run a relay each on the same table. On PostgreSQL a round
    locks its rows (`FOR UPDATE`, waiting, not `SKIP LOCKED`), so the replicas' rounds take
    turns: a round that finds the oldest rows locked waits until the round holding them has
    published and marked them, then skips them and takes the next ones. No row is published
    ahead of an older one still in flight, so each case keeps its order whichever replica
    relays it, and a replica killed mid-round only hands its rows (unmarked) to the next.
    `SKIP LOCKED` would let a second replica publish a case's later event while the first
    still holds its earlier one (tests/integration/test_outbox_replicas_pg.py).

    Between rounds it sleeps until woken (a commit that stored rows for `service`, in this
    process or, on PostgreSQL, any other) or for `interval_s`, the safety net.
    """

    def __init__(
        self,
        *,
        db: Database,
        service: str,
        publisher: Publisher,
        interval_s: float = 1.0,
        batch: int = 500,
        measure_s: float = 15.0,
    ) -> None:
        self._db = db
        self._service = service
        self._publisher = publisher
        self._batch = batch
        self._measure_s = measure_s
        self._poller = Poller(
            self._round, idle_s=interval_s, name=f"{service} outbox relay", full=batch
        )

    async def _round(self) -> int:
        try:
            sent = await self.run_once()
        except Exception:
            OUTBOX_FAILURES.labels(service=self._service).inc()
            raise
        if sent:
            OUTBOX_PUBLISHED.labels(service=self._service).inc(sent)
        return sent

    async def measure(self) -> int:
        """Count this service's unpublished rows into `pakn_outbox_pending`."""
        async with self._db.session() as session:
            pending = (
                await session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.service == self._service)
                    .where(col(OutboxMessage.published_at).is_(None))
                )
            ).one()
        OUTBOX_PENDING.labels(service=self._service).set(pending)
        return int(pending)

    async def _measure_forever(self) -> None:
        """The backlog every `measure_s`, whatever the relay is doing (a broker outage is
        when it grows); a database outage only skips a measure."""
        while True:
            try:
                await self.measure()
            except Exception as error:
                log.debug("%s outbox: cannot measure the backlog: %s", self._service, error)
            await asyncio.sleep(self._measure_s)

    def wake(self) -> None:
        self._poller.wake()

    async def run_once(self, *, batch: int | None = None) -> int:
        async with self._db.transaction() as session:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.service == self._service)
                .where(col(OutboxMessage.published_at).is_(None))
                .order_by(col(OutboxMessage.id))
                .limit(batch or self._batch)
            )
            if not is_sqlite(self._db.url):
                query = query.with_for_update()  # take turns with other replicas, in order
            rows = (await session.exec(query)).all()
            if not rows:
                return 0
            await publish_all(self._publisher, [to_message(row) for row in rows])
            await session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_([row.id for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
            return len(rows)

    async def run(self) -> None:
        wakeups.listen(relay_name(self._service), self)
        helpers = [asyncio.create_task(self._measure_forever())]
        if not is_sqlite(self._db.url):
            helpers.append(asyncio.create_task(self._listen()))
        try:
            await self._poller.run()
        finally:
            wakeups.forget(relay_name(self._service), self)
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    async def _listen(self) -> None:
        """LISTEN for other processes' commits, reconnecting for as long as it takes."""
        import asyncpg

        dsn = make_url(self._db.url).set(drivername="postgresql")
        failures = 0

        def notified(_conn: object, _pid: int, _channel: str, payload: str) -> None:
            if wakes(payload, self._service):
                self.wake()

        while True:
            try:
                connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
            except Exception as error:
                failures += 1
                log.warning("%s outbox listener: cannot connect: %s", self._service, error)
                await asyncio.sleep(backoff_s(failures, base_s=0.5, cap_s=5.0))
                continue
            try:
                await connection.add_listener(CHANNEL, notified)
                failures = 0
                self.wake()  # rows committed while nobody listened
                while not connection.is_closed():
                    await asyncio.sleep(5.0)
                    async with asyncio.timeout(10):  # not wait_for: kit.loop says why
                        await connection.fetchval("SELECT 1")
            except Exception as error:
                log.warning("%s outbox listener lost its connection: %s", self._service, error)
                await asyncio.sleep(0.5)
            finally:
                connection.terminate()  # nothing to flush on a listening connection
