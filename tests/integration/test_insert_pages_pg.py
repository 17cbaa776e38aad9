"""A batch's rows with database-numbered ids go in pages of `INSERT_PAGE_ROWS` (services/kit/
db.py): a bounded number of statement texts, each of bounded size, in the driver's cache."""

from __future__ import annotations

from sqlmodel import SQLModel, col, select

from services.kit.db import INSERT_PAGE_ROWS, Database
from services.kit.outbox import OutboxMessage
from tests.support import statements_sent


async def test_a_batch_of_outbox_rows_is_inserted_in_pages(pg_url: str) -> None:
    database = Database(pg_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(
                SQLModel.metadata.create_all, tables=[OutboxMessage.__table__]
            )  # type: ignore[attr-defined]
        rows = 2 * INSERT_PAGE_ROWS + 5
        with statements_sent(database) as sent:
            async with database.transaction() as session:
                for n in range(rows):
                    session.add(
                        OutboxMessage(
                            service="test", topic="t", key="k", event_id=f"e{n}", payload="{}"
                        )
                    )
        inserts = [s for s in sent if s.startswith("INSERT INTO outbox")]
        assert len(inserts) == 3  # two full pages and the rest
        async with database.session() as session:
            ids = (
                await session.exec(select(OutboxMessage.id).order_by(col(OutboxMessage.id)))
            ).all()
        assert len(ids) == rows and len(set(ids)) == rows
    finally:
        await database.dispose()
