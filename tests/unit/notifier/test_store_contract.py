"""The notifier's store contract (tests/unit/notifier/store_contract.py) on the in-memory
fake; tests/component/notifier/test_store_contract.py runs it on SQLite and
tests/integration/test_notifier_store_pg.py on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from services.notifier.memory_store import MemoryStorage
from services.notifier.models import Delivery, DigestEntry, PublicTransfer, Redaction
from tests.unit.notifier.store_contract import SCENARIOS, Scenario, StoreUnderTest


def in_memory() -> StoreUnderTest:
    storage = MemoryStorage()
    tables = storage.tables

    async def rows(model: type[Any]) -> Sequence[Any]:
        by_model: dict[type[Any], Sequence[Any]] = {
            Delivery: [tables.deliveries[i] for i in sorted(tables.deliveries)],
            DigestEntry: [tables.lines[i] for i in sorted(tables.lines)],
            PublicTransfer: tables.transfers,
            Redaction: tables.redactions,
        }
        return list(by_model[model])

    return StoreUnderTest(storage, rows)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_in_memory_store(scenario: Scenario) -> None:
    await scenario(in_memory())
