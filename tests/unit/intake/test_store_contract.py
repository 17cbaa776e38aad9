"""The intake's store contract (tests/unit/intake/store_contract.py) on the in-memory fake;
tests/component/intake/test_store_contract.py runs it on SQLite and
tests/integration/test_intake_store_pg.py on PostgreSQL."""

from __future__ import annotations

import pytest

from services.intake.memory_store import MemoryStorage
from tests.unit.intake.store_contract import SCENARIOS, Scenario, StoreUnderTest


def in_memory() -> StoreUnderTest:
    storage = MemoryStorage()

    async def outbox_keys() -> list[str]:
        return [staged.key for staged in storage.outbox]

    async def attachment_hashes() -> list[str]:
        return [attachment.sha256 for attachment in storage.tables.attachments]

    return StoreUnderTest(storage, outbox_keys, attachment_hashes)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_in_memory_store(scenario: Scenario) -> None:
    await scenario(in_memory())
