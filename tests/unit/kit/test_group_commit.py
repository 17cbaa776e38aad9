"""Operations that arrive together share one transaction; each caller still gets its own
result after the commit, and one operation's own fault fails no other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from sqlalchemy.exc import OperationalError

from services.kit.group_commit import GroupCommit


class Ledger:
    """A fake database: what each transaction did, and whether it committed."""

    def __init__(self) -> None:
        self.committed: list[list[str]] = []
        self.rolled_back: list[list[str]] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[list[str]]:
        work: list[str] = []
        await asyncio.sleep(0)  # BEGIN
        try:
            yield work
        except BaseException:
            self.rolled_back.append(work)
            raise
        await asyncio.sleep(0)  # COMMIT
        self.committed.append(work)


Operation = Callable[[list[str]], Awaitable[str]]


def write(name: str) -> Operation:
    async def operation(work: list[str]) -> str:
        work.append(name)
        return f"{name} done"

    return operation


def broken(error: Exception) -> Operation:
    async def operation(work: list[str]) -> str:
        work.append("broken")
        raise error

    return operation


async def test_operations_that_arrive_together_share_one_commit() -> None:
    ledger = Ledger()
    commits = GroupCommit(ledger.transaction)
    results = await asyncio.gather(*(commits.run(write(f"op{i}")) for i in range(5)))
    assert results == [f"op{i} done" for i in range(5)]
    assert ledger.committed == [[f"op{i}" for i in range(5)]] and commits.transactions == 1


async def test_a_caller_has_its_result_only_once_its_transaction_committed() -> None:
    ledger = Ledger()
    commits = GroupCommit(ledger.transaction)
    assert await commits.run(write("mark")) == "mark done"
    assert ledger.committed == [["mark"]]


async def test_what_arrives_during_a_commit_goes_into_the_next_one() -> None:
    ledger = Ledger()
    commits = GroupCommit(ledger.transaction)
    first = asyncio.create_task(commits.run(write("first")))
    await asyncio.sleep(0)  # the drainer has taken "first"
    await asyncio.sleep(0)
    second = await commits.run(write("second"))
    assert await first == "first done" and second == "second done"
    assert ledger.committed == [["first"], ["second"]]


async def test_an_outage_fails_every_operation_of_its_transaction() -> None:
    ledger = Ledger()
    commits = GroupCommit(ledger.transaction)
    outage = OperationalError("UPDATE", {}, ConnectionRefusedError(111, "refused"))
    results = await asyncio.gather(
        commits.run(write("a")), commits.run(broken(outage)), return_exceptions=True
    )
    assert results == [outage, outage]
    assert ledger.committed == [] and commits.transactions == 1


async def test_one_operation_s_own_fault_fails_it_alone() -> None:
    ledger = Ledger()
    commits = GroupCommit(ledger.transaction)
    bug = ValueError("a bug in one operation")
    results = await asyncio.gather(
        commits.run(write("a")),
        commits.run(broken(bug)),
        commits.run(write("c")),
        return_exceptions=True,
    )
    assert results == ["a done", bug, "c done"]
    assert ledger.committed == [["a"], ["c"]]  # after the shared attempt rolled back


async def test_a_caller_cancelled_before_its_turn_has_nothing_done() -> None:
    ledger = Ledger()
    commits = GroupCommit(ledger.transaction)
    first = asyncio.create_task(commits.run(write("first")))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    late = asyncio.create_task(commits.run(write("late")))
    await asyncio.sleep(0)
    late.cancel()
    with pytest.raises(asyncio.CancelledError):
        await late
    assert await first == "first done"
    await asyncio.sleep(0.01)
    assert ledger.committed == [["first"]]
