"""A case's due dates through its life, composed from `domain.deadlines`. Pure.

Periods run from the day of receipt, or from the day a transfer handed the case to its
current agency (`counted_from`); they stop while the agency waits for the submitter, the
answer period is extended once, and everything is recomputed when the holiday table changes.
See docs/decisions/0002-router-lifecycle.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from services.router.domain.calendar import VIETNAM, HolidayCalendar, local_date
from services.router.domain.deadlines import (
    DeadlinePolicy,
    Deadlines,
    Pause,
    compute_deadlines,
    extend,
    recompute,
    resume_after_pause,
)

# Noon keeps the local date the same whatever the reader's time zone.
_MIDDAY = time(12, 0)


@dataclass(frozen=True)
class Dues:
    classify: date
    forward: date
    answer: date


def period_start(received_at: datetime, counted_from: date | None) -> datetime:
    """What the periods are counted from: receipt, or the day of the last transfer."""
    if counted_from is None:
        return received_at
    return datetime.combine(counted_from, _MIDDAY, tzinfo=VIETNAM)


def fresh_dues(start: datetime, *, calendar: HolidayCalendar, policy: DeadlinePolicy) -> Dues:
    due = compute_deadlines(start, calendar=calendar, policy=policy)
    return Dues(classify=due.classify, forward=due.forward, answer=due.answer)


def after_pause(
    dues: Dues, *, paused_on: date, resumed_on: date, calendar: HolidayCalendar
) -> Dues:
    """Move every deadline still running when the clock stopped by the working days lost."""

    def moved(due: date) -> date:
        if due < paused_on:
            return due
        return resume_after_pause(
            due, paused_on=paused_on, resumed_on=resumed_on, calendar=calendar
        )

    return Dues(
        classify=moved(dues.classify), forward=moved(dues.forward), answer=moved(dues.answer)
    )


def extended_answer(due: date, *, calendar: HolidayCalendar, policy: DeadlinePolicy) -> date:
    return extend(due, calendar=calendar, policy=policy)


def recalculated(
    *,
    start: datetime,
    current: Dues,
    current_version: str,
    calendar: HolidayCalendar,
    policy: DeadlinePolicy,
    pauses: Iterable[Pause],
    extended: bool,
) -> Dues:
    """The dues again under `calendar`: only the pauses of the current period count, and
    (unless the policy allows it) no deadline moves earlier than announced."""
    started_on = local_date(start)
    old = Deadlines(
        received_on=started_on,
        classify=current.classify,
        forward=current.forward,
        answer=current.answer,
        calendar_version=current_version,
    )
    new = recompute(
        start,
        old=old,
        new_calendar=calendar,
        policy=policy,
        pauses=[p for p in pauses if p.paused_on >= started_on],
        extended=extended,
    )
    return Dues(classify=new.classify, forward=new.forward, answer=new.answer)
