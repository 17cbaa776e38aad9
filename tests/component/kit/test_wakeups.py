"""kit.wakeups: a loop is woken once the transaction that queued its work commits, and not
for a transaction that rolled back or queued nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from services.kit import wakeups
from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from tests.unit.databases import migrated_copy


class Loop:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return Database(migrated_copy(tmp_path, "kit"))


async def test_a_loop_is_woken_after_the_commit_only(db: Database) -> None:
    loop, other = Loop(), Loop()
    wakeups.listen("test work", loop)
    wakeups.listen("other work", other)
    try:
        async with db.transaction() as session:
            await session.exec(select(OutboxMessage))  # queues nothing
        assert loop.woken == 0
        async with db.transaction() as session:
            wakeups.wake_after_commit(session, "test work")
            wakeups.wake_after_commit(session, "test work")  # once per transaction
            async with session.begin_nested():
                pass  # a savepoint released is not a commit
            assert loop.woken == 0
        assert (loop.woken, other.woken) == (1, 0)
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                wakeups.wake_after_commit(session, "test work")
                raise RuntimeError("rolled back")
        async with db.transaction() as session:
            await session.exec(select(OutboxMessage))  # the rolled-back request is gone
        assert loop.woken == 1
    finally:
        wakeups.forget("test work", loop)
        wakeups.forget("other work", other)
        await db.dispose()
