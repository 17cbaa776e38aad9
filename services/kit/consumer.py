"""The one way every service consumes: archive → decode → de-duplicate → handle in a transaction,
for a batch of messages at a time.

A message that cannot be decoded, or whose handling fails permanently, is parked on the
dead-letter topic with its error and the consumer moves on. Anything else that goes wrong —
the database or the broker away, the dead-letter topic unreachable, the archive not
written — is retried here with a bounded back-off and then handed back to the transport
for redelivery (`Redeliver`), for as long as the outage lasts: the pipeline never returns
normally (which lets the transport commit the offset) unless the message was handled or
parked. docs/decisions/0006-database-outages.md explains why.

What "permanently" means is decided by the error's type (`decide`; the classes are in
`services/kit/errors.py`): our `Transient` is retried, our `Permanent` is parked, an
infrastructure error (`services.kit.faults.is_transient`) is retried, and anything else — a
bug, bad data — is parked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar, assert_never

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import Event
from schemas.topics import dead_letter
from services.kit.columns import UtcDateTime, utc_now
from services.kit.db import Database, is_sqlite
from services.kit.errors import PaknError, Permanent, Transient
from services.kit.errors import PermanentError as PermanentError  # re-exported: its old home
from services.kit.faults import is_transient
from services.kit.health import Readiness, backoff_s, readiness
from services.kit.logs import context, describe
from services.kit.metrics import BATCH_SECONDS, BATCH_SIZE, DEAD_LETTERS, HANDLER_SECONDS, MESSAGES
from services.kit.table import Table
from services.kit.transport import Message, Publisher, Redeliver

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)


class Decision(Enum):
    """What the pipeline does with a message whose handling raised."""

    RETRY = "retry"  # back off, try again, then hand back for redelivery (`Redeliver`)
    PARK = "park"  # dead-letter it and move on


def decide(error: BaseException) -> Decision:
    """The pipeline's decision for a handler's `error`, by its type.

    Our own classes say it themselves, and an explicit `Permanent` wins over a transient
    cause it was raised from; other errors are retried when they are infrastructure trouble
    that may pass (`is_transient`) and parked otherwise (a bug or bad data must not block
    the partition).
    """
    if isinstance(error, Transient):
        return Decision.RETRY
    if isinstance(error, Permanent):
        return Decision.PARK
    if is_transient(error):
        return Decision.RETRY
    return Decision.PARK


class ProcessedEvent(Table, table=True):
    __tablename__ = "processed_event"

    service: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(primary_key=True, max_length=64)
    processed_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


EventHandler = Callable[[AsyncSession, E], Awaitable[None]]
BatchPreparer = Callable[[AsyncSession, Sequence[E]], Awaitable[None]]
Archive = Callable[[Sequence[Message]], Awaitable[None]]


@dataclass
class Pipeline(Generic[E]):
    """Consumes one topic for one service, one message or a batch of them at a time.

    A batch is applied in one database transaction (`consume`): the archive step, then
    every decodable event not yet processed, with its `ProcessedEvent` row, in the order
    given (a partition's order). If an event fails permanently, the batch is rolled back and
    done again with each event in a SAVEPOINT of its own: the poison's savepoint alone is
    rolled back, and it is parked once the transaction has committed, like an undecodable
    message. A transient failure anywhere rolls back the whole batch, which is tried again
    as a whole. docs/decisions/0009-batches.md.

    `archive`, when given, keeps the batch's raw messages before anything reads them; it
    runs inside the same retry scope as the handler, so a database outage cannot skip it,
    and the transactions it opens on `db` join the batch's (`Database.joined`).

    `prepare`, when given, is called in the batch's transaction with the events about to be
    handled, before the first of them: a service reads there in a few queries what its
    handler would otherwise read event by event. It is an optimisation and must not change
    what the handler does. It runs on the first pass only: if it fails for any reason but a
    transient one, the batch is done again event by event, without it, as after a poison.
    """

    service: str
    db: Database
    adapter: TypeAdapter[E]
    handle: EventHandler[E]
    dead_letters: Publisher
    after_commit: Callable[[], None] = lambda: None
    retries: int = 3
    backoff_s: float = 0.2
    max_backoff_s: float = 5.0
    on_park: Callable[[Message, BaseException], Awaitable[None]] | None = None
    archive: Archive | None = None
    prepare: BatchPreparer[E] | None = None
    # Events the handler does nothing with (a service reading back its own events): they
    # are finished without a transaction or a `processed_event` row, and a batch of them
    # alone opens no transaction. Doing nothing twice is harmless, so nothing is lost.
    ignores: Callable[[E], bool] | None = None
    health: Readiness = readiness

    @property
    def component(self) -> str:
        return f"{self.service} consumer"

    async def __call__(self, message: Message) -> None:
        await self.consume([message])

    async def consume(self, messages: Sequence[Message]) -> None:
        """Handle or park every message of `messages`, or raise `Redeliver` for all of them.

        Returning normally is what lets the transport commit the offsets past the batch;
        until then a failure is retried with a bounded back-off, and nothing escapes as
        done (docs/decisions/0006-database-outages.md).
        """
        if not messages:
            return
        for topic, count in _per_topic(messages).items():
            BATCH_SIZE.labels(service=self.service, topic=topic).observe(count)
        for _attempt in range(self.retries + 1):
            started = time.perf_counter()
            try:
                await self._consume(messages)
            except Exception as error:  # nothing may escape as "done": the offset would move
                self._timed(messages, started)
                self._count(messages, "retried")
                self.health.down(self.component, error)
                failures = self.health.failures(self.component)
                log.warning(
                    "%s: %s not handled yet (failure %d): %s",
                    self.service,
                    _where(messages),
                    failures,
                    describe(error),
                )
                await asyncio.sleep(
                    backoff_s(failures, base_s=self.backoff_s, cap_s=self.max_backoff_s)
                )
                continue
            self._timed(messages, started)
            self.health.up(self.component)
            return
        raise Redeliver(f"{self.service}: giving up for now on {_where(messages)}")

    async def _consume(self, messages: Sequence[Message]) -> None:
        try:
            # Even a batch of one: a poison is rare, a savepoint's two round trips are not.
            applied, parked = await self._attempt(messages, isolate=False)
        except _Isolate as why:
            log.info("%s: %s again, event by event: %s", self.service, _where(messages), why)
            applied, parked = await self._attempt(messages, isolate=True)
        if any(applied.values()):
            self.after_commit()
        for _index, poison, error, event in sorted(parked, key=lambda item: item[0]):
            await self._park(poison, error, event)
        # Counted once the batch is done for good: a rolled-back attempt counts as retried.
        self._count([messages[i] for i, outcome in applied.items() if outcome], "handled")
        self._count(
            [messages[i] for i, outcome in applied.items() if outcome is False], "duplicate"
        )
        self._count([messages[i] for i, outcome in applied.items() if outcome is None], "ignored")
        self._count([poison for _, poison, _, _ in parked], "parked")

    def _timed(self, messages: Sequence[Message], started: float) -> None:
        elapsed = time.perf_counter() - started
        BATCH_SECONDS.labels(service=self.service, topic=messages[0].topic).observe(elapsed)

    def _count(self, messages: Sequence[Message], outcome: str) -> None:
        for topic, count in _per_topic(messages).items():
            MESSAGES.labels(service=self.service, topic=topic, outcome=outcome).inc(count)

    async def _attempt(
        self, messages: Sequence[Message], *, isolate: bool
    ) -> tuple[dict[int, bool | None], list[_Parked]]:
        """One transaction for the batch: the messages it handled, by index (True: applied,
        False: a duplicate, already processed, None: ignored), and which messages to park.

        First without savepoints (`isolate=False`): an event that fails permanently, or a
        constraint that fails at the commit, rolls the whole batch back (`_Isolate`), and
        the batch is done again with each event in a SAVEPOINT of its own, so that the
        poison alone is taken back. Most batches have no poison and pay for no savepoint.
        """
        parked: list[_Parked] = []
        applied: dict[int, bool | None] = {}
        decoded: list[tuple[int, Message, E]] = []
        for index, message in enumerate(messages):
            try:
                event = self.adapter.validate_json(message.value)
            except (ValidationError, ValueError) as error:
                parked.append((index, message, error, None))
                continue
            if self.ignores is not None and self.ignores(event):
                applied[index] = None
                continue
            decoded.append((index, message, event))
        if not decoded and self.archive is None:
            return applied, parked  # nothing to write: no transaction
        try:
            async with self.db.batch() as session:
                if self.archive is not None:
                    with self.db.joined(session):
                        await self.archive(messages)
                ids = [event.event_id for _, _, event in decoded]
                # The first pass claims the batch's events as processed in the statement that
                # finds the duplicates (its rows roll back with it); the event-by-event pass
                # records each event in its savepoint, so that a poison stays unrecorded.
                done = await (self._processed if isolate else self._claim)(session, ids)
                if self.prepare is not None and not isolate:
                    await self.prepare(
                        session, [e for _, _, e in decoded if e.event_id not in done]
                    )
                for index, message, event in decoded:
                    if event.event_id in done:
                        applied[index] = False
                        continue  # redelivered, or twice in this batch
                    try:
                        with context(**_ids(message, event)):
                            if isolate:
                                await self._apply_alone(session, event, message.topic)
                            else:
                                await self._apply(session, event, message.topic)
                    except Exception as error:
                        match decide(error):
                            case Decision.RETRY:
                                raise  # the whole batch rolls back and is tried again
                            case Decision.PARK if not isolate:
                                raise _Isolate(describe(error)) from error
                            case Decision.PARK:
                                # A unique violation: either a concurrent replica handled
                                # the same event, or the data is bad. Anything else is a
                                # bug or bad data, which must not block the partition.
                                if isinstance(error, IntegrityError) and await self._processed(
                                    session, [event.event_id]
                                ):
                                    done.add(event.event_id)
                                    applied[index] = False
                                    continue
                                parked.append((index, message, error, event))
                                continue
                            case _ as unreachable:
                                assert_never(unreachable)
                    done.add(event.event_id)
                    applied[index] = True
                    # A batch's handlers may compute for a long while without awaiting
                    # (the statements go at the flush): let the service's other tasks (the
                    # mailer, the outbox relay, the pages) have the loop between events.
                    await asyncio.sleep(0)
        except _Isolate:
            raise
        except Exception as error:
            if isolate or decide(error) is Decision.RETRY:
                raise
            # e.g. a constraint that failed when the batch was flushed at its commit
            raise _Isolate(describe(error)) from error
        return applied, parked

    async def _apply(self, session: AsyncSession, event: E, topic: str) -> None:
        started = time.perf_counter()
        try:
            await self.handle(session, event)
        finally:
            HANDLER_SECONDS.labels(service=self.service, topic=topic).observe(
                time.perf_counter() - started
            )

    async def _apply_alone(self, session: AsyncSession, event: E, topic: str) -> None:
        """Handle `event` in a SAVEPOINT, with its `ProcessedEvent` row: a failure takes
        back this event's work alone."""
        async with session.begin_nested():
            await self._apply(session, event, topic)
            session.add(ProcessedEvent(service=self.service, event_id=event.event_id))
            await session.flush()  # a constraint fails here, inside the savepoint

    async def _claim(self, session: AsyncSession, event_ids: Sequence[str]) -> set[str]:
        """Record `event_ids` as processed by this service, in one statement, and return
        those it had recorded before (duplicates). Sorted, so that two replicas claiming
        the same events during a rebalance wait for each other instead of deadlocking;
        a claim another transaction holds is waited for, then found taken."""
        if not event_ids:
            return set()
        table = ProcessedEvent.__table__  # type: ignore[attr-defined]
        dialect_insert = sqlite_insert if is_sqlite(self.db.url) else postgresql_insert
        statement = dialect_insert(table).on_conflict_do_nothing().returning(table.c.event_id)
        now = utc_now()
        rows = [
            {"service": self.service, "event_id": event_id, "processed_at": now}
            for event_id in sorted(set(event_ids))
        ]
        claimed = set((await session.execute(statement, rows)).scalars())
        return set(event_ids) - claimed

    async def _processed(self, session: AsyncSession, event_ids: Sequence[str]) -> set[str]:
        """Which of `event_ids` this service has already processed (one query)."""
        if not event_ids:
            return set()
        query = select(ProcessedEvent.event_id).where(
            ProcessedEvent.service == self.service,
            col(ProcessedEvent.event_id).in_(set(event_ids)),
        )
        return set((await session.exec(query)).all())

    async def _park(self, message: Message, error: BaseException, event: Any = None) -> None:
        """Dead-letter the message; if even that fails, the message is tried again later."""
        with context(**_ids(message, event)):
            log.error(
                "%s: dead-lettering %s@%s: %s",
                self.service,
                message.topic,
                message.offset,
                describe(error),
            )
        headers = dict(message.headers)
        headers.update(
            {
                "dlq_error": f"{type(error).__name__}: {error}"[:2000],
                "dlq_service": self.service,
                "dlq_source_topic": message.topic,
                "dlq_source_partition": str(message.partition),
                "dlq_source_offset": str(message.offset),
                "dlq_at": datetime.now(UTC).isoformat(),
            }
        )
        await self.dead_letters.publish(
            Message(
                topic=dead_letter(message.topic),
                value=message.value,
                key=message.key,
                headers=headers,
            )
        )
        DEAD_LETTERS.labels(service=self.service, topic=message.topic).inc()
        if self.on_park is None:
            return
        try:
            await self.on_park(message, error)
        except Exception as hook_error:
            if decide(hook_error) is Decision.RETRY:
                raise  # parked twice at worst: the dead-letter topic is at-least-once
            log.exception("%s: recording the dead letter failed", self.service)


_Parked = tuple[int, Message, BaseException, Any]  # index, message, error, its event if any


class _Isolate(PaknError):
    """The batch holds a message that fails permanently: do it again event by event."""


def _per_topic(messages: Sequence[Message]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in messages:
        counts[message.topic] = counts.get(message.topic, 0) + 1
    return counts


def _ids(message: Message, event: Any = None) -> dict[str, object]:
    """What a log line about `message` may carry: ids and its place, nothing it says."""
    case_id = getattr(event, "case_id", None)
    event_id = getattr(event, "event_id", None) or message.headers.get("event_id")
    return {
        "case_id": case_id,
        "event_id": event_id,
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
    }


def _where(messages: Sequence[Message]) -> str:
    first, last = messages[0], messages[-1]
    if len(messages) == 1:
        return f"{first.topic}@{first.offset}"
    return f"{len(messages)} messages of {first.topic} ({first.offset}…{last.offset})"
