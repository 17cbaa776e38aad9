"""Pooled PostgreSQL connections: pinged after a quiet spell only (services/kit/db.py).

A connection used a moment ago goes straight back to work (no BEGIN/;/ROLLBACK before each
transaction); one that sat idle is pinged, and replaced when the server restarted meanwhile,
so the first transaction after a quiet restart does not fail.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlmodel import text

from services.kit import db as kit_db
from services.kit.db import Database
from tests.integration.restartable_pg import RestartablePostgres

IDLE_S = 0.3


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pings the pool made, counted at the driver adapter."""
    made: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counted(self: AsyncAdapt_asyncpg_connection) -> None:
        made.append(1)
        original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
    monkeypatch.setattr(kit_db, "IDLE_PING_S", IDLE_S)
    return made


async def _one(database: Database) -> int:
    async with database.transaction() as session:
        return int((await session.exec(text("SELECT 1"))).one()[0])  # type: ignore[call-overload]


async def test_a_busy_connection_is_not_pinged_an_idle_one_is(
    own_pg: RestartablePostgres, pings: list[int]
) -> None:
    database = Database(await own_pg.database())
    try:
        for _ in range(5):
            assert await _one(database) == 1
        assert len(pings) == 1, "only the new connection's first checkout is pinged"
        await asyncio.sleep(IDLE_S * 2)
        assert await _one(database) == 1
        assert len(pings) == 2
    finally:
        await database.dispose()


async def test_the_first_transaction_after_a_quiet_restart_succeeds(
    own_pg: RestartablePostgres, pings: list[int]
) -> None:
    database = Database(await own_pg.database())
    try:
        assert await _one(database) == 1
        await own_pg.stop()
        await own_pg.start()
        await asyncio.sleep(IDLE_S * 2)
        assert await _one(database) == 1, "the stale connection was replaced, not used"
    finally:
        await database.dispose()
