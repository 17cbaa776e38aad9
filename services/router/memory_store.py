"""The router's ports in memory (services/router/ports.py): the unit tests and the dry run of
`pakn classify` (services/router/dry_run.py).

It behaves as the SQL adapter does (tests/unit/router/store_contract.py): the same
uniqueness rules, raising the same `IntegrityError`; a transaction that raises leaves no
trace. Every write records how to take it back, and a rollback takes the writes back, the
latest first. Nothing here ever waits: each coroutine finishes on its first step (the dry
run drives them without an event loop).

Rows are kept as copies and handed out as copies, like rows read from a database: a change
to a row is kept only when the use case hands it back (`save`), which is what the ports ask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from services.kit.memory_store import (
    MemoryOutbox,
    StagedEvent,
    Undo,
    copy_row,
    refused,
    roll_back,
    rolled_back_on_error,
)
from services.router.domain.calendar import HolidayCalendar
from services.router.domain.deadlines import Pause
from services.router.models import ClockPause, DeadlineNotice, RefusedItem, RoutedCase, RoutingHop
from services.router.ports import NoticeKey

Row = TypeVar("Row", bound=SQLModel)
K = TypeVar("K")


def _refused(rule: str) -> IntegrityError:
    return refused("in-memory router store", rule)


def _key(notice: DeadlineNotice) -> NoticeKey:
    return (notice.case_id, notice.kind, notice.stage, notice.due)


@dataclass
class Tables:
    """What committed transactions wrote, and the calendar in force."""

    calendar: HolidayCalendar
    cases: dict[str, RoutedCase] = field(default_factory=dict)
    hops: list[RoutingHop] = field(default_factory=list)
    pauses: dict[int, ClockPause] = field(default_factory=dict)
    refusals: dict[str, RefusedItem] = field(default_factory=dict)
    notices: dict[NoticeKey, DeadlineNotice] = field(default_factory=dict)
    outbox: list[StagedEvent] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: count(1))


class _Keyed:
    """Rows by key, each write undone on rollback."""

    def __init__(self, undo: list[Undo]) -> None:
        self._undo = undo

    def _put(self, table: dict[K, Row], key: K, row: Row) -> None:
        before = table.get(key)
        table[key] = copy_row(row)
        self._undo.append(lambda: _restore(table, key, before))


def _restore(table: dict[K, Row], key: K, before: Row | None) -> None:
    if before is None:
        del table[key]
    else:
        table[key] = before


class MemoryCases(_Keyed):
    def __init__(self, tables: Tables, undo: list[Undo]) -> None:
        super().__init__(undo)
        self._t = tables

    async def get(self, case_id: str) -> RoutedCase | None:
        case = self._t.cases.get(case_id)
        return None if case is None else copy_row(case)

    async def lock(self, case_id: str) -> RoutedCase | None:
        return await self.get(case_id)  # one transaction at a time: nothing to lock

    def add(self, case: RoutedCase) -> None:
        if case.case_id in self._t.cases:
            raise _refused("a case routed twice")
        self.save(case)

    def save(self, case: RoutedCase) -> None:
        self._put(self._t.cases, case.case_id, case)

    async def open_on_other_calendar(
        self, version: str, *, statuses: Collection[str]
    ) -> list[RoutedCase]:
        return [
            copy_row(case)
            for case in self._t.cases.values()
            if case.status in statuses and case.calendar_version != version
        ]

    async def due_by(
        self, horizon: date, *, statuses: Collection[str], after: str = "", limit: int | None = None
    ) -> list[RoutedCase]:
        due = sorted(
            (
                case
                for case in self._t.cases.values()
                if case.status in statuses
                and case.case_id > after
                and min(case.due_classify, case.due_forward, case.due_answer) <= horizon
            ),
            key=lambda case: case.case_id,
        )
        return [copy_row(case) for case in due[:limit]]


class MemoryHops:
    def __init__(self, tables: Tables, undo: list[Undo]) -> None:
        self._t, self._undo = tables, undo

    def add(self, hop: RoutingHop) -> None:
        if hop.id is None:
            hop.id = next(self._t.ids)
        self._t.hops.append(copy_row(hop))
        self._undo.append(self._t.hops.pop)

    async def agencies(self, case_id: str) -> set[str]:
        return {hop.agency for hop in self._t.hops if hop.case_id == case_id}


class MemoryPauses(_Keyed):
    def __init__(self, tables: Tables, undo: list[Undo]) -> None:
        super().__init__(undo)
        self._t = tables

    def add(self, pause: ClockPause) -> None:
        if pause.id is None:
            pause.id = next(self._t.ids)
        elif pause.id in self._t.pauses:
            raise _refused("a pause id twice")
        self.save(pause)

    def save(self, pause: ClockPause) -> None:
        assert pause.id is not None, "a pause is added before it is saved"
        self._put(self._t.pauses, pause.id, pause)

    async def open_of(self, case_id: str) -> ClockPause | None:
        found = [
            pause
            for pause in self._t.pauses.values()
            if pause.case_id == case_id and pause.resumed_on is None
        ]
        latest = max(found, key=lambda pause: pause.id or 0, default=None)
        return None if latest is None else copy_row(latest)

    async def closed_of(self, case_ids: Collection[str]) -> dict[str, list[Pause]]:
        found: dict[str, list[Pause]] = defaultdict(list)
        wanted = set(case_ids)
        for row in self._t.pauses.values():
            if row.case_id in wanted and row.resumed_on is not None:
                found[row.case_id].append(Pause(paused_on=row.paused_on, resumed_on=row.resumed_on))
        return found


class MemoryRefusals(_Keyed):
    def __init__(self, tables: Tables, undo: list[Undo]) -> None:
        super().__init__(undo)
        self._t = tables

    async def get(self, case_id: str) -> RefusedItem | None:
        item = self._t.refusals.get(case_id)
        return None if item is None else copy_row(item)

    def add(self, item: RefusedItem) -> None:
        if item.case_id in self._t.refusals:
            raise _refused("a refusal kept twice")
        self._put(self._t.refusals, item.case_id, item)


class MemoryNotices(_Keyed):
    def __init__(self, tables: Tables, undo: list[Undo]) -> None:
        super().__init__(undo)
        self._t = tables

    async def sent(self, case_ids: Sequence[str]) -> set[NoticeKey]:
        wanted = set(case_ids)
        return {key for key in self._t.notices if key[0] in wanted}

    def add(self, notice: DeadlineNotice) -> None:
        if _key(notice) in self._t.notices:
            raise _refused("a notice sent twice for one due date")
        if notice.id is None:
            notice.id = next(self._t.ids)
        self._put(self._t.notices, _key(notice), notice)


class MemoryUnitOfWork:
    def __init__(self, tables: Tables) -> None:
        self.undo: list[Undo] = []
        self._t = tables
        self.cases = MemoryCases(tables, self.undo)
        self.hops = MemoryHops(tables, self.undo)
        self.pauses = MemoryPauses(tables, self.undo)
        self.refusals = MemoryRefusals(tables, self.undo)
        self.notices = MemoryNotices(tables, self.undo)
        self.outbox = MemoryOutbox(tables.outbox, self.undo)

    async def calendar(self) -> HolidayCalendar:
        return self._t.calendar

    def rollback(self) -> None:
        roll_back(self.undo)


class MemoryStorage:
    """The router's storage in memory; `tables` holds what committed transactions wrote."""

    def __init__(self, *, calendar: HolidayCalendar) -> None:
        self.tables = Tables(calendar=calendar)

    def transaction(self) -> AbstractAsyncContextManager[MemoryUnitOfWork]:
        return rolled_back_on_error(MemoryUnitOfWork(self.tables))

    @property
    def outbox(self) -> list[StagedEvent]:
        return self.tables.outbox
