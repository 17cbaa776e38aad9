"""Helpers for the integration tests: real Kafka, PostgreSQL and SMTP; no fakes here."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage
from email.policy import default as email_policy
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import event as sa_event

from services.kit.db import Database
from services.kit.kafka import KafkaPublisher, attach, make_broker
from services.kit.loop import stop
from services.kit.runtime import Service

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout_s: float = 30.0,
    what: str = "condition",
    interval_s: float = 0.2,
) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(interval_s)


STOP_TIMEOUT_S = 30.0  # how long a service's background loops may take to stop


class RunningService:
    """One service consuming from the real broker inside the test's event loop."""

    def __init__(self, service: Service, *, bootstrap: str, workers: int = 1) -> None:
        self.service, self.workers = service, workers
        self.broker = make_broker(bootstrap, client_id=f"test-{service.name}")
        self.publisher = KafkaPublisher(self.broker)
        self.tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> RunningService:
        for sub in self.service.subscriptions(publisher=self.publisher):
            attach(
                self.broker,
                topic=sub.topic,
                group_id=sub.group_id,
                handler=sub.handler,
                workers=self.workers,
            )
        await self.broker.start()
        self.tasks = [
            asyncio.create_task(c) for c in self.service.background(publisher=self.publisher)
        ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Bounded: a loop that ignores its cancellation fails the test here, named, instead
        # of hanging it until pytest-timeout with its service still running.
        running = await stop(self.tasks, timeout_s=STOP_TIMEOUT_S)
        await self.broker.stop()
        await self.service.db.dispose()
        if running:
            names = sorted(str(task.get_coro()) for task in running)
            raise AssertionError(f"{self.service.name}: loops did not stop: {names}")


async def produce(
    bootstrap: str, topic: str, values: list[bytes], *, key: bytes | None = None
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, *, idle_s: float = 1.5) -> list[Any]:
    """Every record on `topic` from the beginning: at least up to the end offsets seen once
    its partitions are assigned (however long the first fetch takes on a busy machine), then
    whatever else arrives until `idle_s` passes without news. A topic that does not exist
    within `idle_s` has none."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []

    async def fetch(timeout_s: float) -> bool:
        batch = await consumer.getmany(timeout_ms=int(timeout_s * 1000))
        for part in batch.values():
            records.extend(part)
        return bool(batch)

    try:
        exists = topic in await consumer.topics()  # a fresh metadata fetch
        # An existing topic is assigned as soon as the client has its metadata, which can take
        # seconds on a busy machine; one that does not exist yet may appear within `idle_s`.
        assigned_by = time.monotonic() + (30.0 if exists else idle_s)
        while not consumer.assignment():
            await fetch(0.2)
            if time.monotonic() > assigned_by:
                return records
        parts = sorted(consumer.assignment())
        ends = await consumer.end_offsets(parts)
        deadline = time.monotonic() + 60
        while any([await consumer.position(tp) < ends[tp] for tp in parts]):
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {topic} to its end within 60 s")
            await fetch(0.5)
        while await fetch(idle_s):
            pass
        return records
    finally:
        await consumer.stop()


def events_of(records: list[Any], event_type: str) -> list[dict[str, Any]]:
    found = []
    for record in records:
        try:
            value = json.loads(record.value)
        except ValueError:
            continue
        if isinstance(value, dict) and value.get("event_type") == event_type:
            found.append(value)
    return found


@dataclass
class MailSink:
    """An aiosmtpd handler that keeps what it accepts and can refuse on demand."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # e.g. "451 4.3.0 try later"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        assert isinstance(envelope.content, bytes)
        self.envelopes.append(envelope)
        self.received.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for m, e in zip(self.received, self.envelopes, strict=True) if address in e.rcpt_tos
        ]


def start_smtp(port: int) -> tuple[Controller, MailSink]:
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, sink


STAFF_SECRET = "test-staff-secret"


def office_pass(agency: str = "VPUB", secret: str = STAFF_SECRET) -> dict[str, str]:
    """Cookies of a logged-in office officer, as the console sets them (a pass for 10
    minutes, of the login `test-session`)."""
    from datetime import timedelta

    from services.kit import staffpass

    token = staffpass.issue(
        secret,
        username="vpub.test",
        agency=agency,
        role="officer",
        ttl=timedelta(minutes=10),
        session="test-session",
    )
    return {staffpass.COOKIE: token}


def staff_csrf(secret: str = STAFF_SECRET) -> str:
    """The form token of `office_pass()`'s login (field `csrf`, header `X-CSRF-Token`)."""
    from datetime import UTC, datetime

    from services.kit import staffpass

    login = staffpass.StaffPass("vpub.test", "VPUB", "officer", datetime.now(UTC), "test-session")
    return staffpass.csrf_token(secret, login)


@contextmanager
def statements_sent(db: Database) -> Iterator[list[str]]:
    """Every SQL statement `db` sends in the block, in order (to count a batch's queries)."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    engine = db.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def reads_of(statements: list[str], table: str) -> int:
    """How many of `statements` are SELECTs from `table`."""
    return sum(s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s for s in statements)
