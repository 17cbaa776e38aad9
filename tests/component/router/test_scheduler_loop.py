"""The router's deadline scheduler inside the service: how often it passes over open cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.unit.router.lifecycle_support import DISTRICT, RouterHarness


async def test_the_service_runs_one_scheduler_pass_per_interval_even_after_staging(
    tmp_path: Path,
) -> None:
    """A pass covers every due case. Asking the loop to go again because it staged notices
    made the scheduler re-read every open case back to back while a backlog streamed in."""
    harness = await RouterHarness.start(tmp_path)
    await harness.accept("c1", DISTRICT)
    harness.clock[0] = date(2023, 4, 3)  # every deadline of c1 has passed
    assert await harness.service.scheduler.run_once(harness.clock[0]) > 0  # staged, so work
    await harness.accept("c2", DISTRICT)
    assert await harness.service._scheduler_pass() == 0  # yet the loop waits for the interval
    escalated = {e["case_id"] for e in await harness.published(event_type="case.escalated")}
    assert escalated == {"c1", "c2"}
