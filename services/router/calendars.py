"""The holiday calendar in force (the packaged file plus the years an administrator loaded),
where each year's days come from, and the recalculation of open cases computed under
another calendar version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.columns import utc_now
from services.kit.db import mark_in_transaction, seen_in_transaction
from services.router import recalculation
from services.router.core import RouterCore
from services.router.domain.calendar import HolidayCalendar, YearSource, YearTable, local_date
from services.router.models import CalendarChange, CalendarYear
from services.router.sql_store import FixedCalendar, SqlUnitOfWork

_LOOKED = "pakn_calendar_looked"  # Session.info key: this transaction has looked already


class CalendarStore:
    """Builds the calendar in force; rebuilt only when the change log has grown."""

    def __init__(self, base: HolidayCalendar) -> None:
        self.base = base
        self._change_id: int | None = -1
        self._calendar = base

    async def current(self, session: AsyncSession) -> HolidayCalendar:
        """The calendar in force, looked up once per transaction (a batch of events asks
        once, not per event; a change committed meanwhile is seen by the next one)."""
        if seen_in_transaction(session, _LOOKED):
            return self._calendar
        latest = (await session.exec(select(func.max(CalendarChange.id)))).one()
        mark_in_transaction(session, _LOOKED)
        if latest != self._change_id:
            rows = (await session.exec(select(CalendarYear))).all()
            self._calendar = with_years(
                self.base, [YearTable.model_validate_json(row.table_json) for row in rows]
            )
            self._change_id = latest
        return self._calendar


def with_years(calendar: HolidayCalendar, tables: Sequence[YearTable]) -> HolidayCalendar:
    for table in tables:
        calendar = calendar.with_year(table)
    return calendar


async def year_sources(
    session: AsyncSession,
    store: CalendarStore,
    years: Iterable[int] | None = None,
    *,
    today: date | None = None,
) -> list[YearSource]:
    """Where each year's days off come from, and who loaded it and when if an
    administrator did. `years` defaults to the first table's year up to the year after
    `today` (by default today in Vietnam). Show `source.label`, in Vietnamese: e.g.
    "Theo quy tắc, chờ thông báo chính thức: …" for a year not yet published."""
    calendar = await store.current(session)
    loaded = {row.year: row.change_id for row in (await session.exec(select(CalendarYear))).all()}
    changes: dict[int, CalendarChange] = {}
    if loaded:
        query = select(CalendarChange).where(col(CalendarChange.id).in_(set(loaded.values())))
        changes = {c.id: c for c in (await session.exec(query)).all() if c.id is not None}
    if years is None:
        years = calendar.shown_years(today or local_date(utc_now()))
    found = []
    for year in years:
        source = calendar.source_of(year)
        change = changes.get(loaded[year]) if year in loaded else None
        if change is not None:
            source = source._replace(loaded_by=change.changed_by, loaded_at=change.at)
        found.append(source)
    return found


async def recalculate_open_cases(session: AsyncSession, *, core: RouterCore, reason: str) -> int:
    """`recalculation.recalculate_open_cases` in `session`'s transaction, under `core.calendar`
    (an administrator's holiday load, not committed yet)."""
    uow = SqlUnitOfWork(session, calendars=FixedCalendar(core.calendar))
    return await recalculation.recalculate_open_cases(uow, core=core, reason=reason)
