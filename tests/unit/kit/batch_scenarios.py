"""The batch pipeline's guarantees, as scenarios run on SQLite (tests/component/kit/test_batches.py)
and on PostgreSQL (tests/integration/test_batches_pg.py): one transaction per batch, each
event in a savepoint of its own, poison parked alone, transient failures retried whole."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CASE_EVENT_ADAPTER, CaseEvent, CaseTransferred
from services.kit.consumer import PermanentError, Pipeline, ProcessedEvent
from services.kit.db import Database
from services.kit.health import Readiness
from services.kit.outbox import OutboxMessage, add_event
from services.kit.transport import InMemoryBus, Message, Redeliver

TOPIC = "t.case.events"


def event(case_id: str, hop: int = 2) -> CaseTransferred:
    return CaseTransferred(
        correlation_id=case_id,
        case_id=case_id,
        tracking_code=f"GL-{case_id}",
        from_agency="SXD",
        to_agency="STNMT",
        reason="không thuộc thẩm quyền",
        by="officer",
        hop=hop,
    )


def messages(values: Iterable[CaseTransferred | bytes], *, first_offset: int = 0) -> list[Message]:
    batch = []
    for offset, value in enumerate(values, start=first_offset):
        body = value if isinstance(value, bytes) else value.model_dump_json().encode()
        batch.append(Message(topic=TOPIC, value=body, partition=0, offset=offset))
    return batch


def pipeline(db: Database, bus: InMemoryBus, handle, **extra) -> Pipeline[CaseEvent]:  # type: ignore[no-untyped-def]
    options = {"retries": 2, "backoff_s": 0.001, "max_backoff_s": 0.001, "health": Readiness()}
    return Pipeline(
        service="svc",
        db=db,
        adapter=CASE_EVENT_ADAPTER,
        handle=handle,
        dead_letters=bus,
        **(options | extra),
    )


async def staged(db: Database) -> list[OutboxMessage]:
    """What the handlers left in the outbox, in order."""
    async with db.session() as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return list((await session.exec(query)).all())


async def processed(db: Database) -> set[str]:
    async with db.session() as session:
        return set((await session.exec(select(ProcessedEvent.event_id))).all())


async def until(predicate: Callable[[], object], *, timeout_s: float = 5.0) -> None:
    """Wait until `predicate()` is truthy (polling), or fail after `timeout_s`."""
    for _ in range(int(timeout_s / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not true within {timeout_s} s")


def _stage(session: AsyncSession, event: CaseEvent) -> None:
    add_event(session, service="svc", topic="out", key=event.case_id, event=event)


async def a_poison_message_in_the_middle_is_parked_alone(db: Database) -> None:
    good = [event("a"), event("b"), event("c"), event("d")]
    doomed = event("x")
    calls: list[str] = []
    commits: list[int] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)
        _stage(session, event)  # written, then taken back with its savepoint
        if event.case_id == "x":
            raise PermanentError("no such case")

    bus = InMemoryBus()
    batch = messages([good[0], b"{not json", good[1], doomed, good[2], good[3]])
    await pipeline(db, bus, handle, after_commit=lambda: commits.append(1)).consume(batch)

    # In order; at "x" the batch is rolled back and done again event by event, each in a
    # savepoint of its own: "x"'s alone is taken back.
    assert calls == ["a", "b", "x", "a", "b", "x", "c", "d"]
    assert [row.key for row in await staged(db)] == ["a", "b", "c", "d"]
    assert await processed(db) == {e.event_id for e in good}
    parked = bus.topics[f"{TOPIC}.dlq"]
    assert [m.headers["dlq_source_offset"] for m in parked] == ["1", "3"]  # alone, in order
    assert "ValidationError" in parked[0].headers["dlq_error"]
    assert parked[1].headers["dlq_error"] == "PermanentError: no such case"
    assert commits == [1]  # one transaction for the batch


async def a_constraint_violated_by_one_event_takes_back_its_savepoint_alone(
    db: Database,
) -> None:
    a, x, b = event("a"), event("x"), event("b")

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        _stage(session, event)
        if event.case_id == "x":  # bad data: a row that is already there
            session.add(ProcessedEvent(service="svc", event_id=a.event_id))

    bus = InMemoryBus()
    await pipeline(db, bus, handle).consume(messages([a, x, b]))
    assert [row.key for row in await staged(db)] == ["a", "b"]
    assert await processed(db) == {a.event_id, b.event_id}
    parked = bus.topics[f"{TOPIC}.dlq"]
    assert [m.headers["dlq_source_offset"] for m in parked] == ["1"]
    assert parked[0].headers["dlq_error"].startswith("IntegrityError")


async def a_transient_failure_retries_the_whole_batch(db: Database) -> None:
    batch_events = [event(case) for case in "abcde"]
    calls: list[str] = []
    failures = [1]

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)
        _stage(session, event)
        if event.case_id == "c" and failures:
            failures.pop()
            raise OperationalError("INSERT", {}, ConnectionRefusedError(111, "refused"))

    bus = InMemoryBus()
    await pipeline(db, bus, handle).consume(messages(batch_events))

    assert calls == ["a", "b", "c", "a", "b", "c", "d", "e"]  # the batch again, whole
    # a and b's savepoints had been released when c failed: the batch's rollback took them
    # back too (on SQLite only if the driver's own transaction handling is off).
    assert [row.key for row in await staged(db)] == list("abcde")
    assert await processed(db) == {e.event_id for e in batch_events}
    assert not bus.topics  # nothing parked


async def an_outage_that_lasts_commits_nothing(db: Database) -> None:
    calls: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)
        _stage(session, event)
        if event.case_id == "b":
            raise OperationalError("INSERT", {}, ConnectionRefusedError(111, "refused"))

    bus = InMemoryBus()
    health = Readiness()
    with pytest.raises(Redeliver):
        await pipeline(db, bus, handle, health=health).consume(
            messages([event("a"), event("b"), b"{not json", event("c")])
        )
    assert calls == ["a", "b"] * 3  # the first try and two retries, then handed back
    assert await staged(db) == [] and await processed(db) == set()
    assert not bus.topics  # not even the garbage is parked: the batch is not done
    assert not health.ready


async def duplicates_are_applied_once(db: Database) -> None:
    a, b, c = event("a"), event("b"), event("c")
    calls: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.case_id)
        _stage(session, event)

    bus = InMemoryBus()
    consumer = pipeline(db, bus, handle)
    await consumer.consume(messages([a, b, a, b]))  # twice within a batch
    await consumer.consume(messages([b, c, a], first_offset=4))  # and across batches
    await consumer(messages([c])[0])  # and one at a time
    assert calls == ["a", "b", "c"]
    assert [row.key for row in await staged(db)] == ["a", "b", "c"]


async def each_key_keeps_its_order(db: Database) -> None:
    interleaved = [event(case, hop) for hop in range(2, 6) for case in ("p", "q", "r")]
    seen: dict[str, list[int]] = {}

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        assert isinstance(event, CaseTransferred)
        seen.setdefault(event.case_id, []).append(event.hop)
        _stage(session, event)

    bus = InMemoryBus()
    consumer = pipeline(db, bus, handle)
    await consumer.consume(messages(interleaved[:7]))
    await consumer.consume(messages(interleaved[7:], first_offset=7))
    assert seen == {case: [2, 3, 4, 5] for case in "pqr"}
    by_key: dict[str | None, list[int]] = {}
    for row in await staged(db):
        hop = CASE_EVENT_ADAPTER.validate_json(row.payload)
        assert isinstance(hop, CaseTransferred)
        by_key.setdefault(row.key, []).append(hop.hop)
    assert by_key == {case: [2, 3, 4, 5] for case in "pqr"}


async def the_archive_commits_with_the_batch(db: Database) -> None:
    """An archive hook written for a transaction of its own joins the batch's."""
    attempts: list[int] = []

    async def archive(batch: Sequence[Message]) -> None:
        async with db.transaction() as session:  # as the intake's hook does
            for message in batch:
                session.add(
                    OutboxMessage(
                        service="archive",
                        topic=message.topic,
                        key=str(message.offset),
                        event_id=f"raw-{message.offset}",
                        payload="{}",
                    )
                )

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("INSERT", {}, ConnectionRefusedError(111, "refused"))

    await pipeline(db, InMemoryBus(), handle, archive=archive).consume(
        messages([event("a"), event("b")])
    )
    # The first round's archive rows went with its rollback; the second's are there, once.
    assert [row.key for row in await staged(db)] == ["0", "1"]


SCENARIOS = [
    a_poison_message_in_the_middle_is_parked_alone,
    a_constraint_violated_by_one_event_takes_back_its_savepoint_alone,
    a_transient_failure_retries_the_whole_batch,
    an_outage_that_lasts_commits_nothing,
    duplicates_are_applied_once,
    each_key_keeps_its_order,
    the_archive_commits_with_the_batch,
]
