"""Retention: the rows a service keeps for its delivery guarantees, deleted once served.

Two tables grow with every event and hold nothing an officer or a citizen reads:

- `outbox`: a row is the event waiting to be published; once published it only helps
  whoever inspects what went out, and is kept `outbox_days`. The newest row of each key on
  a compacted topic stays whatever its age, as the topic keeps it: the router reads back the
  last reference data it published (`reference.last_published`) to publish only a change.
- `processed_event`: a consumer's record that it applied an event, which makes a second
  delivery of it do nothing. An event is only delivered again while its topic still holds
  it: up to `retention.ms + segment.ms` (7 + 7 days by default; the broker deletes a segment
  whole once its newest record has expired), for instance to a consumer group whose offsets
  expired and that starts again from the earliest record. `dedupe_days` (30 by default, at
  least 15) must be longer; `pakn topics` checks it against the topics (provision.py).
  A service can keep more of them (`keep_processed`): the router keeps those of the commands
  in its console's audit log, whose case file shows whether each was applied.

A round deletes at most `batch` rows of each table, each table in its own short
transaction; a `Poller` goes again at once while a round finds a full batch, then sleeps
`interval_s`. Rows whose time has not come are never touched. The replicas of a service
each run one; on PostgreSQL their rounds skip the rows another round has locked.
"""

from __future__ import annotations

from collections.abc import Collection, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Select, delete, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from schemas.topics import Topics, is_compacted
from services.kit.consumer import ProcessedEvent
from services.kit.db import Database, is_sqlite
from services.kit.loop import Poller
from services.kit.metrics import RETENTION_DELETED
from services.kit.outbox import OutboxMessage
from services.kit.settings import ServiceSettings


@dataclass(frozen=True)
class RetentionPolicy:
    dedupe_days: int = 30
    outbox_days: int = 7
    interval_s: float = 3600.0
    batch: int = 5000

    @classmethod
    def of(cls, settings: ServiceSettings) -> RetentionPolicy:
        """The policy a service's settings give."""
        return cls(
            dedupe_days=settings.dedupe_days,
            outbox_days=settings.outbox_keep_days,
            interval_s=settings.retention_interval_s,
        )


class Retention:
    """Deletes one service's published outbox rows and processed-event records past their
    time (module docstring). `keep_processed`: a query of event ids whose records stay."""

    def __init__(
        self,
        *,
        db: Database,
        service: str,
        policy: RetentionPolicy,
        compacted: Collection[str] = (),
        keep_processed: Select[Any] | None = None,
    ) -> None:
        self._db, self._service, self._policy = db, service, policy
        self._compacted = tuple(compacted)
        self._keep = keep_processed
        self._poller = Poller(
            self._round,
            idle_s=policy.interval_s,
            name=f"{service} retention",
            full=policy.batch,
        )

    @classmethod
    def of(
        cls,
        *,
        db: Database,
        service: str,
        settings: ServiceSettings,
        keep_processed: Select[Any] | None = None,
    ) -> Retention:
        """A service's retention as its settings say, its topics' compacted ones kept."""
        return cls(
            db=db,
            service=service,
            policy=RetentionPolicy.of(settings),
            compacted=compacted_topics(Topics(settings.topic_namespace)),
            keep_processed=keep_processed,
        )

    def run(self) -> Coroutine[Any, Any, None]:
        return self._poller.run()

    async def _round(self) -> int:
        outbox, processed = await self.run_once()
        return max(outbox, processed)  # a full batch of either: go again at once

    async def run_once(self, *, now: datetime | None = None) -> tuple[int, int]:
        """Delete one batch of each table; how many outbox rows and records went."""
        now = now or datetime.now(UTC)
        outbox = await self._delete(
            delete(OutboxMessage).where(
                col(OutboxMessage.id).in_(
                    self._old_outbox(now - timedelta(days=self._policy.outbox_days))
                )
            )
        )
        processed = await self._delete(
            delete(ProcessedEvent)
            .where(col(ProcessedEvent.service) == self._service)
            .where(
                col(ProcessedEvent.event_id).in_(
                    self._old_processed(now - timedelta(days=self._policy.dedupe_days))
                )
            )
        )
        RETENTION_DELETED.labels(service=self._service, table="outbox").inc(outbox)
        RETENTION_DELETED.labels(service=self._service, table="processed_event").inc(processed)
        return outbox, processed

    def _old_outbox(self, cutoff: datetime) -> Select[Any]:
        query = (
            select(col(OutboxMessage.id))
            .where(col(OutboxMessage.service) == self._service)
            .where(col(OutboxMessage.published_at).is_not(None))
            .where(col(OutboxMessage.published_at) < cutoff)
        )
        if self._compacted:
            newer = aliased(OutboxMessage)
            newest_of_key = (
                select(func.max(col(newer.id)))
                .where(col(newer.service) == col(OutboxMessage.service))
                .where(col(newer.topic) == col(OutboxMessage.topic))
                .where(col(newer.key) == col(OutboxMessage.key))
                .scalar_subquery()
            )
            query = query.where(
                or_(
                    col(OutboxMessage.topic).not_in(self._compacted),
                    col(OutboxMessage.id) < newest_of_key,
                )
            )
        return self._locked(query.order_by(col(OutboxMessage.id)).limit(self._policy.batch))

    def _old_processed(self, cutoff: datetime) -> Select[Any]:
        query = (
            select(col(ProcessedEvent.event_id))
            .where(col(ProcessedEvent.service) == self._service)
            .where(col(ProcessedEvent.processed_at) < cutoff)
        )
        if self._keep is not None:
            kept = self._keep.where(self._keep.selected_columns[0].is_not(None))
            query = query.where(col(ProcessedEvent.event_id).not_in(kept))
        return self._locked(query.limit(self._policy.batch))

    def _locked(self, query: Select[Any]) -> Select[Any]:
        """On PostgreSQL the rows a round deletes are locked as they are chosen, skipping
        those another replica's round holds: two rounds never wait for each other's rows,
        in whatever order they delete them, so they cannot deadlock."""
        return query if is_sqlite(self._db.url) else query.with_for_update(skip_locked=True)

    async def _delete(self, statement: Delete) -> int:
        async with self._db.transaction() as session:
            result = await session.execute(statement)
            return cast(CursorResult[Any], result).rowcount


def compacted_topics(topics: Topics) -> list[str]:
    """The compacted topics among `topics`' fixed ones (the reference data)."""
    return [topic for topic in topics.all_fixed() if is_compacted(topic)]
