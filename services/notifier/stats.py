"""The public statistics page: per agency, with a chart that needs no JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from services.notifier.catalog import FilterError, Filters, conditions, parse_filters
from services.notifier.directory import TRIAGE
from services.notifier.domain.stats import CaseFacts, agency_stats, bars, province_total
from services.notifier.labels import local_day
from services.notifier.models import PublicCase
from services.notifier.pages import TEMPLATES

if TYPE_CHECKING:
    from services.notifier.service import NotifierService

UNASSIGNED = "Chưa giao cơ quan (đang phân loại)"


def facts_of(case: PublicCase) -> CaseFacts:
    placed = case.agency and case.agency != TRIAGE
    return CaseFacts(
        agency=case.agency if placed and case.agency else TRIAGE,
        agency_name=(case.agency_name or case.agency or "") if placed else UNASSIGNED,
        received_on=local_day(case.received_at),
        answered_on=case.answered_on if case.status == "answered" else None,
        on_time=case.on_time,
        overdue=case.overdue,
    )


def routes(service: NotifierService) -> APIRouter:
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
        rows = [facts_of(case) for case in cases]
        lines = agency_stats(rows, calendar=service.calendar)
        context = {
            "lines": lines,
            "total": province_total(rows, calendar=service.calendar),
            "bars": bars(lines),
            "filters": filters,
            "raw": {"tu_ngay": tu_ngay or "", "den_ngay": den_ngay or ""},
            "error": error,
            "hotline": service.settings.hotline_number,
        }
        return TEMPLATES.TemplateResponse(
            request, "stats.html", context, status_code=400 if error else 200
        )

    return router
