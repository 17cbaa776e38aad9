"""The one way every service consumes: archive → decode → de-duplicate → handle in a transaction.

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Generic, TypeVar, assert_never

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import Event
from schemas.topics import dead_letter
from services.kit.columns import UtcDateTime, utc_now
from services.kit.db import Database
from services.kit.errors import Permanent, Transient
from services.kit.errors import PermanentError as PermanentError  # re-exported: its old home
from services.kit.faults import is_transient
from services.kit.health import Readiness, backoff_s, readiness
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


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    service: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(primary_key=True, max_length=64)
    processed_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


EventHandler = Callable[[AsyncSession, E], Awaitable[None]]
Archive = Callable[[Message], Awaitable[None]]


@dataclass
class Pipeline(Generic[E]):
    """Consumes one topic for one service.

    `archive`, when given, keeps the raw message before anything reads it; it runs inside
    the same retry scope as the handler, so a database outage cannot skip it.
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
    health: Readiness = readiness

    @property
    def component(self) -> str:
        return f"{self.service} consumer"

    async def __call__(self, message: Message) -> None:
        for _attempt in range(self.retries + 1):
            try:
                await self._consume(message)
            except Exception as error:  # nothing may escape as "done": the offset would move
                self.health.down(self.component, error)
                failures = self.health.failures(self.component)
                log.warning(
                    "%s: %s@%s not handled yet (failure %d): %s",
                    self.service,
                    message.topic,
                    message.offset,
                    failures,
                    error,
                )
                await asyncio.sleep(
                    backoff_s(failures, base_s=self.backoff_s, cap_s=self.max_backoff_s)
                )
                continue
            self.health.up(self.component)
            return
        raise Redeliver(f"{self.service}: giving up for now on {message.topic}@{message.offset}")

    async def _consume(self, message: Message) -> None:
        if self.archive is not None:
            await self.archive(message)
        try:
            event = self.adapter.validate_json(message.value)
        except (ValidationError, ValueError) as error:
            await self._park(message, error)
            return
        try:
            await self._apply(event)
        except Exception as error:
            match decide(error):
                case Decision.RETRY:
                    raise
                case Decision.PARK:
                    # A unique violation: either a concurrent replica handled the same event,
                    # or the data is bad. Anything else is a bug or bad data, which must not
                    # block the partition.
                    if isinstance(error, IntegrityError) and await self._seen(event.event_id):
                        return
                    await self._park(message, error)
                case _ as unreachable:
                    assert_never(unreachable)

    async def _apply(self, event: E) -> None:
        async with self.db.transaction() as session:
            if await session.get(ProcessedEvent, (self.service, event.event_id)):
                return
            await self.handle(session, event)
            session.add(ProcessedEvent(service=self.service, event_id=event.event_id))
        self.after_commit()

    async def _seen(self, event_id: str) -> bool:
        async with self.db.session() as session:
            return await session.get(ProcessedEvent, (self.service, event_id)) is not None

    async def _park(self, message: Message, error: BaseException) -> None:
        """Dead-letter the message; if even that fails, the message is tried again later."""
        log.error(
            "%s: dead-lettering %s@%s: %s", self.service, message.topic, message.offset, error
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
        if self.on_park is None:
            return
        try:
            await self.on_park(message, error)
        except Exception as hook_error:
            if decide(hook_error) is Decision.RETRY:
                raise  # parked twice at worst: the dead-letter topic is at-least-once
            log.exception("%s: recording the dead letter failed", self.service)
