"""The scheduler's overdue gauge (issue 13, part 4): open cases past a deadline, per
agency and stage, at its last pass; a case answered or taken drops out."""

from __future__ import annotations

from datetime import date

import pytest
from prometheus_client import REGISTRY

from schemas.actions import TakeCase
from services.router import scheduler
from tests.unit.router.lifecycle_support import DISTRICT
from tests.unit.router.memory_support import MemoryRouter


@pytest.fixture
def router() -> MemoryRouter:
    return MemoryRouter()


def overdue(agency: str, stage: str) -> float | None:
    return REGISTRY.get_sample_value("pakn_cases_overdue", {"agency": agency, "stage": stage})


async def test_the_gauge_counts_overdue_cases_per_agency_and_stage(router: MemoryRouter) -> None:
    await router.accept("c1", DISTRICT)
    await router.accept("c2", DISTRICT)
    await router.act(TakeCase(correlation_id="c2", case_id="c2", agency="IGR", officer="cb"))

    async def tick(day: date) -> None:
        await router.tick(day)

    await tick(date(2023, 3, 6))
    assert overdue("IGR", "answer") is None
    await tick(date(2023, 3, 21))  # past the forward and the answer deadlines
    assert overdue("IGR", "answer") == 2
    assert overdue("IGR", "forward") == 1  # c2 was taken: its forwarding is done


async def test_a_pass_reads_the_due_cases_page_by_page_and_misses_none(
    router: MemoryRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog is read `PAGE` cases at a time (not all at once); every page is notified
    and counted, including a last page that is exactly full."""
    monkeypatch.setattr(scheduler, "PAGE", 2)
    for n in range(4):
        await router.accept(f"c{n}", DISTRICT)
    await router.tick(date(2023, 3, 21))  # past the forward and the answer deadlines
    assert overdue("IGR", "answer") == 4
    assert overdue("IGR", "forward") == 4
    escalated = await router.published(event_type="case.escalated")
    assert sorted({e["case_id"] for e in escalated}) == ["c0", "c1", "c2", "c3"]
    assert len(escalated) == 8  # forward and answer, once each per case
    await router.tick(date(2023, 3, 21))  # a second pass: all sent already
    assert len(await router.published(event_type="case.escalated")) == 8
