"""The one way every service consumes: decode → de-duplicate → handle in a transaction.

A message that cannot be decoded, or whose handling fails permanently, is parked on the
dead-letter topic with its error and the consumer moves on; a transient failure (the
database is away) is retried with backoff and then handed back to the transport for
redelivery, so nothing is skipped and no poison message blocks its partition.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import Event
from schemas.topics import dead_letter
from services.kit.columns import UtcDateTime, utc_now
from services.kit.db import Database
from services.kit.transport import Message, Publisher, Redeliver

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)


class PermanentError(Exception):
    """Handling this event can never succeed (bad reference, broken invariant): dead-letter it."""


def _is_transient(error: Exception) -> bool:
    """Infrastructure trouble that may pass: the database or network is away or busy."""
    if isinstance(error, OperationalError | OSError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    service: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(primary_key=True, max_length=64)
    processed_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


EventHandler = Callable[[AsyncSession, E], Awaitable[None]]


@dataclass
class Pipeline(Generic[E]):
    """Consumes one topic for one service."""

    service: str
    db: Database
    adapter: TypeAdapter[E]
    handle: EventHandler[E]
    dead_letters: Publisher
    after_commit: Callable[[], None] = lambda: None
    retries: int = 3
    backoff_s: float = 0.2
    on_park: Callable[[Message, BaseException], Awaitable[None]] | None = None

    async def __call__(self, message: Message) -> None:
        try:
            event = self.adapter.validate_json(message.value)
        except (ValidationError, ValueError) as error:
            await self._park(message, error)
            return
        for attempt in range(self.retries + 1):
            try:
                await self._apply(event)
                return
            except IntegrityError as error:
                # Either a concurrent replica handled the same event, or the data is bad.
                if not await self._seen(event.event_id):
                    await self._park(message, error)
                return
            except Exception as error:
                if not _is_transient(error):  # a bug or bad data must not block the partition
                    await self._park(message, error)
                    return
                log.warning("%s: transient failure (attempt %d): %s", self.service, attempt, error)
                await asyncio.sleep(self.backoff_s * 2**attempt)
        raise Redeliver(f"{self.service}: giving up for now on {event.event_id}")

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
        if self.on_park is not None:
            await self.on_park(message, error)
