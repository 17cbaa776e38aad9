"""The notifier's store contract (tests/unit/notifier/store_contract.py) on PostgreSQL."""

from __future__ import annotations

import pytest

from services.kit.db import Database
from tests.component.notifier.test_store_contract import in_sql
from tests.unit.notifier.store_contract import SCENARIOS, Scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_sql_store_on_postgresql(pg_url: str, scenario: Scenario) -> None:
    db = Database(pg_url)
    try:
        await scenario(in_sql(db))
    finally:
        await db.dispose()
