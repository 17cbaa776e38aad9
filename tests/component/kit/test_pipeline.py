"""The consumer pipeline on a migrated SQLite database and the in-process bus."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CASE_EVENT_ADAPTER, CaseEvent, CaseTransferred
from services.kit.consumer import PermanentError, Pipeline, ProcessedEvent
from services.kit.db import Database
from services.kit.health import Readiness
from services.kit.outbox import OutboxMessage, OutboxRelay, add_event
from services.kit.transport import InMemoryBus, Message, Redeliver
from tests.unit.databases import migrated_copy


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return Database(migrated_copy(tmp_path, "kit"))  # migrated once: tests.unit.databases


def _event(case_id: str = "c1") -> CaseTransferred:
    return CaseTransferred(
        correlation_id=case_id,
        case_id=case_id,
        tracking_code="GL-X",
        from_agency="SXD",
        to_agency="STNMT",
        reason="không thuộc thẩm quyền",
        by="officer",
        hop=2,
    )


def _message(event: CaseTransferred) -> Message:
    return Message(topic="t.case.events", value=event.model_dump_json().encode(), offset=7)


def _pipeline(db: Database, bus: InMemoryBus, handle) -> Pipeline[CaseEvent]:  # type: ignore[no-untyped-def]
    return Pipeline(
        service="svc",
        db=db,
        adapter=CASE_EVENT_ADAPTER,
        handle=handle,
        dead_letters=bus,
        retries=2,
        backoff_s=0.001,
    )


async def test_a_redelivered_event_is_handled_once(db: Database) -> None:
    calls: list[str] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        calls.append(event.event_id)
        add_event(session, service="svc", topic="out", key="c1", event=event)

    pipeline = _pipeline(db, InMemoryBus(), handle)
    event = _event()
    await pipeline(_message(event))
    await pipeline(_message(event))
    assert calls == [event.event_id]
    async with db.session() as session:
        assert len((await session.exec(select(OutboxMessage))).all()) == 1
        assert await session.get(ProcessedEvent, ("svc", event.event_id))


async def test_garbage_and_permanent_failures_are_parked_with_their_error(db: Database) -> None:
    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        raise PermanentError("no such case")

    bus = InMemoryBus()
    pipeline = _pipeline(db, bus, handle)
    await pipeline(Message(topic="t.case.events", value=b"{not json", offset=1))
    await pipeline(_message(_event()))
    parked = bus.topics["t.case.events.dlq"]
    assert [m.headers["dlq_source_offset"] for m in parked] == ["1", "7"]
    assert "ValidationError" in parked[0].headers["dlq_error"]
    assert parked[1].headers["dlq_error"] == "PermanentError: no such case"
    async with db.session() as session:  # the failed handler's transaction left nothing
        assert (await session.exec(select(ProcessedEvent))).all() == []


async def test_transient_failures_are_retried_then_handed_back_for_redelivery(
    db: Database,
) -> None:
    attempts: list[int] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        attempts.append(1)
        raise OperationalError("SELECT 1", {}, ConnectionError("database went away"))

    bus = InMemoryBus()
    with pytest.raises(Redeliver):
        await _pipeline(db, bus, handle)(_message(_event()))
    assert len(attempts) == 3 and not bus.topics  # nothing parked: it may pass later


class _FlakyPublisher:
    """A dead-letter publisher whose broker is away for the first `failures` calls."""

    def __init__(self, failures: int) -> None:
        self.failures, self.published = failures, list[Message]()

    async def publish(self, message: Message) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError(111, "broker away")
        self.published.append(message)


async def test_an_archive_that_fails_while_the_database_is_away_holds_the_message(
    db: Database,
) -> None:
    """Issue 16: the intake's raw archive ran outside the retry scope and lost messages."""
    archived: list[int | None] = []
    handled: list[str] = []

    async def archive(batch: Sequence[Message]) -> None:
        if len(archived) < 3:
            archived.append(None)
            raise OperationalError("INSERT", {}, ConnectionRefusedError(111, "refused"))
        archived.extend(message.offset for message in batch)

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        handled.append(event.event_id)

    health = Readiness()
    pipeline = _pipeline(db, InMemoryBus(), handle)
    pipeline.archive, pipeline.health = archive, health
    with pytest.raises(Redeliver):  # three failures: retries exhausted, handed back
        await pipeline(_message(_event()))
    assert handled == [] and not health.ready
    await pipeline(_message(_event()))  # the redelivery, once the database is back
    assert archived[-1] == 7 and len(handled) == 1 and health.ready


async def test_a_database_restart_is_waited_out_within_one_delivery(db: Database) -> None:
    attempts: list[int] = []
    shutting_down = OperationalError(
        "SELECT 1", {}, ConnectionRefusedError(111, "the database system is shutting down")
    )

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise shutting_down

    bus = InMemoryBus()
    await _pipeline(db, bus, handle)(_message(_event()))
    assert len(attempts) == 3 and not bus.topics


async def test_a_dead_letter_that_cannot_be_published_is_not_acknowledged(
    db: Database,
) -> None:
    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        raise PermanentError("no such case")

    publisher = _FlakyPublisher(failures=10)
    pipeline = _pipeline(db, InMemoryBus(), handle)
    pipeline.dead_letters = publisher
    with pytest.raises(Redeliver):
        await pipeline(_message(_event()))
    publisher.failures = 0
    await pipeline(_message(_event()))
    assert [m.headers["dlq_error"] for m in publisher.published] == ["PermanentError: no such case"]


async def test_a_broken_park_hook_does_not_hold_a_parked_message(db: Database) -> None:
    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        raise PermanentError("no such case")

    async def on_park(message: Message, error: BaseException) -> None:
        raise KeyError("a bug in the hook")

    bus = InMemoryBus()
    pipeline = _pipeline(db, bus, handle)
    pipeline.on_park = on_park
    await pipeline(_message(_event()))
    assert len(bus.topics["t.case.events.dlq"]) == 1


async def test_the_relay_publishes_in_order_once(db: Database) -> None:
    bus = InMemoryBus()
    async with db.transaction() as session:
        for case in ("a", "b", "c"):
            add_event(session, service="svc", topic="out", key=case, event=_event(case))
        add_event(session, service="other", topic="out", key="z", event=_event("z"))
    relay = OutboxRelay(db=db, service="svc", publisher=bus)
    assert await relay.run_once() == 3
    assert await relay.run_once() == 0
    assert [m.key for m in bus.topics["out"]] == [b"a", b"b", b"c"]
    assert bus.topics["out"][0].headers["event_type"] == "case.transferred"


async def test_the_bus_redelivers_when_asked_and_drains() -> None:
    bus = InMemoryBus(redeliver_after_s=0.01)
    seen: list[bytes] = []

    async def flaky(message: Message) -> None:
        seen.append(message.value)
        if len(seen) == 1:
            raise Redeliver("try later")
        if len(seen) == 2:
            raise RuntimeError("escaped the pipeline")  # redelivered too, never dropped

    bus.subscribe("t", flaky)
    await bus.publish(Message(topic="t", value=b"x"))
    await bus.drain(timeout_s=2)
    await bus.close()
    assert seen == [b"x", b"x", b"x"]


async def test_prepare_sees_the_batch_s_new_events_before_the_first_is_handled(
    db: Database,
) -> None:
    """`prepare` gets, once per batch, the events not processed yet; a prepare that fails
    (not transiently) leaves the batch to the event-by-event pass, which does without it."""
    seen: list[object] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        seen.append(event.event_id)

    async def prepare(session: AsyncSession, events: object) -> None:
        seen.append(("prepare", [e.event_id for e in events]))  # type: ignore[attr-defined]

    pipeline = _pipeline(db, InMemoryBus(), handle)
    pipeline.prepare = prepare
    old, new = _event("c1"), _event("c2")
    await pipeline(_message(old))  # a batch of one is prepared as any other
    assert seen == [("prepare", [old.event_id]), old.event_id]
    seen.clear()
    await pipeline.consume([_message(old), _message(new), _message(_event("c3"))])
    third = seen[-1]
    assert seen == [("prepare", [new.event_id, third]), new.event_id, third]

    async def broken(session: AsyncSession, events: object) -> None:
        raise RuntimeError("a bug in prepare")

    pipeline.prepare = broken
    seen.clear()
    batch = [_event("c4"), _event("c5")]
    await pipeline.consume([_message(e) for e in batch])
    assert seen == [e.event_id for e in batch]  # handled, on the second pass
