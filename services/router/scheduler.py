"""The deadline scheduler: reminders before a deadline, escalation once it has passed.

Each (case, kind, stage, due date) is sent at most once: a `router_deadline_notice` row is
written with the outbox row in one transaction, and its unique key stops a second replica
(or a second tick) from sending it again. A deadline that moves (pause, extension,
transfer, new holiday table) is a new due date and gets its own reminder.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from sqlalchemy.exc import IntegrityError

from schemas.events import CaseEscalated, DeadlineReminder, Event, Stage
from services.kit.metrics import set_overdue
from services.router.core import RouterCore
from services.router.domain.calendar import HolidayCalendar
from services.router.domain.lifecycle import Status
from services.router.emit import SUPERVISOR, TRIAGE, agency_email, emit
from services.router.models import DeadlineNotice, RoutedCase
from services.router.ports import Storage, UnitOfWork
from services.router.recalculation import recalculate_open_cases

log = logging.getLogger(__name__)

NoticeKind = Literal["reminder", "escalation"]
PAGE = 1000  # due cases read and notified per transaction of the scheduler's pass
# waiting_info stops the clock; answered ends it
_CLOCK_RUNNING: tuple[str, ...] = (Status.ROUTED.value, Status.TAKEN.value)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    stage: Stage
    due: date
    working_days_left: int


def running_stages(case: RoutedCase) -> dict[Stage, date]:
    """The deadlines still binding: classifying while in triage, forwarding until an agency
    takes the case as its own, answering until it is answered."""
    if case.status not in _CLOCK_RUNNING:
        return {}
    stages: dict[Stage, date] = {}
    if case.agency == TRIAGE:
        stages["classify"] = case.due_classify
    if case.status == Status.ROUTED:
        stages["forward"] = case.due_forward
    stages["answer"] = case.due_answer
    return stages


def notices_due(
    stages: dict[Stage, date], *, today: date, calendar: HolidayCalendar, days_before: int
) -> list[Notice]:
    """An escalation for each passed deadline, a reminder for each within `days_before`."""
    found = []
    for stage, due in stages.items():
        if today > due:
            found.append(Notice("escalation", stage, due, 0))
            continue
        left = calendar.working_days_between(today, due)
        if left <= days_before:
            found.append(Notice("reminder", stage, due, left))
    return found


class DeadlineScheduler:
    def __init__(
        self,
        *,
        storage: Storage,
        core: RouterCore,
        days_before: int,
    ) -> None:
        self._storage, self._core = storage, core
        self._days_before = days_before

    async def run_once(self, today: date) -> int:
        """One pass over the open cases, `PAGE` due cases at a time (a backlog of 100,000
        overdue cases held at once took some 300 MiB); returns how many events it staged."""
        async with self._storage.transaction() as uow:
            core = replace(self._core, calendar=await uow.calendar())
            staged = await recalculate_open_cases(
                uow, core=core, reason="Lịch nghỉ lễ áp dụng đã thay đổi."
            )
        horizon = core.calendar.add_working_days(today, self._days_before)
        overdue: Counter[tuple[str, str]] = Counter()
        after = ""
        while True:
            async with self._storage.transaction() as uow:
                page = await uow.cases.due_by(
                    horizon, statuses=_CLOCK_RUNNING, after=after, limit=PAGE
                )
                candidates = await self._candidates(uow, page, core.calendar, today)
            overdue.update(_overdue(page, today))  # every overdue case is within the horizon
            for case_id in candidates:
                staged += await self._notify(case_id, core=core, today=today)
            if len(page) < PAGE:
                break
            after = page[-1].case_id
        set_overdue(overdue)
        return staged

    async def _candidates(
        self, uow: UnitOfWork, cases: Sequence[RoutedCase], calendar: HolidayCalendar, today: date
    ) -> list[str]:
        """Those of `cases` (due within the reminder window) with a notice not sent yet."""
        sent = await uow.notices.sent([case.case_id for case in cases])
        pending = []
        for case in cases:
            wanted = self._wanted(case, calendar, today)
            if any((case.case_id, n.kind, n.stage, n.due) not in sent for n in wanted):
                pending.append(case.case_id)
        return pending

    def _wanted(self, case: RoutedCase, calendar: HolidayCalendar, today: date) -> list[Notice]:
        return notices_due(
            running_stages(case), today=today, calendar=calendar, days_before=self._days_before
        )

    async def _notify(self, case_id: str, *, core: RouterCore, today: date) -> int:
        """Stage one case's notices in its own transaction, the case row locked."""
        try:
            async with self._storage.transaction() as uow:
                case = await uow.cases.lock(case_id)
                if case is None:
                    return 0
                sent = await uow.notices.sent([case_id])
                wanted = self._wanted(case, core.calendar, today)
                fresh = [n for n in wanted if (case_id, n.kind, n.stage, n.due) not in sent]
                for notice in fresh:
                    _stage(uow, case=case, notice=notice, core=core, today=today)
                return len(fresh)
        except IntegrityError:  # another replica sent them first
            log.info("router scheduler: notices for %s already sent elsewhere", case_id)
            return 0


def _overdue(cases: Sequence[RoutedCase], today: date) -> dict[tuple[str, str], int]:
    """Open cases past a deadline, per (agency, stage): the `pakn_cases_overdue` gauge."""
    counts: dict[tuple[str, str], int] = {}
    for case in cases:
        for stage, due in running_stages(case).items():
            if today > due:
                counts[(case.agency, stage)] = counts.get((case.agency, stage), 0) + 1
    return counts


def _stage(
    uow: UnitOfWork, *, case: RoutedCase, notice: Notice, core: RouterCore, today: date
) -> None:
    event: Event
    if notice.kind == "reminder":
        event = DeadlineReminder(
            correlation_id=case.case_id,
            case_id=case.case_id,
            tracking_code=case.tracking_code,
            agency=case.agency,
            agency_email=agency_email(core, case.agency),
            stage=notice.stage,
            due=notice.due,
            working_days_left=notice.working_days_left,
        )
    else:
        event = CaseEscalated(
            correlation_id=case.case_id,
            case_id=case.case_id,
            tracking_code=case.tracking_code,
            agency=case.agency,
            stage=notice.stage,
            due=notice.due,
            escalated_to=SUPERVISOR,
            escalated_to_email=agency_email(core, SUPERVISOR),
        )
    uow.notices.add(
        DeadlineNotice(
            case_id=case.case_id,
            kind=notice.kind,
            stage=notice.stage,
            due=notice.due,
            agency=case.agency,
            event_id=event.event_id,
            sent_on=today,
        )
    )
    emit(uow.outbox, core=core, case_id=case.case_id, event=event)
