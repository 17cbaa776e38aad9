"""Legal deadlines of a case, in working days counted from the local date of receipt.

Forwarding out-of-competence items within 5 working days is Decree 20/2008's rule;
the other numbers come from sibling provinces' regulations and are configuration
(`DeadlinePolicy`), since Gia Lai's own Decision 13/2018 has not been checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.router.domain.calendar import HolidayCalendar, local_date

__all__ = [
    "DEFAULT_POLICY",
    "DeadlinePolicy",
    "DeadlineStatus",
    "Deadlines",
    "Pause",
    "compute_deadlines",
    "deadline_status",
    "extend",
    "notice_due",
    "recompute",
    "resume_after_pause",
]

DeadlineStatus = Literal["on_time", "due_soon", "overdue"]


class DeadlinePolicy(BaseModel):
    """Working-day allowances for each step."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    classify: int = Field(3, ge=1)
    forward: int = Field(5, ge=1)
    notice_copy: int = Field(2, ge=1)
    answer: int = Field(10, ge=1)
    extension: int = Field(10, ge=1)
    # A corrected holiday table may give fewer days off than the one a deadline was
    # announced under; by default the announced (later) date stands, so no case turns
    # overdue retroactively.
    recompute_may_shorten: bool = False


DEFAULT_POLICY = DeadlinePolicy()


class Deadlines(BaseModel):
    """A case's due dates, and the calendar version that produced them."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    received_on: date
    classify: date
    forward: date
    answer: date
    calendar_version: str


class Pause(BaseModel):
    """The clock stopped while waiting for the submitter to complete the item."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    paused_on: date
    resumed_on: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.resumed_on < self.paused_on:
            raise ValueError("resumed_on is before paused_on")
        return self


def compute_deadlines(
    received_at: datetime,
    *,
    calendar: HolidayCalendar,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> Deadlines:
    """Due dates counted from the day of receipt in Vietnam (that day itself not counted)."""
    received_on = local_date(received_at)
    return Deadlines(
        received_on=received_on,
        classify=calendar.add_working_days(received_on, policy.classify),
        forward=calendar.add_working_days(received_on, policy.forward),
        answer=calendar.add_working_days(received_on, policy.answer),
        calendar_version=calendar.version,
    )


def notice_due(
    forwarded_on: date, *, calendar: HolidayCalendar, policy: DeadlinePolicy = DEFAULT_POLICY
) -> date:
    """When the copy of the forwarding notice must reach the submitter."""
    return calendar.add_working_days(forwarded_on, policy.notice_copy)


def extend(
    due: date, *, calendar: HolidayCalendar, policy: DeadlinePolicy = DEFAULT_POLICY
) -> date:
    """The answer deadline after the one extension a complex case may get."""
    return calendar.add_working_days(due, policy.extension)


def resume_after_pause(
    due: date, *, paused_on: date, resumed_on: date, calendar: HolidayCalendar
) -> date:
    """Move `due` by the working days in (paused_on, resumed_on].

    Like any period, the pause's first day is not counted: the office had the day the
    request went out; the day the missing details arrive is given back.
    """
    if resumed_on < paused_on:
        raise ValueError("resumed_on is before paused_on")
    lost = calendar.working_days_between(paused_on, resumed_on)
    return calendar.add_working_days(due, lost) if lost else due


def recompute(
    received_at: datetime,
    *,
    old: Deadlines,
    new_calendar: HolidayCalendar,
    policy: DeadlinePolicy = DEFAULT_POLICY,
    pauses: Iterable[Pause] = (),
    extended: bool = False,
) -> Deadlines:
    """A case's deadlines again, under a changed holiday table.

    Pauses only move deadlines still running when the pause began. Unless the policy
    allows it, no deadline moves earlier than `old`.
    """
    fresh = compute_deadlines(received_at, calendar=new_calendar, policy=policy)
    if fresh.received_on != old.received_on:
        raise ValueError("old deadlines were computed for another receipt date")
    answer = (
        extend(fresh.answer, calendar=new_calendar, policy=policy) if extended else fresh.answer
    )
    stages = {"classify": fresh.classify, "forward": fresh.forward, "answer": answer}
    for pause in sorted(pauses, key=lambda p: p.paused_on):
        for stage, due in stages.items():
            if due >= pause.paused_on:
                stages[stage] = resume_after_pause(
                    due,
                    paused_on=pause.paused_on,
                    resumed_on=pause.resumed_on,
                    calendar=new_calendar,
                )
    if not policy.recompute_may_shorten:
        for stage, due in stages.items():
            stages[stage] = _not_earlier(due, getattr(old, stage), new_calendar)
    return fresh.model_copy(update=stages)


def _not_earlier(new: date, old: date, calendar: HolidayCalendar) -> date:
    if new >= old:
        return new
    # The old date may have become a day off under the new table.
    return calendar.add_working_days(old, 0)


def deadline_status(
    due: date, today: date, *, calendar: HolidayCalendar, due_soon_days: int = 2
) -> DeadlineStatus:
    """`due_soon` when at most `due_soon_days` working days follow today up to the due day."""
    if today > due:
        return "overdue"
    if calendar.working_days_between(today, due) <= due_soon_days:
        return "due_soon"
    return "on_time"
