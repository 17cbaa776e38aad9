from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.router.domain.calendar import (
    DayOff,
    HolidayCalendar,
    WorkingSaturday,
    YearTable,
    default_year,
    load_calendar,
)
from services.router.domain.deadlines import (
    DeadlinePolicy,
    Deadlines,
    Pause,
    compute_deadlines,
    deadline_status,
    extend,
    notice_due,
    recompute,
    resume_after_pause,
)

CAL = load_calendar()
POLICY = DeadlinePolicy()
ICT = timezone(timedelta(hours=7))


def _at(y: int, m: int, d: int, hour: int = 9, tz: timezone = ICT) -> datetime:
    return datetime(y, m, d, hour, 30, tzinfo=tz)


@pytest.mark.parametrize(
    ("received_at", "classify", "forward", "answer"),
    [
        (_at(2023, 1, 18), date(2023, 1, 30), date(2023, 2, 1), date(2023, 2, 8)),
        # 20:30 UTC on the 17th is 03:30 on the 18th in Vietnam.
        (_at(2023, 1, 17, 20, UTC), date(2023, 1, 30), date(2023, 2, 1), date(2023, 2, 8)),
        (_at(2023, 1, 17, 9, UTC), date(2023, 1, 27), date(2023, 1, 31), date(2023, 2, 7)),
        # National Day 2023: Fri 1 – Mon 4 Sep off.
        (_at(2023, 8, 31), date(2023, 9, 7), date(2023, 9, 11), date(2023, 9, 18)),
        (_at(2023, 9, 1), date(2023, 9, 7), date(2023, 9, 11), date(2023, 9, 18)),
        (_at(2023, 9, 2, 22), date(2023, 9, 7), date(2023, 9, 11), date(2023, 9, 18)),
        (_at(2023, 9, 5), date(2023, 9, 8), date(2023, 9, 12), date(2023, 9, 19)),
        # Weekends skipped: 3 working days from Wed 8 Mar 2023 is Mon 13, not Sat 11.
        (_at(2023, 3, 8), date(2023, 3, 13), date(2023, 3, 15), date(2023, 3, 22)),
        # Sat 4 May 2024 was worked in exchange for Mon 29 Apr.
        (_at(2024, 4, 25), date(2024, 5, 3), date(2024, 5, 6), date(2024, 5, 13)),
    ],
)
def test_compute_deadlines(
    received_at: datetime, classify: date, forward: date, answer: date
) -> None:
    deadlines = compute_deadlines(received_at, calendar=CAL, policy=POLICY)
    assert (deadlines.classify, deadlines.forward, deadlines.answer) == (classify, forward, answer)
    assert deadlines.calendar_version == CAL.version


def test_received_on_is_the_local_date() -> None:
    deadlines = compute_deadlines(_at(2023, 1, 17, 20, UTC), calendar=CAL)
    assert deadlines.received_on == date(2023, 1, 18)


def test_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        compute_deadlines(datetime(2023, 1, 18, 9, 30), calendar=CAL)


def test_policy_is_configurable_and_validated() -> None:
    policy = DeadlinePolicy(forward=7, answer=15)
    deadlines = compute_deadlines(_at(2023, 1, 18), calendar=CAL, policy=policy)
    assert deadlines.forward == date(2023, 2, 3)
    assert deadlines.answer == date(2023, 2, 15)
    assert deadlines.classify == date(2023, 1, 30)
    with pytest.raises(ValidationError):
        DeadlinePolicy(answer=0)
    with pytest.raises(ValidationError):
        DeadlinePolicy(answr=10)  # type: ignore[call-arg]


def test_notice_copy_is_due_two_working_days_after_forwarding() -> None:
    assert notice_due(date(2023, 1, 19), calendar=CAL) == date(2023, 1, 30)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2023, 2, 8), date(2023, 2, 22)),
        (date(2023, 8, 25), date(2023, 9, 12)),  # across National Day 2023
    ],
)
def test_extend_adds_ten_working_days(due: date, expected: date) -> None:
    assert extend(due, calendar=CAL, policy=POLICY) == expected


@pytest.mark.parametrize(
    ("paused_on", "resumed_on", "expected"),
    [
        (date(2023, 1, 30), date(2023, 2, 1), date(2023, 2, 10)),  # two working days
        (date(2023, 2, 3), date(2023, 2, 6), date(2023, 2, 9)),  # over a weekend: one
        (date(2023, 1, 31), date(2023, 1, 31), date(2023, 2, 8)),  # same day: nothing
        (date(2023, 1, 19), date(2023, 1, 27), date(2023, 2, 9)),  # over Tết: one
    ],
)
def test_resume_after_pause(paused_on: date, resumed_on: date, expected: date) -> None:
    moved = resume_after_pause(
        date(2023, 2, 8), paused_on=paused_on, resumed_on=resumed_on, calendar=CAL
    )
    assert moved == expected
    assert CAL.is_working_day(moved)


def test_pause_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError):
        resume_after_pause(
            date(2023, 2, 8), paused_on=date(2023, 2, 1), resumed_on=date(2023, 1, 30), calendar=CAL
        )
    with pytest.raises(ValidationError):
        Pause(paused_on=date(2023, 2, 1), resumed_on=date(2023, 1, 30))


# 2026 as computed from the law alone, before the official New Year swap was known.
LAW_2026 = CAL.with_year(default_year(2026))
RECEIVED = _at(2025, 12, 29)


def test_recompute_after_loading_the_official_table() -> None:
    old = compute_deadlines(RECEIVED, calendar=LAW_2026)
    assert (old.classify, old.forward, old.answer) == (
        date(2026, 1, 2),
        date(2026, 1, 6),
        date(2026, 1, 13),
    )
    # The official table: Fri 2 Jan off, worked on Sat 10 Jan instead.
    new = recompute(RECEIVED, old=old, new_calendar=CAL, policy=POLICY)
    assert (new.classify, new.forward, new.answer) == (
        date(2026, 1, 5),
        date(2026, 1, 7),
        date(2026, 1, 13),
    )
    assert new.calendar_version == CAL.version != old.calendar_version


def test_recompute_keeps_announced_dates_unless_allowed_to_shorten() -> None:
    old = compute_deadlines(RECEIVED, calendar=CAL)
    kept = recompute(RECEIVED, old=old, new_calendar=LAW_2026, policy=POLICY)
    assert (kept.classify, kept.forward) == (old.classify, old.forward)
    shorter = recompute(
        RECEIVED,
        old=old,
        new_calendar=LAW_2026,
        policy=DeadlinePolicy(recompute_may_shorten=True),
    )
    assert (shorter.classify, shorter.forward) == (date(2026, 1, 2), date(2026, 1, 6))


def test_a_kept_date_that_became_a_day_off_moves_to_the_next_working_day() -> None:
    old = compute_deadlines(_at(2023, 3, 1), calendar=CAL)  # forward Wed 8 Mar 2023
    calendar = CAL.with_year(
        YearTable(
            year=2023,
            source="test",
            official=True,
            days_off=(DayOff(date=date(2023, 3, 8), name="x"),),
            working_saturdays=(WorkingSaturday(date=date(2023, 3, 4), replaces=date(2023, 3, 8)),),
        )
    )
    new = recompute(_at(2023, 3, 1), old=old, new_calendar=calendar, policy=POLICY)
    assert new.forward == date(2023, 3, 9)


def test_recompute_applies_extension_and_pauses() -> None:
    received = _at(2023, 1, 18)
    old = compute_deadlines(received, calendar=CAL)
    pause = Pause(paused_on=date(2023, 1, 31), resumed_on=date(2023, 2, 2))
    new = recompute(
        received, old=old, new_calendar=CAL, policy=POLICY, pauses=[pause], extended=True
    )
    assert new.classify == date(2023, 1, 30)  # already passed when the pause began
    assert new.forward == date(2023, 2, 3)  # 1 Feb + 2 working days
    assert new.answer == date(2023, 2, 24)  # 8 Feb + 10 + 2 working days


def test_recompute_refuses_deadlines_of_another_receipt() -> None:
    old = compute_deadlines(_at(2023, 1, 18), calendar=CAL)
    with pytest.raises(ValueError, match="receipt"):
        recompute(_at(2023, 1, 19), old=old, new_calendar=CAL, policy=POLICY)


def test_deadlines_are_immutable_values() -> None:
    deadlines = compute_deadlines(_at(2023, 1, 18), calendar=CAL)
    assert Deadlines.model_validate(deadlines.model_dump()) == deadlines
    with pytest.raises(ValidationError):
        deadlines.answer = date(2030, 1, 1)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2023, 1, 19), "on_time"),
        (date(2023, 1, 25), "on_time"),  # during Tết: 4 working days left
        (date(2023, 1, 27), "on_time"),  # 3 working days left
        (date(2023, 1, 29), "on_time"),  # Sunday: Mon 30, Tue 31, Wed 1 → still 3
        (date(2023, 1, 30), "due_soon"),  # Tue 31, Wed 1
        (date(2023, 2, 1), "due_soon"),
        (date(2023, 2, 2), "overdue"),
    ],
)
def test_deadline_status(today: date, status: str) -> None:
    assert deadline_status(date(2023, 2, 1), today, calendar=CAL) == status


def test_deadline_status_threshold_is_configurable() -> None:
    due, today = date(2023, 2, 1), date(2023, 1, 27)
    assert deadline_status(due, today, calendar=CAL, due_soon_days=3) == "due_soon"
    assert deadline_status(due, today, calendar=HolidayCalendar(), due_soon_days=0) == "on_time"
