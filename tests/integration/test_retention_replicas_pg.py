"""Two replicas' retention rounds at once on PostgreSQL: every expired row is deleted once,
and neither round fails or waits on the other's (services/kit/retention.py)."""

from __future__ import annotations

import asyncio

from services.kit.db import Database
from services.kit.retention import Retention, RetentionPolicy, compacted_topics
from tests.unit.kit.retention_scenarios import (
    NOW,
    TOPICS,
    ago,
    outbox_left,
    outbox_rows,
    processed_left,
    processed_rows,
)

ROWS = 2000


async def _until_done(retention: Retention) -> tuple[int, int]:
    outbox = processed = 0
    while True:
        deleted = await retention.run_once(now=NOW)
        outbox, processed = outbox + deleted[0], processed + deleted[1]
        if deleted == (0, 0):
            return outbox, processed


async def test_two_replicas_delete_a_backlog_together_each_row_once(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        events = TOPICS.case_events
        await outbox_rows(db, *((f"e{i}", events, f"C{i % 50}", ago(10)) for i in range(ROWS)))
        await processed_rows(db, *((f"p{i}", ago(40)) for i in range(ROWS)))
        policy = RetentionPolicy(dedupe_days=30, outbox_days=7, batch=150)
        replicas = [
            Retention(db=db, service="router", policy=policy, compacted=compacted_topics(TOPICS))
            for _ in range(2)
        ]

        done = await asyncio.gather(*(_until_done(r) for r in replicas))

        assert sum(d[0] for d in done) == ROWS
        assert sum(d[1] for d in done) == ROWS
        assert all(d[0] > 0 for d in done)  # both took part
        assert await outbox_left(db) == set()
        assert await processed_left(db) == set()
    finally:
        await db.dispose()
