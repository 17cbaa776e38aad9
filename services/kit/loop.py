"""A background loop that works while there is work and sleeps until woken or polled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from services.kit.faults import is_transient
from services.kit.health import Readiness, backoff_s, readiness

log = logging.getLogger(__name__)


class Poller:
    """Runs `step` until it reports no work, then waits for a wake-up or `idle_s`.

    `step` returns how many items it did. With `full`, a step that did fewer than `full`
    items took all there was: the poller waits at once instead of confirming with a step
    that finds nothing (a database round trip per round, for nothing). A wake-up that comes
    while a step runs is kept: the poller goes again at once after it, since the step may
    have read its queue before the work that woke it was there.

    A failing step is retried with an exponential back-off capped at `max_backoff_s`, for
    as long as it fails: a background loop must outlive a broker or database outage. While
    the failure is transient the process reports itself not ready (`/readyz`).
    """

    def __init__(
        self,
        step: Callable[[], Awaitable[int]],
        *,
        idle_s: float,
        name: str,
        full: int | None = None,
        backoff_s: float = 0.5,
        max_backoff_s: float = 5.0,
        health: Readiness = readiness,
    ) -> None:
        self._step, self._idle_s, self._name, self._full = step, idle_s, name, full
        self._backoff_s, self._max_backoff_s = backoff_s, max_backoff_s
        self._health = health
        self._wakeup = asyncio.Event()
        self._failures = 0

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        while True:
            self._wakeup.clear()  # before the step: a wake-up during it is not lost
            try:
                done = await self._step()
            except Exception as error:
                await self._failed(error)
                continue
            self._failures = 0
            self._health.up(self._name)
            if done and (self._full is None or done >= self._full):
                continue
            # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that comes
            # just after the wake-up it waits for, and the loop outlived its shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._idle_s):
                    await self._wakeup.wait()

    async def _failed(self, error: Exception) -> None:
        self._failures += 1
        if is_transient(error):
            self._health.down(self._name, error)
            log.warning(
                "%s: waiting for the outage to pass (%d): %s", self._name, self._failures, error
            )
        else:
            log.exception("%s failed; retrying", self._name)
        await asyncio.sleep(
            backoff_s(self._failures, base_s=self._backoff_s, cap_s=self._max_backoff_s)
        )


async def stop(tasks: Collection[asyncio.Task[Any]], *, timeout_s: float) -> set[asyncio.Task[Any]]:
    """Cancel `tasks` and wait up to `timeout_s` for them to end; returns (and logs) those
    still running then: a loop that ignores its cancellation is named and left behind
    instead of keeping its caller (a service stopping, a test's teardown) waiting forever."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return set()
    _, running = await asyncio.wait(tasks, timeout=timeout_s)
    for task in running:
        log.error("%s did not stop within %.0f s of its cancellation", task.get_coro(), timeout_s)
    return running
