"""The intake's store contract (tests/unit/intake/store_contract.py) on a migrated SQLite
database; tests/integration/test_intake_store_pg.py runs it on PostgreSQL with `in_sql`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from services.intake.models import IntakeAttachment
from services.intake.sql_store import SqlStorage
from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from tests.unit.databases import migrated_copy
from tests.unit.intake.store_contract import SCENARIOS, Scenario, StoreUnderTest


def in_sql(db: Database) -> StoreUnderTest:
    """The SQL adapter on `db`, looked into with plain queries."""

    async def outbox_keys() -> list[str]:
        async with db.session() as session:
            query = select(OutboxMessage.key).order_by(col(OutboxMessage.id))
            return [key or "" for key in (await session.exec(query)).all()]

    async def attachment_hashes() -> list[str]:
        async with db.session() as session:
            query = select(IntakeAttachment.sha256).order_by(col(IntakeAttachment.id))
            return list((await session.exec(query)).all())

    return StoreUnderTest(SqlStorage(db), outbox_keys, attachment_hashes)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
async def test_the_sql_store_on_sqlite(tmp_path: Path, scenario: Scenario) -> None:
    db = Database(migrated_copy(tmp_path, "intake"))
    try:
        await scenario(in_sql(db))
    finally:
        await db.dispose()
