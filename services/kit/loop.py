"""A background loop that works while there is work and sleeps until woken or polled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, step: Callable[[], Awaitable[int]], *, idle_s: float, name: str) -> None:
        self._step, self._idle_s, self._name = step, idle_s, name
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        while True:
            try:
                done = await self._step()
            except Exception:  # a background loop must outlive a broker or database hiccup
                log.exception("%s failed; retrying", self._name)
                done = 0
                await asyncio.sleep(1.0)
            if done:
                continue
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._idle_s)
