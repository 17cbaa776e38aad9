"""An administrator loads a year's official holiday schedule: validate it, log who changed
what, and recalculate the deadlines of open cases in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from sqlmodel import col, select

from services.kit.columns import utc_now
from services.kit.db import Database
from services.router.calendars import CalendarStore, recalculate_open_cases, with_years
from services.router.core import RouterCore
from services.router.domain.calendar import (
    CalendarDataError,
    HolidayCalendar,
    YearTable,
    local_date,
    parse_tables,
)
from services.router.models import CalendarChange, CalendarYear
from services.router.reference import calendar_event, stage_if_changed


@dataclass(frozen=True)
class CalendarUpdate:
    changed: bool
    previous_version: str
    version: str
    summary: tuple[str, ...]
    cases_recalculated: int = 0
    change_id: int | None = None


def read_tables(path: Path) -> list[YearTable]:
    """The year tables of a holiday file, validated like the packaged one."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CalendarDataError(f"{path}: không đọc được tệp: {exc}") from None
    tables = parse_tables(data, source=str(path))
    if not tables:
        raise CalendarDataError(f"{path}: tệp không có năm nào")
    return tables


def _day_list(days: Sequence[str]) -> str:
    return ", ".join(days) if days else "không"


def describe_changes(current: HolidayCalendar, tables: Sequence[YearTable]) -> tuple[str, ...]:
    """One line per year, in Vietnamese: the days off and working Saturdays added or removed."""
    lines = []
    for table in sorted(tables, key=lambda t: t.year):
        old = current.table_for(table.year)
        added = sorted(table.off_dates - old.off_dates)
        removed = sorted(old.off_dates - table.off_dates)
        worked_added = sorted(table.saturdays_worked - old.saturdays_worked)
        worked_removed = sorted(old.saturdays_worked - table.saturdays_worked)
        if not (added or removed or worked_added or worked_removed):
            lines.append(f"Năm {table.year}: không đổi ngày nào ({table.source}).")
            continue
        lines.append(
            f"Năm {table.year} ({table.source}): "
            f"thêm ngày nghỉ {_day_list([d.isoformat() for d in added])}; "
            f"bỏ ngày nghỉ {_day_list([d.isoformat() for d in removed])}; "
            f"thêm thứ Bảy làm bù {_day_list([d.isoformat() for d in worked_added])}; "
            f"bỏ thứ Bảy làm bù {_day_list([d.isoformat() for d in worked_removed])}."
        )
    return tuple(lines)


async def load_year_tables(
    db: Database,
    *,
    core: RouterCore,
    store: CalendarStore,
    tables: Sequence[YearTable],
    changed_by: str,
    source: str,
) -> CalendarUpdate:
    """Store the tables, log the change, recalculate open cases and stage the new calendar
    for the other services (`CalendarPublished`), all in one transaction."""
    async with db.transaction() as session:
        current = await store.current(session)
        calendar = with_years(current, tables)
        summary = describe_changes(current, tables)
        if calendar.version == current.version:
            return CalendarUpdate(False, current.version, calendar.version, summary)
        change = CalendarChange(
            changed_by=changed_by,
            source=source[:500],
            years=",".join(str(t.year) for t in sorted(tables, key=lambda t: t.year)),
            previous_version=current.version,
            version=calendar.version,
            summary="\n".join(summary),
        )
        session.add(change)
        await session.flush()
        assert change.id is not None
        for table in tables:
            await session.merge(
                CalendarYear(
                    year=table.year, table_json=table.model_dump_json(), change_id=change.id
                )
            )
        reason = f"Lịch nghỉ lễ được cập nhật: {'; '.join(summary)}"
        count = await recalculate_open_cases(
            session, core=replace(core, calendar=calendar), reason=reason[:2000]
        )
        change.cases_recalculated = count
        session.add(change)
        published = calendar_event(calendar, today=local_date(utc_now()))
        await stage_if_changed(session, topic=core.topics.reference_data, event=published)
        return CalendarUpdate(True, current.version, calendar.version, summary, count, change.id)


async def change_log(db: Database, *, limit: int = 50) -> list[CalendarChange]:
    async with db.session() as session:
        query = select(CalendarChange).order_by(col(CalendarChange.id).desc()).limit(limit)
        return list((await session.exec(query)).all())
