"""Reference lookups made once per transaction (`services/kit/db.py`): a batch of events
asks the database once whether the calendar or the directory changed, not once per event."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from services.kit.db import Database, mark_in_transaction, seen_in_transaction
from services.router.calendars import CalendarStore
from services.router.domain.calendar import load_calendar
from services.router.models import CalendarChange
from tests.support import reads_of, statements_sent
from tests.unit.databases import migrated_copy


async def test_a_mark_lasts_for_its_transaction_only(tmp_path: Path) -> None:
    db = Database(migrated_copy(tmp_path, "memo"))
    try:
        async with db.session() as session:
            async with session.begin():
                assert not seen_in_transaction(session, "k")
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
                mark_in_transaction(session, "k")
                assert seen_in_transaction(session, "k")
                assert not seen_in_transaction(session, "other")
            async with session.begin():  # the same session, the next transaction
                assert not seen_in_transaction(session, "k")
    finally:
        await db.dispose()


async def test_the_calendar_is_looked_up_once_per_transaction_and_again_in_the_next(
    tmp_path: Path,
) -> None:
    db = Database(migrated_copy(tmp_path, "calendar"))
    store = CalendarStore(load_calendar())
    try:
        with statements_sent(db) as sent:
            async with db.transaction() as session:
                first = await store.current(session)
                for _ in range(5):
                    assert await store.current(session) is first
            # the change log's head, then the years (first build)
            assert reads_of(sent, "router_calendar") == 2
            async with db.transaction() as session:
                assert await store.current(session) is first
                assert await store.current(session) is first
            assert reads_of(sent, "router_calendar") == 3  # the head only: nothing changed
            async with db.transaction() as session:
                session.add(
                    CalendarChange(
                        changed_by="admin", source="test", years="2027", previous_version="a",
                        version="b", summary="",
                    )
                )  # fmt: skip
            async with db.transaction() as session:
                await store.current(session)
            assert reads_of(sent, "router_calendar") == 5, (
                "the next transaction looks again and sees the change"
            )
    finally:
        await db.dispose()
