"""The router's store contract (tests/unit/router/store_contract.py) on a migrated SQLite
database; tests/integration/test_router_store_pg.py runs it on PostgreSQL with `in_sql`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from services.router.calendars import CalendarStore
from services.router.sql_store import SqlStorage
from tests.unit.databases import migrated_copy
from tests.unit.router.memory_support import packaged_core
from tests.unit.router.store_contract import SCENARIOS, Scenario, StoreUnderTest


def in_sql(db: Database) -> StoreUnderTest:
    """The SQL adapter on `db` (no calendar year loaded), looked into with a plain query."""
    calendar = packaged_core().calendar

    async def outbox() -> list[tuple[str, str, str]]:
        async with db.session() as session:
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            rows = (await session.exec(query)).all()
        return [(row.topic, row.key or "", row.event_id) for row in rows]

    return StoreUnderTest(SqlStorage(db, calendars=CalendarStore(calendar)), calendar, outbox)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_sql_store_on_sqlite(tmp_path: Path, scenario: Scenario) -> None:
    db = Database(migrated_copy(tmp_path, "router"))
    try:
        await scenario(in_sql(db))
    finally:
        await db.dispose()
