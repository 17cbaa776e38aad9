"""Reminders before a deadline and escalation after it, each sent once per due date."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.actions import ExtendDeadline, RequestInfo, TakeCase
from services.router.domain.calendar import HolidayCalendar
from services.router.scheduler import notices_due
from tests.unit.router.lifecycle_support import DISTRICT, VAGUE
from tests.unit.router.memory_support import MemoryRouter


@pytest.fixture
def router() -> MemoryRouter:
    return MemoryRouter()


async def _tick(router: MemoryRouter, day: date) -> int:
    return await router.tick(day)


def test_notices_are_reminders_inside_the_window_and_escalations_after_the_day() -> None:
    calendar = HolidayCalendar()
    stages = {"forward": date(2023, 3, 13), "answer": date(2023, 3, 20)}
    found = notices_due(stages, today=date(2023, 3, 14), calendar=calendar, days_before=2)
    assert [(n.kind, n.stage) for n in found] == [("escalation", "forward")]
    found = notices_due(stages, today=date(2023, 3, 16), calendar=calendar, days_before=2)
    assert [(n.kind, n.stage, n.working_days_left) for n in found] == [
        ("escalation", "forward", 0),
        ("reminder", "answer", 2),  # Friday 17 and Monday 20 are left
    ]


async def test_reminders_and_escalations_are_sent_once_per_stage_and_due_date(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(TakeCase(correlation_id="c1", case_id="c1", agency="IGR", officer="cb"))
    assert await _tick(router, date(2023, 3, 15)) == 0  # 3 working days left: nothing yet
    assert await _tick(router, date(2023, 3, 16)) == 1
    assert await _tick(router, date(2023, 3, 16)) == 0  # a second tick, the same day
    assert await _tick(router, date(2023, 3, 17)) == 0  # closer, but already reminded
    [reminder] = await router.published(event_type="case.reminder")
    assert (reminder["stage"], reminder["due"], reminder["working_days_left"]) == (
        "answer",
        "2023-03-20",
        2,
    )
    assert reminder["agency_email"] == "pakn.igr@gialai.gov.vn"
    assert await _tick(router, date(2023, 3, 21)) == 1
    assert await _tick(router, date(2023, 3, 22)) == 0
    [escalated] = await router.published(event_type="case.escalated")
    assert (escalated["stage"], escalated["due"], escalated["escalated_to"]) == (
        "answer",
        "2023-03-20",
        "VPUB",
    )
    assert escalated["escalated_to_email"] == "pakn.vpub@gialai.gov.vn"
    # A new due date is a new deadline: it gets its own reminder.
    extend = ExtendDeadline(
        correlation_id="c1", case_id="c1", agency="IGR", officer="cb", reason="r"
    )
    await router.act(extend)
    assert await _tick(router, date(2023, 3, 30)) == 1
    assert [n.due for n in await router.notices() if n.kind == "reminder"] == [
        date(2023, 3, 20),
        date(2023, 4, 3),
    ]


async def test_an_untaken_case_is_reminded_to_forward_and_escalated_when_ignored(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    assert await _tick(router, date(2023, 3, 9)) == 1
    assert await _tick(router, date(2023, 3, 14)) == 1
    assert await _tick(router, date(2023, 3, 16)) == 1  # the answer's reminder, nothing twice
    kinds = [(n.kind, n.stage, n.due) for n in await router.notices()]
    assert kinds == [
        ("reminder", "forward", date(2023, 3, 13)),
        ("escalation", "forward", date(2023, 3, 13)),
        ("reminder", "answer", date(2023, 3, 20)),
    ]
    assert len(await router.published(event_type="case.escalated")) == 1


async def test_a_triage_case_is_watched_for_classification_at_the_office(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", VAGUE)
    await _tick(router, date(2023, 3, 7))  # classify due Thursday 9: 2 working days left
    [reminder] = await router.published(event_type="case.reminder")
    assert (reminder["stage"], reminder["agency"]) == ("classify", "TRIAGE")
    assert reminder["agency_email"] == "pakn.vpub@gialai.gov.vn"


async def test_no_notices_while_the_clock_is_stopped_or_after_the_answer(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(
        RequestInfo(correlation_id="c1", case_id="c1", agency="IGR", officer="cb", question="?")
    )
    assert await _tick(router, date(2023, 4, 28)) == 0
    assert await router.notices() == []
