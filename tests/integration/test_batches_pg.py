"""The batch pipeline's and retention's scenarios (tests/unit/kit/batch_scenarios.py,
retention_scenarios.py) on PostgreSQL, and the outbox relay woken by LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseEvent
from services.kit.db import Database
from services.kit.outbox import CHANNEL, OutboxRelay, add_event, notification
from services.kit.transport import InMemoryBus, Message
from tests.unit.kit.batch_scenarios import SCENARIOS, event, messages, pipeline, processed, until
from tests.unit.kit.retention_scenarios import SCENARIOS as RETENTION


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "scenario", (*SCENARIOS, *RETENTION), ids=lambda scenario: scenario.__name__
)
async def test_batches_on_postgresql(
    pg_url: str, scenario: Callable[[Database], Awaitable[None]]
) -> None:
    db = Database(pg_url)
    try:
        await scenario(db)
    finally:
        await db.dispose()


async def test_a_commit_that_stages_events_notifies_other_processes(pg_url: str) -> None:
    heard: list[str] = []
    listener = await asyncpg.connect(_dsn(pg_url))
    await listener.add_listener(CHANNEL, lambda *args: heard.append(args[-1]))
    db = Database(pg_url)
    try:
        async with db.transaction() as session:
            add_event(session, service="svc", topic="out", key="a", event=event("a"))
            add_event(session, service="svc", topic="out", key="b", event=event("b"))
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:  # rolled back: no notification
                add_event(session, service="other", topic="out", key="c", event=event("c"))
                await session.flush()
                raise RuntimeError("rolled back")
        await until(lambda: heard)
        await asyncio.sleep(0.2)
        assert heard == [notification("svc")]  # once per transaction and service
    finally:
        await listener.close()
        await db.dispose()


@contextlib.asynccontextmanager
async def relay_and_writer(pg_url: str) -> AsyncIterator[tuple[InMemoryBus, asyncpg.Connection]]:
    """A relay of "svc" that listens, found nothing and sleeps for a minute, and a
    connection of "another process" to write with."""
    bus = InMemoryBus()
    db = Database(pg_url)
    relay = OutboxRelay(db=db, service="svc", publisher=bus, interval_s=60)
    running = asyncio.create_task(relay.run())
    writer = await asyncpg.connect(_dsn(pg_url))
    try:
        await asyncio.sleep(1.0)
        yield bus, writer
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await writer.close()
        await db.dispose()


async def commit_row(writer: asyncpg.Connection, *notifications: str) -> None:
    """Another process's commit of one outbox row of "svc", with these notifications."""
    async with writer.transaction():
        await writer.execute(
            "INSERT INTO outbox (service, topic, key, event_id, payload, created_at)"
            " VALUES ('svc', 'out', 'a', 'e-1', $1, now())",
            event("a").model_dump_json(),
        )
        for payload in notifications:
            await writer.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)


@pytest.mark.parametrize("payload", ["svc", notification("svc", "otherprocess")])
async def test_a_relay_is_woken_by_a_notification(pg_url: str, payload: str) -> None:
    """Another process's commit: a row inserted and notified without this process's help
    (by this version, or by an older one whose payload is the service alone)."""
    async with relay_and_writer(pg_url) as (bus, writer):
        await commit_row(writer, payload)
        await until(lambda: bus.topics["out"], timeout_s=10)


async def test_a_relay_ignores_its_own_processs_notification(pg_url: str) -> None:
    """This process's commit woke its relays already: its NOTIFY, heard back, would only
    cost them a round that finds nothing. Another service's notification is ignored too."""
    async with relay_and_writer(pg_url) as (bus, writer):
        await commit_row(writer, notification("svc"), "other otherprocess")
        await asyncio.sleep(1.5)
        assert not bus.topics.get("out")  # not woken: the row waits for the minute's poll
        await writer.execute("SELECT pg_notify($1, $2)", CHANNEL, notification("svc", "other"))
        await until(lambda: bus.topics["out"], timeout_s=10)


async def test_two_replicas_given_the_same_event_apply_it_once(pg_url: str) -> None:
    """During a rebalance two replicas may hold the same message. The first claims it as
    processed; the second's claim waits for the first's transaction, then finds it taken
    and counts the message a duplicate: one handling, no error, nothing parked."""
    db = Database(pg_url)
    bus = InMemoryBus()
    calls: list[str] = []
    first_holds_its_claim, release = asyncio.Event(), asyncio.Event()

    async def slow(session: AsyncSession, event: CaseEvent) -> None:
        calls.append("first")
        first_holds_its_claim.set()
        await release.wait()

    async def fast(session: AsyncSession, event: CaseEvent) -> None:
        calls.append("second")

    batch = messages([event("a")])
    try:
        first = asyncio.create_task(pipeline(db, bus, slow).consume(batch))
        await first_holds_its_claim.wait()
        second = asyncio.create_task(pipeline(db, bus, fast).consume(batch))
        await asyncio.sleep(0.5)
        assert not second.done()  # waiting for the first replica's claim
        release.set()
        await asyncio.gather(first, second)
        assert calls == ["first"]
        assert await processed(db) == {batch_event_id(batch)}
        assert not bus.topics  # nothing parked
    finally:
        await db.dispose()


def batch_event_id(batch: list[Message]) -> str:
    return str(json.loads(batch[0].value)["event_id"])
