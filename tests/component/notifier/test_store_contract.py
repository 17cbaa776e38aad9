"""The notifier's store contract (tests/unit/notifier/store_contract.py) on a migrated SQLite
database; tests/integration/test_notifier_store_pg.py runs it on PostgreSQL with `in_sql`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from services.kit.db import Database
from services.notifier.sql_store import SqlStorage
from tests.unit.databases import migrated_copy
from tests.unit.notifier.store_contract import SCENARIOS, Scenario, StoreUnderTest


def in_sql(db: Database) -> StoreUnderTest:
    """The SQL adapter on `db`, looked into with a plain query."""

    async def rows(model: type[Any]) -> Sequence[Any]:
        async with db.session() as session:
            return list((await session.exec(select(model).order_by(model.id))).all())

    return StoreUnderTest(SqlStorage(db), rows)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_sql_store_on_sqlite(tmp_path: Path, scenario: Scenario) -> None:
    db = Database(migrated_copy(tmp_path, "notifier"))
    try:
        await scenario(in_sql(db))
    finally:
        await db.dispose()
