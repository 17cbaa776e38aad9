"""The Kafka adapter in memory, on FastStream's `TestKafkaBroker`: the cases of
tests/unit/kit/kafka_adapter_cases.py (the same run on the real broker in
tests/integration/test_kafka_adapter.py; what memory cannot show is listed there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from schemas.topics import Topics
from services.kit.db import Database
from tests.unit.databases import migrated_copy
from tests.unit.kit.kafka_adapter_cases import CASES
from tests.unit.kit.kafka_harness import Harness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    db = Database(migrated_copy(tmp_path, "kit"))
    yield Harness(db=db, topics=Topics("memory"))
    await db.dispose()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_in_memory(harness: Harness, case: Callable[[Harness], Awaitable[None]]) -> None:
    await case(harness)
