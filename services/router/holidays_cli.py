"""`pakn holidays load FILE --by WHO` and `pakn holidays log`: the administrator's commands.

`log` first lists where each year's days off come from (official notice, provisional
table, or the rule while no notice is published; who loaded it and when), then the
changes.

They work on the router's database (settings from `PAKN_ROUTER_*`); the running router
picks the new calendar up on its next message or scheduler tick, and its relay publishes
the `DeadlinesRecalculated` events staged here and the new calendar for the notifier
(`CalendarPublished`, docs/decisions/0008-reference-data-in-events.md).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from services.router.calendars import year_sources
from services.router.domain.calendar import CalendarDataError, YearTable
from services.router.holidays_admin import (
    CalendarUpdate,
    change_log,
    describe_changes,
    load_year_tables,
    read_tables,
)
from services.router.service import RouterService
from services.router.settings import RouterSettings


def run_holidays(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    tables: list[YearTable] = []
    source = ""
    if args.action == "load":
        try:
            tables = read_tables(Path(args.file))
        except CalendarDataError as error:
            print(f"pakn holidays: {error}", file=err)
            return 2
        source = str(Path(args.file).resolve())
        if not args.dry_run and not args.by.strip():
            print("pakn holidays: cho biết ai nạp lịch: --by TÊN", file=err)
            return 2
    return asyncio.run(_main(args, tables=tables, source=source, out=out))


async def _main(
    args: argparse.Namespace, *, tables: Sequence[YearTable], source: str, out: TextIO
) -> int:
    service = RouterService(RouterSettings())
    try:
        if args.action == "log":
            await _print_log(service, out=out)
        elif args.dry_run:
            await _dry_run(service, tables=tables, out=out)
        else:
            update = await load_year_tables(
                service.db,
                core=service.core,
                store=service.calendars,
                tables=tables,
                changed_by=args.by,
                source=source,
            )
            _print_update(update, out=out)
            if update.changed:
                await _print_sources(service, years=sorted(t.year for t in tables), out=out)
        return 0
    finally:
        await service.db.dispose()


async def _dry_run(service: RouterService, *, tables: Sequence[YearTable], out: TextIO) -> None:
    async with service.db.session() as session:
        current = await service.calendars.current(session)
    for line in describe_changes(current, tables):
        print(line, file=out)
    print("(chạy thử: chưa lưu gì)", file=out)


def _print_update(update: CalendarUpdate, *, out: TextIO) -> None:
    for line in update.summary:
        print(line, file=out)
    if not update.changed:
        print(f"Lịch không thay đổi (phiên bản {update.version}); không ghi gì.", file=out)
        return
    print(
        f"Đã cập nhật lịch {update.previous_version} → {update.version} "
        f"(lần thay đổi số {update.change_id}); "
        f"{update.cases_recalculated} hồ sơ đang mở có thời hạn thay đổi.",
        file=out,
    )


async def _print_sources(
    service: RouterService, *, out: TextIO, years: Sequence[int] | None = None
) -> None:
    async with service.db.session() as session:
        sources = await year_sources(session, service.calendars, years)
    print("Nguồn lịch nghỉ từng năm:", file=out)
    for source in sources:
        print(f"  Năm {source.year}: {source.label}", file=out)


async def _print_log(service: RouterService, *, out: TextIO) -> None:
    await _print_sources(service, out=out)
    changes = await change_log(service.db)
    print("Các lần thay đổi lịch (mới nhất trước):" if changes else "Chưa ai nạp lịch.", file=out)
    for change in changes:
        print(
            f"#{change.id} {change.at:%Y-%m-%d %H:%M} UTC {change.changed_by}: "
            f"năm {change.years}, {change.previous_version} → {change.version}, "
            f"{change.cases_recalculated} hồ sơ có thời hạn thay đổi; tệp {change.source}",
            file=out,
        )
        for line in change.summary.splitlines():
            print(f"    {line}", file=out)
