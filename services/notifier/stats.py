"""The public statistics page: per agency, with a chart that needs no JavaScript.

Grouped by today's agencies: a case of a former agency counts for the agency doing its
work today (Sở Giao thông vận tải's for Sở Xây dựng; a split one's by the words of the
case, as the router chooses), so a merged department's line includes its predecessors'
cases. A former district has no single successor (its area went to several communes): its
cases keep their own line, marked "(cũ)"."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from schemas.vocabulary import TRIAGE
from services.notifier.catalog import FilterError, Filters, conditions, parse_filters
from services.notifier.directory import current_agency, name_on, shown_name, today_local
from services.notifier.domain.stats import CaseFacts, agency_stats, bars, province_total
from services.notifier.labels import local_day
from services.notifier.models import PublicCase
from services.notifier.page_templates import TEMPLATES
from services.notifier.site import Site

UNASSIGNED = "Chưa giao cơ quan (đang phân loại)"
# The chart is drawn for a phone 390 px wide (about 1:1 there, larger on a wide screen),
# each agency's name on its own line above its bar: beside the bar, the names left the bars
# too short and the chart shrank to a third on a phone, its labels unreadable (issue 14).
# Its table gives every figure.
CHART = {"width": 360, "bar_width": 300, "pitch": 42}


def facts_of(case: PublicCase, today: date | None = None) -> CaseFacts:
    """One case's row, under the agency that does its work on `today`."""
    day = today or today_local()
    code, name = case.agency or TRIAGE, UNASSIGNED
    if code != TRIAGE:
        now = current_agency(code, day, f"{case.title} {case.content}")
        if now is not None and now != code:
            code, name = now, name_on(now, day)
        else:
            name = shown_name(code, case.agency_name or code, day)
    return CaseFacts(
        agency=code,
        agency_name=name,
        received_on=local_day(case.received_at),
        answered_on=case.answered_on if case.status == "answered" else None,
        on_time=case.on_time,
        overdue=case.overdue,
    )


def routes(service: Site) -> APIRouter:
    router = APIRouter()

    @router.get("/thong-ke", response_class=HTMLResponse)
    async def statistics(
        request: Request, tu_ngay: str | None = None, den_ngay: str | None = None
    ) -> Response:
        error = None
        try:
            filters = parse_filters(tu_ngay=tu_ngay, den_ngay=den_ngay)
        except FilterError as problem:
            filters, error = Filters(), str(problem)
        query = select(PublicCase).where(*conditions(filters))
        async with service.db.session() as session:
            cases = (await session.exec(query.order_by(col(PublicCase.received_at)))).all()
        today = today_local()
        rows = [facts_of(case, today) for case in cases]
        lines = agency_stats(rows, calendar=service.calendar)
        context = {
            "lines": lines,
            "total": province_total(rows, calendar=service.calendar),
            "bars": bars(lines, width=CHART["bar_width"], pitch=CHART["pitch"]),
            "chart": CHART,
            "filters": filters,
            "raw": {"tu_ngay": tu_ngay or "", "den_ngay": den_ngay or ""},
            "error": error,
            **service.settings.office_text(),
        }
        return TEMPLATES.TemplateResponse(
            request, "stats.html", context, status_code=400 if error else 200
        )

    return router
