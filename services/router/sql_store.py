"""The router's ports on its database (SQLModel on SQLite or PostgreSQL): services/router/ports.py.

`SqlUnitOfWork(session, calendars=…)` works in a transaction someone else opened (the
consumer pipeline's batch, an administrator's holiday load); `SqlStorage(db, calendars=…)`
opens its own. Writes are added to the session and reach the database when it flushes (at
the latest at the commit, or at the end of the pipeline's per-event SAVEPOINT).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.db import Database, recall_in_transaction, remember_in_transaction
from services.kit.outbox import SqlOutbox
from services.router.domain.calendar import HolidayCalendar
from services.router.domain.deadlines import Pause
from services.router.models import ClockPause, DeadlineNotice, RefusedItem, RoutedCase, RoutingHop
from services.router.ports import SERVICE, NoticeKey

_CHUNK = 500  # ids per IN (…) list: well under every driver's parameter limit


class CalendarLookup(Protocol):
    """The holiday calendar in force as a session sees it (`calendars.CalendarStore`)."""

    async def current(self, session: AsyncSession) -> HolidayCalendar: ...


class FixedCalendar:
    """A calendar the caller already holds (one being loaded, not committed yet)."""

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.calendar = calendar

    async def current(self, session: AsyncSession) -> HolidayCalendar:
        return self.calendar


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    return [list(ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]


_PREFETCHED = "pakn_router_prefetched"  # what `prefetch_cases` read for its batch


@dataclass
class _Prefetched:
    absent: set[str]  # case ids the batch's read did not find, and it has not added since
    # The rows read: the identity map holds its objects weakly, so these keep them there.
    rows: list[RoutedCase]


async def prefetch_cases(session: AsyncSession, case_ids: Collection[str]) -> None:
    """Read a batch's cases in one query (per 500): for the rest of the transaction `get`
    answers from them, sending nothing (docs/decisions/0009-batches.md)."""
    ids, rows = set(case_ids), list[RoutedCase]()
    for chunk in _chunks(sorted(ids)):
        query = select(RoutedCase).where(col(RoutedCase.case_id).in_(chunk))
        rows += (await session.exec(query)).all()
    absent = ids - {row.case_id for row in rows}
    remember_in_transaction(session, _PREFETCHED, _Prefetched(absent, rows))


class SqlCases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: str) -> RoutedCase | None:
        known: _Prefetched | None = recall_in_transaction(self.session, _PREFETCHED)
        if known is not None and case_id in known.absent:
            return None  # not in the database when the batch began, nor added by it
        return await self.session.get(RoutedCase, case_id)

    async def lock(self, case_id: str) -> RoutedCase | None:
        query = select(RoutedCase).where(RoutedCase.case_id == case_id).with_for_update()
        return (await self.session.exec(query)).first()

    def add(self, case: RoutedCase) -> None:
        known: _Prefetched | None = recall_in_transaction(self.session, _PREFETCHED)
        if known is not None:
            known.absent.discard(case.case_id)
        self.session.add(case)

    def save(self, case: RoutedCase) -> None:
        self.session.add(case)

    async def open_on_other_calendar(
        self, version: str, *, statuses: Collection[str]
    ) -> list[RoutedCase]:
        query = (
            select(RoutedCase)
            .where(col(RoutedCase.status).in_(statuses))
            .where(RoutedCase.calendar_version != version)
            .with_for_update()
        )
        return list((await self.session.exec(query)).all())

    async def due_by(
        self, horizon: date, *, statuses: Collection[str], after: str = "", limit: int | None = None
    ) -> list[RoutedCase]:
        query = (
            select(RoutedCase)
            .where(col(RoutedCase.status).in_(statuses))
            .where(col(RoutedCase.case_id) > after)
            .where(
                or_(
                    col(RoutedCase.due_classify) <= horizon,
                    col(RoutedCase.due_forward) <= horizon,
                    col(RoutedCase.due_answer) <= horizon,
                )
            )
            .order_by(col(RoutedCase.case_id))
            .limit(limit)
        )
        return list((await self.session.exec(query)).all())


class SqlHops:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, hop: RoutingHop) -> None:
        self.session.add(hop)

    async def agencies(self, case_id: str) -> set[str]:
        query = select(RoutingHop.agency).where(RoutingHop.case_id == case_id)
        return set((await self.session.exec(query)).all())


class SqlPauses:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, pause: ClockPause) -> None:
        self.session.add(pause)

    def save(self, pause: ClockPause) -> None:
        self.session.add(pause)

    async def open_of(self, case_id: str) -> ClockPause | None:
        query = (
            select(ClockPause)
            .where(ClockPause.case_id == case_id)
            .where(col(ClockPause.resumed_on).is_(None))
            .order_by(col(ClockPause.id).desc())
        )
        return (await self.session.exec(query)).first()

    async def closed_of(self, case_ids: Collection[str]) -> dict[str, list[Pause]]:
        found: dict[str, list[Pause]] = defaultdict(list)
        if not case_ids:
            return found
        query = (
            select(ClockPause)
            .where(col(ClockPause.case_id).in_(case_ids))
            .where(col(ClockPause.resumed_on).is_not(None))
        )
        for row in (await self.session.exec(query)).all():
            assert row.resumed_on is not None
            found[row.case_id].append(Pause(paused_on=row.paused_on, resumed_on=row.resumed_on))
        return found


class SqlRefusals:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: str) -> RefusedItem | None:
        return await self.session.get(RefusedItem, case_id)

    def add(self, item: RefusedItem) -> None:
        self.session.add(item)


class SqlNotices:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent(self, case_ids: Sequence[str]) -> set[NoticeKey]:
        found: set[NoticeKey] = set()
        for chunk in _chunks(case_ids):
            query = select(DeadlineNotice).where(col(DeadlineNotice.case_id).in_(chunk))
            for row in (await self.session.exec(query)).all():
                found.add((row.case_id, row.kind, row.stage, row.due))
        return found

    def add(self, notice: DeadlineNotice) -> None:
        self.session.add(notice)


class SqlUnitOfWork:
    """The router's repositories on `session`, in the transaction its owner opened."""

    def __init__(self, session: AsyncSession, *, calendars: CalendarLookup) -> None:
        self.session = session
        self._calendars = calendars
        self.cases = SqlCases(session)
        self.hops = SqlHops(session)
        self.pauses = SqlPauses(session)
        self.refusals = SqlRefusals(session)
        self.notices = SqlNotices(session)
        self.outbox = SqlOutbox(session, service=SERVICE)

    async def calendar(self) -> HolidayCalendar:
        return await self._calendars.current(self.session)


class SqlStorage:
    def __init__(self, db: Database, *, calendars: CalendarLookup) -> None:
        self.db = db
        self._calendars = calendars

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.transaction() as session:
            yield SqlUnitOfWork(session, calendars=self._calendars)
