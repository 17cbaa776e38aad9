"""The Poller: when it steps again at once, when it waits, and that no wake-up is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.kit.health import Readiness
from services.kit.loop import Poller


class Steps:
    """A step that does `work[i]` items on its i-th call (0 once the list is used up);
    `during` runs inside a given call, as work that arrives while the step reads."""

    def __init__(self, *work: int) -> None:
        self.work = list(work)
        self.calls = 0
        self.during: dict[int, Callable[[], None]] = {}

    async def __call__(self) -> int:
        self.calls += 1
        if action := self.during.get(self.calls):
            action()
        await asyncio.sleep(0)
        return self.work.pop(0) if self.work else 0


async def running(poller: Poller, check: Callable[[], Awaitable[None]]) -> None:
    task = asyncio.create_task(poller.run())
    try:
        await check()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def poller(steps: Steps, *, full: int | None = None) -> Poller:
    return Poller(steps, idle_s=60, name="test loop", full=full, health=Readiness())


async def test_without_full_a_step_that_found_work_is_confirmed_by_one_that_finds_none() -> None:
    steps = Steps(3)

    async def check() -> None:
        await settle()
        assert steps.calls == 2  # 3 items, then an empty step, then asleep

    await running(poller(steps), check)


async def test_a_step_short_of_full_took_everything_and_the_poller_sleeps() -> None:
    steps = Steps(3)

    async def check() -> None:
        await settle()
        assert steps.calls == 1  # no empty confirming step

    await running(poller(steps, full=10), check)


async def test_a_full_step_is_followed_at_once_by_another() -> None:
    steps = Steps(10, 10, 4)

    async def check() -> None:
        await settle()
        assert steps.calls == 3

    await running(poller(steps, full=10), check)


async def test_a_wake_up_during_a_step_is_kept() -> None:
    """Work committed while the step read its queue: the poller goes again, not after
    `idle_s` (a minute here)."""
    steps = Steps(1, 1)
    loop = poller(steps, full=10)
    steps.during[1] = loop.wake

    async def check() -> None:
        await settle()
        assert steps.calls == 2

    await running(loop, check)


async def test_a_wake_up_while_asleep_runs_a_step() -> None:
    steps = Steps(1, 1)
    loop = poller(steps, full=10)

    async def check() -> None:
        await settle()
        assert steps.calls == 1
        loop.wake()
        await settle()
        assert steps.calls == 2

    await running(loop, check)


async def test_a_cancellation_just_after_a_wake_up_stops_the_loop() -> None:
    # On Python 3.11 `asyncio.wait_for` returned the wake-up instead of raising the
    # cancellation that came in the same turn of the event loop: the loop ran on after its
    # shutdown, and whoever awaited it (a service stopping, a test's teardown) hung.
    for turns in range(4):  # the cancellation 0 to 3 turns after the wake-up
        steps = Steps(1)
        loop = poller(steps, full=10)
        task = asyncio.create_task(loop.run())
        await settle()
        loop.wake()
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=1)
        assert done and task.cancelled(), f"the loop ran on after a cancellation ({turns} turns)"
