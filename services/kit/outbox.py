"""Transactional outbox: events are stored with the state change, then relayed to the bus."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import Event
from services.kit.columns import UtcDateTime, utc_now
from services.kit.db import Database, is_sqlite
from services.kit.loop import Poller
from services.kit.transport import Message, Publisher

log = logging.getLogger(__name__)


class OutboxMessage(SQLModel, table=True):
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


def to_message(row: OutboxMessage) -> Message:
    event_type = json.loads(row.payload).get("event_type", "")
    return Message(
        topic=row.topic,
        value=row.payload.encode(),
        key=row.key.encode() if row.key else None,
        headers={"event_id": row.event_id, "event_type": event_type, "producer": row.service},
    )


class OutboxRelay:
    """Publishes a service's pending outbox rows in order, then marks them sent.

    A crash between publish and mark re-publishes: consumers de-duplicate on event_id.
    On PostgreSQL, `SKIP LOCKED` lets several replicas relay without publishing twice;
    per-case order is guaranteed within one relay, so run one relay per service.
    """

    def __init__(
        self, *, db: Database, service: str, publisher: Publisher, interval_s: float = 0.2
    ) -> None:
        self._db = db
        self._service = service
        self._publisher = publisher
        self._poller = Poller(self.run_once, idle_s=interval_s, name=f"{service} outbox relay")

    def wake(self) -> None:
        self._poller.wake()

    async def run_once(self, *, batch: int = 200) -> int:
        async with self._db.transaction() as session:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.service == self._service)
                .where(col(OutboxMessage.published_at).is_(None))
                .order_by(col(OutboxMessage.id))
                .limit(batch)
            )
            if not is_sqlite(self._db.url):
                query = query.with_for_update(skip_locked=True)
            rows = (await session.exec(query)).all()
            by_key: dict[str | None, list[OutboxMessage]] = defaultdict(list)
            for row in rows:
                by_key[row.key].append(row)
            # Keys are case ids: one case's events go out in order, different cases at once.
            await asyncio.gather(*(self._publish_in_order(group) for group in by_key.values()))
            for row in rows:
                session.add(row)
            return len(rows)

    async def _publish_in_order(self, rows: list[OutboxMessage]) -> None:
        for row in rows:
            await self._publisher.publish(to_message(row))
            row.published_at = datetime.now(UTC)

    async def run(self) -> None:
        await self._poller.run()
