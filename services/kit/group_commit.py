"""Group commit: small operations that arrive together share one transaction.

Each caller still waits until its own operation is committed (or has failed) before it goes
on, exactly as with a transaction of its own; what the callers share is the BEGIN, the
COMMIT and the session. The first caller starts a drainer that commits what is queued; what
arrives while a commit is in flight goes into the next one. With four SMTP connections the
mailer's `sending` marks and outcomes thus cost about one transaction per round trip of the
connections instead of two per mail.

A failure that may pass (the database away) fails every operation of its transaction, as
it would have failed each one alone. Any other failure (one operation's own fault) must not
fail its neighbours: the operations of that transaction are then tried again one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from services.kit.faults import is_transient

Work = TypeVar("Work")  # what the transaction gives its operations (a unit of work)
T = TypeVar("T")

Operation = Callable[[Work], Awaitable[Any]]


class GroupCommit(Generic[Work]):
    def __init__(
        self, transaction: Callable[[], AbstractAsyncContextManager[Work]], *, limit: int = 64
    ) -> None:
        self._transaction = transaction
        self._limit = limit
        self._queue: list[tuple[Operation[Work], asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.transactions = 0  # committed or not: for tests and metrics

    async def run(self, operation: Callable[[Work], Awaitable[T]]) -> T:
        """`operation`'s result once the transaction it ran in has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((operation, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain(), name="group-commit")
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._limit], self._queue[self._limit :]
            batch = [(op, future) for op, future in batch if not future.cancelled()]
            try:
                if batch:
                    await self._commit(batch)
            except BaseException as error:  # a cancellation: nobody waits in vain
                for _, future in [*batch, *self._queue]:
                    _fail(future, error)
                self._queue = []
                raise

    async def _commit(self, batch: list[tuple[Operation[Work], asyncio.Future[Any]]]) -> None:
        try:
            results = await self._together([op for op, _ in batch])
        except Exception as error:
            if len(batch) == 1 or is_transient(error):
                for _, future in batch:
                    _fail(future, error)
                return
            for op, future in batch:  # find whose fault it was; the others go through
                try:
                    [result] = await self._together([op])
                except Exception as own:
                    _fail(future, own)
                else:
                    _succeed(future, result)
            return
        for (_, future), result in zip(batch, results, strict=True):
            _succeed(future, result)

    async def _together(self, operations: list[Operation[Work]]) -> list[Any]:
        self.transactions += 1
        async with self._transaction() as work:
            return [await op(work) for op in operations]


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if future.done():
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    else:
        future.set_exception(error)
