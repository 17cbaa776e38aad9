"""The batch pipeline and retention on a migrated SQLite database (the same scenarios run on
PostgreSQL in tests/integration/test_batches_pg.py), the in-process bus's batches and the
relay's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from itertools import pairwise
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseEvent
from services.kit.db import Database
from services.kit.outbox import OutboxMessage, OutboxRelay, add_event
from services.kit.transport import InMemoryBus, Message
from tests.support import statements_sent
from tests.unit.databases import migrated_copy
from tests.unit.kit.batch_scenarios import (
    SCENARIOS,
    event,
    messages,
    pipeline,
    processed,
    staged,
    until,
)
from tests.unit.kit.retention_scenarios import SCENARIOS as RETENTION


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return Database(migrated_copy(tmp_path, "kit"))


@pytest.mark.parametrize(
    "scenario", (*SCENARIOS, *RETENTION), ids=lambda scenario: scenario.__name__
)
async def test_batches_on_sqlite(
    db: Database, scenario: Callable[[Database], Awaitable[None]]
) -> None:
    try:
        await scenario(db)
    finally:
        await db.dispose()


async def test_the_bus_hands_a_pipeline_what_is_waiting_in_order(db: Database) -> None:
    batches: list[int] = []
    calls: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)

    bus = InMemoryBus(batch=4)
    consumer = pipeline(db, bus, handle)
    consume = consumer.consume

    async def counting(batch: Sequence[Message]) -> None:
        batches.append(len(batch))
        await consume(batch)

    consumer.consume = counting  # type: ignore[method-assign]
    bus.subscribe("t.case.events", consumer)
    for message in messages([event(case) for case in "abcdefghij"]):
        await bus.publish(message)
    await bus.drain(timeout_s=10)
    await bus.close()
    await db.dispose()
    assert calls == list("abcdefghij")
    assert batches == [4, 4, 2]  # what was waiting, up to 4 at a time


async def test_the_relay_sends_a_batch_then_marks_it_in_one_statement(db: Database) -> None:
    sent: list[list[bytes | None]] = []

    class Recorder:
        async def publish(self, message: Message) -> None:
            raise AssertionError("publish_many is used when there is one")

        async def publish_many(self, batch: Sequence[Message]) -> None:
            sent.append([m.key for m in batch])

    async with db.transaction() as session:
        for case in ("a", "b", "a", "c"):
            add_event(session, service="svc", topic="out", key=case, event=event(case))
    relay = OutboxRelay(db=db, service="svc", publisher=Recorder(), batch=3)
    assert await relay.run_once() == 3
    assert await relay.run_once() == 1
    assert await relay.run_once() == 0
    assert sent == [[b"a", b"b", b"a"], [b"c"]]
    assert all(row.published_at is not None for row in await staged(db))
    await db.dispose()


async def test_a_relay_whose_send_fails_marks_nothing(db: Database) -> None:
    class Failing:
        async def publish(self, message: Message) -> None:
            raise ConnectionRefusedError(111, "broker away")

    async with db.transaction() as session:
        add_event(session, service="svc", topic="out", key="a", event=event("a"))
    with pytest.raises(ConnectionRefusedError):
        await OutboxRelay(db=db, service="svc", publisher=Failing()).run_once()
    assert [row.published_at for row in await staged(db)] == [None]
    await db.dispose()


async def test_a_commit_that_stages_events_wakes_the_relay(db: Database) -> None:
    bus = InMemoryBus()
    relay = OutboxRelay(db=db, service="svc", publisher=bus, interval_s=60)
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.2)  # the relay found nothing and sleeps for a minute
        async with db.transaction() as session:  # no one calls relay.wake()
            add_event(session, service="svc", topic="out", key="a", event=event("a"))
        await until(lambda: bus.topics["out"])
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await db.dispose()


async def test_the_relay_runs_one_round_per_commit_that_stages_rows(db: Database) -> None:
    """A commit that stores no outbox row, or only another service's, does not wake the
    relay, and a round that took fewer rows than its batch is not followed by one that
    finds nothing: each would be a transaction for nothing."""
    bus = InMemoryBus()
    relay = OutboxRelay(db=db, service="svc", publisher=bus, interval_s=60, batch=10)
    rounds: list[int] = []
    run_once = relay.run_once

    async def counted(*, batch: int | None = None) -> int:
        rounds.append(sent := await run_once(batch=batch))
        return sent

    relay.run_once = counted  # type: ignore[method-assign]
    running = asyncio.create_task(relay.run())
    try:
        await until(lambda: rounds == [0])  # the first round found nothing
        async with db.transaction() as session:
            add_event(session, service="other", topic="out", key="a", event=event("a"))
        async with db.transaction() as session:
            await session.exec(select(OutboxMessage))  # a transaction that stages nothing
        await asyncio.sleep(0.2)
        assert rounds == [0]
        async with db.transaction() as session:
            add_event(session, service="svc", topic="out", key="b", event=event("b"))
            add_event(session, service="svc", topic="out", key="c", event=event("c"))
        await until(lambda: len(bus.topics["out"]) == 2)
        await asyncio.sleep(0.2)
        assert rounds == [0, 2]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await db.dispose()


async def test_a_batch_wakes_the_relay_once_it_has_committed(db: Database) -> None:
    bus = InMemoryBus()
    relay = OutboxRelay(db=db, service="svc", publisher=bus, interval_s=60)
    running = asyncio.create_task(relay.run())

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        add_event(session, service="svc", topic="out", key=event.case_id, event=event)
        await asyncio.sleep(0.05)  # the relay would run now if a savepoint had woken it

    try:
        await asyncio.sleep(0.2)  # the relay found nothing and sleeps for a minute
        await pipeline(db, bus, handle).consume(messages([event("a"), event("b")]))
        await until(lambda: len(bus.topics["out"]) == 2)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await db.dispose()


async def test_other_tasks_run_between_the_events_of_a_batch(db: Database) -> None:
    """A handler that computes without awaiting must not hold the event loop for a whole
    batch: the mailer and the pages of the same process wait at most one event."""
    order: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        order.append(event.case_id)  # pure computation: no await

    async def neighbour() -> None:
        while True:
            order.append("tick")
            await asyncio.sleep(0)

    bus = InMemoryBus()
    ticking = asyncio.create_task(neighbour())
    try:
        await pipeline(db, bus, handle).consume(messages([event(c) for c in "abcd"]))
    finally:
        ticking.cancel()
        await bus.close()
        await db.dispose()
    handled = [i for i, item in enumerate(order) if item != "tick"]
    assert [order[i] for i in handled] == list("abcd")
    between = [order[a + 1 : b] for a, b in pairwise(handled)]
    assert all("tick" in gap for gap in between), order


async def test_events_the_handler_ignores_are_finished_without_a_transaction(
    db: Database,
) -> None:
    """A service reading back its own events does nothing with them: they get no
    `processed_event` row, and a batch of them alone sends no statement at all."""
    calls: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)

    consumer = pipeline(db, InMemoryBus(), handle, ignores=lambda e: e.case_id.startswith("own"))
    mixed = [event("a"), event("own-1"), event("b")]
    await consumer.consume(messages(mixed))
    assert calls == ["a", "b"]
    assert await processed(db) == {mixed[0].event_id, mixed[2].event_id}
    with statements_sent(db) as sent:
        await consumer.consume(messages([event("own-2"), event("own-3")], first_offset=3))
    assert sent == []
    assert calls == ["a", "b"]
    await db.dispose()
