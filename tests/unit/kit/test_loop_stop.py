"""kit.loop.stop: a service's shutdown (and a test's teardown) ends even when one of its
loops ignores the cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from services.kit.loop import stop


async def stubborn() -> None:
    """A loop that swallows its first cancellation (as Python 3.11's wait_for could)."""
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(60)
    await asyncio.sleep(60)


async def obedient() -> None:
    await asyncio.sleep(60)


async def test_a_loop_that_ignores_its_cancellation_is_named_and_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = [asyncio.create_task(stubborn()), asyncio.create_task(obedient())]
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="services.kit.loop"):
        running = await asyncio.wait_for(stop(tasks, timeout_s=0.2), timeout=5)
    assert running == {tasks[0]}
    assert tasks[1].cancelled() and not tasks[0].done()
    (record,) = caplog.records
    assert "stubborn" in record.getMessage() and "did not stop" in record.getMessage()
    tasks[0].cancel()  # a second cancellation ends it
    await asyncio.gather(tasks[0], return_exceptions=True)
    assert tasks[0].cancelled()


async def test_loops_that_stop_end_the_wait_at_once() -> None:
    tasks = [asyncio.create_task(obedient()) for _ in range(3)]
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await stop(tasks, timeout_s=30) == set()
    assert all(task.cancelled() for task in tasks) and loop.time() - started < 5


async def test_no_loops_is_nothing_to_wait_for() -> None:
    assert await stop([], timeout_s=30) == set()
