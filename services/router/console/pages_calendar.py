"""The working-day calendar the deadlines are counted on: each year's days off and where
they come from (an official notice, a loaded table, or the rule until the notice is out)."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.router.calendars import CalendarStore, year_sources
from services.router.console.access import Officer
from services.router.console.auth import Guards
from services.router.console.context import PREFIX, Console, ConsoleRoute


@dataclass(frozen=True)
class YearRow:
    year: int
    source: str
    official: bool
    days_off: list[date]  # weekdays off (weekends are off anyway)
    saturdays_worked: list[date]


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    Viewer = Annotated[Officer, Depends(guards.page)]

    @api.get(PREFIX + "/lich-nghi")
    async def calendar_page(request: Request, officer: Viewer) -> Response:
        async with console.db.session() as session:
            store = CalendarStore(console.core.calendar)
            sources = await year_sources(session, store, today=console.today())
            calendar = await store.current(session)
        rows = []
        for source in sources:
            table = calendar.table_for(source.year)
            days = sorted(d for d in table.off_dates if d.weekday() < 5)
            rows.append(
                YearRow(
                    year=source.year,
                    source=source.label,
                    official=source.kind == "official",
                    days_off=days,
                    saturdays_worked=sorted(table.saturdays_worked),
                )
            )
        context = {"rows": rows, "version": calendar.version}
        return console.page(request, "calendar.html", context, officer=officer)

    return api
