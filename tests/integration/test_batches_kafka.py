"""Batches on the real broker: offsets are committed only past a batch that is done."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseEvent
from schemas.topics import Topics, dead_letter
from services.kit.consumer import PermanentError
from services.kit.db import Database
from services.kit.health import Readiness
from services.kit.kafka import KafkaPublisher, attach, make_broker
from services.kit.outbox import add_event
from tests.support import eventually, produce, read_topic
from tests.unit.kit.batch_scenarios import event, pipeline, processed, staged


async def _committed(kafka: str, group_id: str) -> int:
    """The group's committed offsets, summed over the topic's partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group_id)
    finally:
        await admin.close()
    return sum(meta.offset for meta in offsets.values() if meta.offset > 0)


async def test_a_poison_message_is_parked_and_the_batch_committed_past_it(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    db = Database(pg_url)
    calls: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)
        add_event(session, service="svc", topic="out", key=event.case_id, event=event)
        if event.case_id == "x":
            raise PermanentError("no such case")

    values = [e.model_dump_json().encode() for e in (event("a"), event("b"))]
    values += [b"{not json", event("x").model_dump_json().encode()]
    values += [e.model_dump_json().encode() for e in (event("c"), event("d"))]
    # One key: one partition, in this order, before the consumer starts (one batch).
    await produce(kafka, topics.case_events, values, key=b"one-partition")

    broker = make_broker(kafka, client_id="test-batches")
    group = topics.group("batches")
    consumer = pipeline(db, KafkaPublisher(broker), handle)  # type: ignore[arg-type]
    attach(broker, topic=topics.case_events, group_id=group, handler=consumer, batch=50)
    await broker.start()
    try:
        await eventually(lambda: _equal(lambda: _committed(kafka, group), 6), what="commit")
    finally:
        await broker.stop()
    # In order (the batch is done again, event by event, from its poison on)
    assert list(dict.fromkeys(calls)) == ["a", "b", "x", "c", "d"]
    assert [row.key for row in await staged(db)] == ["a", "b", "c", "d"]
    parked = await read_topic(kafka, dead_letter(topics.case_events))
    assert [r.value for r in parked] == values[2:4]
    await db.dispose()


async def test_a_batch_is_not_committed_while_the_database_is_away(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    db = Database(pg_url)
    outage = asyncio.Event()
    outage.set()
    attempts: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        attempts.append(event.case_id)
        if outage.is_set() and event.case_id == "c":
            raise ConnectionRefusedError(111, "the database system is starting up")
        add_event(session, service="svc", topic="out", key=event.case_id, event=event)

    cases = list("abcdef")
    await produce(
        kafka,
        topics.case_events,
        [event(case).model_dump_json().encode() for case in cases],
        key=b"one-partition",
    )
    broker = make_broker(kafka, client_id="test-batches")
    group = topics.group("batches")
    # No retries in the pipeline: every failure is a nack, the batch is read again.
    consumer = pipeline(db, KafkaPublisher(broker), handle, retries=0, health=Readiness())  # type: ignore[arg-type]
    attach(broker, topic=topics.case_events, group_id=group, handler=consumer, batch=50)
    await broker.start()
    try:
        await eventually(lambda: _equal(lambda: _count(attempts, "c"), 3), what="redeliveries")
        assert await _committed(kafka, group) == 0
        assert await staged(db) == [] and await processed(db) == set()
        outage.clear()
        await eventually(lambda: _equal(lambda: _committed(kafka, group), 6), what="commit")
    finally:
        await broker.stop()
    assert [row.key for row in await staged(db)] == cases  # each once, in order
    assert not await read_topic(kafka, dead_letter(topics.case_events), idle_s=0.5)
    await db.dispose()


async def _count(items: list[str], value: str) -> int:
    return items.count(value)


async def _equal(probe, at_least: int) -> int | None:  # type: ignore[no-untyped-def]
    value = await probe()
    return value if value >= at_least else None
