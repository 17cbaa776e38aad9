"""The migrations build the models' schema on PostgreSQL too."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import services.intake.models
import services.kit.consumer
import services.kit.outbox
import services.notifier.models
import services.router.models  # noqa: F401 - every table on the metadata


async def test_migrated_postgresql_database_matches_the_models(pg_url: str) -> None:
    engine = create_async_engine(pg_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
        )
    await engine.dispose()
    assert diff == [], f"models and migrations differ on PostgreSQL: {diff}"
