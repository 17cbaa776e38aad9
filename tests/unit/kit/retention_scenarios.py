"""What retention deletes and what it keeps (services/kit/retention.py), as scenarios that run
on a migrated SQLite database (tests/component/kit/test_batches.py) and on PostgreSQL
(tests/integration/test_batches_pg.py)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from schemas.topics import Topics
from services.kit.consumer import ProcessedEvent
from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from services.kit.retention import Retention, RetentionPolicy, compacted_topics
from services.router.models import AuditEntry
from tests.unit.kit.batch_scenarios import staged

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TOPICS = Topics("pakn")
POLICY = RetentionPolicy(dedupe_days=30, outbox_days=7, interval_s=3600, batch=1000)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def outbox_rows(
    db: Database, *rows: tuple[str, str, str, datetime | None], service: str = "router"
) -> list[int]:
    """Outbox rows (event id, topic, key, published at) of `service`; their ids."""
    async with db.transaction() as session:
        added = [
            OutboxMessage(
                service=service,
                topic=topic,
                key=key,
                event_id=event_id,
                payload="{}",
                created_at=published or NOW,
                published_at=published,
            )
            for event_id, topic, key, published in rows
        ]
        session.add_all(added)
        await session.flush()
        return [row.id for row in added if row.id is not None]


async def processed_rows(
    db: Database, *rows: tuple[str, datetime], service: str = "router"
) -> None:
    async with db.transaction() as session:
        session.add_all(
            ProcessedEvent(service=service, event_id=event_id, processed_at=at)
            for event_id, at in rows
        )


async def outbox_left(db: Database) -> set[str]:
    return {row.event_id for row in await staged(db)}


async def processed_left(db: Database) -> set[tuple[str, str]]:
    async with db.session() as session:
        query = select(col(ProcessedEvent.service), col(ProcessedEvent.event_id))
        return {(row[0], row[1]) for row in (await session.execute(query)).all()}


def _retention(db: Database, policy: RetentionPolicy = POLICY, **extra: object) -> Retention:
    return Retention(
        db=db,
        service="router",
        policy=policy,
        compacted=compacted_topics(TOPICS),
        **extra,  # type: ignore[arg-type]
    )


async def published_rows_go_after_their_days_and_pending_ones_never(db: Database) -> None:
    events = TOPICS.case_events
    await outbox_rows(
        db,
        ("old-published", events, "C1", ago(8)),
        ("just-inside", events, "C1", ago(6.9)),
        ("old-pending", events, "C2", None),
    )
    await outbox_rows(db, ("other-service", events, "C3", ago(30)), service="intake")

    assert await _retention(db).run_once(now=NOW) == (1, 0)

    assert await outbox_left(db) == {"just-inside", "old-pending", "other-service"}


async def the_newest_row_of_each_key_on_a_compacted_topic_stays(db: Database) -> None:
    reference, events = TOPICS.reference_data, TOPICS.case_events
    await outbox_rows(
        db,
        ("directory-1", reference, "directory", ago(400)),
        ("calendar-1", reference, "calendar", ago(300)),
        ("directory-2", reference, "directory", ago(200)),
        ("case-1", events, "C1", ago(200)),
        ("case-2", events, "C1", ago(100)),
    )

    assert await _retention(db).run_once(now=NOW) == (3, 0)

    # The router reads back the last directory and calendar it published: both stay.
    assert await outbox_left(db) == {"calendar-1", "directory-2"}


async def records_go_after_the_dedupe_window_unless_kept(db: Database) -> None:
    await processed_rows(
        db,
        ("expired", ago(31)),
        ("inside", ago(29)),
        ("a-command", ago(400)),
    )
    await processed_rows(db, ("other-service", ago(400)), service="intake")
    async with db.transaction() as session:  # an officer's command, in the console's log
        session.add(AuditEntry(actor="cb", agency="STP", action="take", event_id="a-command"))
        session.add(AuditEntry(actor="cb", agency="STP", action="view_case", event_id=None))
    keep = select(col(AuditEntry.event_id))

    assert await _retention(db, keep_processed=keep).run_once(now=NOW) == (0, 1)

    assert await processed_left(db) == {
        ("router", "inside"),
        ("router", "a-command"),
        ("intake", "other-service"),
    }


async def a_backlog_goes_in_batches_without_waiting_between_them(db: Database) -> None:
    events = TOPICS.case_events
    await outbox_rows(db, *((f"e{i}", events, f"C{i}", ago(10)) for i in range(5)))
    await processed_rows(db, *((f"p{i}", ago(40)) for i in range(3)))
    small = RetentionPolicy(dedupe_days=30, outbox_days=7, interval_s=3600, batch=2)

    assert await _retention(db, small).run_once(now=NOW) == (2, 2)
    assert len(await outbox_left(db)) == 3

    # The loop goes again at once after a full batch, then waits its hour.
    loop = asyncio.create_task(_retention(db, small).run())
    try:
        for _ in range(200):
            if not await outbox_left(db) and not await processed_left(db):
                break
            await asyncio.sleep(0.025)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert await outbox_left(db) == set()
    assert await processed_left(db) == set()


SCENARIOS = (
    published_rows_go_after_their_days_and_pending_ones_never,
    the_newest_row_of_each_key_on_a_compacted_topic_stays,
    records_go_after_the_dedupe_window_unless_kept,
    a_backlog_goes_in_batches_without_waiting_between_them,
)
