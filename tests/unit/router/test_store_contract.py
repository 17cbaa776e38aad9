"""The router's store contract (tests/unit/router/store_contract.py) on the in-memory fake;
tests/component/router/test_store_contract.py runs it on SQLite and
tests/integration/test_router_store_pg.py on PostgreSQL."""

from __future__ import annotations

import pytest

from services.router.memory_store import MemoryStorage
from tests.unit.router.memory_support import packaged_core
from tests.unit.router.store_contract import SCENARIOS, Scenario, StoreUnderTest


def in_memory() -> StoreUnderTest:
    calendar = packaged_core().calendar
    storage = MemoryStorage(calendar=calendar)

    async def outbox() -> list[tuple[str, str, str]]:
        return [(s.topic, s.key, s.event.event_id) for s in storage.outbox]

    return StoreUnderTest(storage, calendar, outbox)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_in_memory_store(scenario: Scenario) -> None:
    await scenario(in_memory())
