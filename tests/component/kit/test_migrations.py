"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import services.migrations  # noqa: F401 - the package path must exist
from services.kit.migrate import upgrade
from services.kit.settings import data_dir_url


def test_migrated_sqlite_database_matches_the_models(tmp_path: Path) -> None:
    url = data_dir_url(tmp_path, "schema")
    asyncio.run(asyncio.to_thread(upgrade, url))
    import services.intake.models
    import services.kit.consumer
    import services.kit.outbox
    import services.notifier.models
    import services.router.models  # noqa: F401 - every table on the metadata

    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: add a migration for {diff}"
