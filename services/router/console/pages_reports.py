"""The reports page: feedback handling over a quarter or any range of days, as a page with
charts (SVG with a table after each, no script) and as XLSX and PDF downloads.

Who sees what is the console's rule: the supervisor (VPUB) the province and any agency, an
agency's officers their own agency only. A guessed `co_quan` of another agency is refused
(403), never answered with its figures. Every page shown and every download is written to
the audit log (action `report`)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.kit.web import ParameterError, ascii_number, bounded_day
from services.router import audit
from services.router.console.access import Officer
from services.router.console.auth import Guards
from services.router.console.context import (
    PREFIX,
    PRIVATE_HEADERS,
    Console,
    ConsoleRoute,
    client_address,
)
from services.router.console.report_charts import bars, stacked
from services.router.emit import TRIAGE
from services.router.errors import RouterError
from services.router.reports import xlsx
from services.router.reports.figures import Report, compute, decimal, percent
from services.router.reports.period import (
    QUARTERS,
    Period,
    PeriodError,
    days,
    quarter_containing,
    quarter_of,
    roman,
)

PAGE = PREFIX + "/bao-cao"
PROVINCE_CODE = "TINH"  # `co_quan` for the whole province (the supervisor's default)
OTHER_AGENCY = "Bạn chỉ xem được báo cáo của cơ quan mình."
UNKNOWN_AGENCY = "Mã cơ quan không có trong danh mục."
AUDIT_ACTION = "report"  # detail: "page|xlsx|pdf <scope> <period slug>"


class ReportRequestError(RouterError, ValueError):
    """A request the report cannot answer: the message (Vietnamese) and the status."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


def parse_period(
    today: date,
    *,
    nam: str | None,
    quy: str | None,
    tu_ngay: str | None,
    den_ngay: str | None,
) -> Period:
    """A quarter (`nam`, `quy`), a whole year (`nam`), a range of days, or this quarter."""
    year_raw, quarter_raw = (nam or "").strip(), (quy or "").strip()
    if year_raw or quarter_raw:
        year = ascii_number(year_raw) if year_raw else today.year
        if year is None:
            raise PeriodError("Năm phải là một số, ví dụ 2026.")
        if not quarter_raw:
            return days(*_year(year))
        quarter = ascii_number(quarter_raw)
        if quarter not in QUARTERS:
            raise PeriodError("Quý phải là 1, 2, 3 hoặc 4.")
        assert quarter is not None
        return quarter_of(year, quarter)
    try:
        start = bounded_day(tu_ngay, label="Từ ngày")
        end = bounded_day(den_ngay, label="Đến ngày")
    except ParameterError as error:
        raise PeriodError(str(error)) from error
    if start is None and end is None:
        return quarter_containing(today)
    if start is None:
        assert end is not None
        start = quarter_containing(end).start
    return days(start, end or max(today, start))


def _year(year: int) -> tuple[date, date]:
    if not 2000 <= year <= 2100:
        raise PeriodError("Năm phải từ 2000 đến 2100.")
    return date(year, 1, 1), date(year, 12, 31)


def scope_of(console: Console, officer: Officer, co_quan: str | None) -> str | None:
    """The agency whose report is asked for (None: the province), if this officer may see
    it; `ReportRequestError` (403) for another agency's."""
    raw = (co_quan or "").strip()
    if not officer.is_supervisor:
        if raw and raw != officer.agency:
            raise ReportRequestError(OTHER_AGENCY, 403)
        return officer.agency
    if raw in ("", PROVINCE_CODE):
        return None
    if raw == TRIAGE or console.core.agencies.get(raw) is not None:
        return raw
    raise ReportRequestError(UNKNOWN_AGENCY)


def query_of(period: Period, agency: str | None, officer: Officer) -> dict[str, str]:
    """The parameters that ask for this report again (the links and downloads)."""
    asked = (
        {"nam": str(period.start.year), "quy": str(period.quarter)}
        if period.quarter is not None
        else {"tu_ngay": period.start.isoformat(), "den_ngay": period.end.isoformat()}
    )
    if officer.is_supervisor and agency is not None:
        asked["co_quan"] = agency
    return asked


@dataclass(frozen=True)
class ReportQuery:
    """The query of the report page and its downloads: a quarter (`nam`, `quy`) or a range
    of days (`tu_ngay`, `den_ngay`), and for the office an agency (`co_quan`)."""

    nam: str | None = None
    quy: str | None = None
    tu_ngay: str | None = None
    den_ngay: str | None = None
    co_quan: str | None = None


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    Viewer = Annotated[Officer, Depends(guards.page)]
    Asked = Annotated[ReportQuery, Depends()]

    async def report_for(
        request: Request, officer: Officer, query: ReportQuery, *, shown_as: str
    ) -> Report:
        agency = scope_of(console, officer, query.co_quan)
        try:
            period = parse_period(
                console.today(),
                nam=query.nam,
                quy=query.quy,
                tu_ngay=query.tu_ngay,
                den_ngay=query.den_ngay,
            )
        except PeriodError as error:
            raise ReportRequestError(str(error)) from error
        async with console.db.transaction() as session:
            core = await console.core_of(session)
            report = await compute(
                session,
                agency=agency,
                period=period,
                today=console.today(),
                calendar=core.calendar,
                agencies=core.agencies,
                name_of=console.agency_label,
            )
            audit.record(
                session,
                action=AUDIT_ACTION,
                officer=officer,
                detail=f"{shown_as} {agency or PROVINCE_CODE} {period.slug}",
                address=client_address(request),
            )
        return report

    @api.get(PAGE)
    async def report_page(
        request: Request,
        officer: Viewer,
        query: Asked,
    ) -> Response:
        raw = {
            "tu_ngay": (query.tu_ngay or "")[:10],
            "den_ngay": (query.den_ngay or "")[:10],
            "co_quan": (query.co_quan or "")[:16],
        }
        try:
            report = await report_for(request, officer, query, shown_as="page")
        except ReportRequestError as error:
            if error.status_code == 403:
                return console.problem(
                    request, status_code=403, message=str(error), officer=officer
                )
            context = {
                "error": str(error),
                "raw": raw,
                "selected": raw["co_quan"] or PROVINCE_CODE,
                **_choices(console, officer),
            }
            return console.page(request, "reports.html", context, officer=officer, status_code=400)
        shown = query_of(report.period, report.agency, officer)
        keep = {"co_quan": shown["co_quan"]} if "co_quan" in shown else {}
        year = report.period.start.year
        context = {
            "report": report,
            "raw": {
                **raw,
                "tu_ngay": report.period.start.isoformat(),
                "den_ngay": report.period.end.isoformat(),
            },
            "selected": report.agency or PROVINCE_CODE,
            "quarters": [
                (
                    f"Quý {roman(q)}/{year}",
                    f"{PAGE}?{urlencode({'nam': year, 'quy': q, **keep})}",
                    q,
                )
                for q in QUARTERS
            ],
            "years": [
                (str(y), f"{PAGE}?{urlencode({'nam': y, 'quy': 1, **keep})}")
                for y in (year - 1, year + 1)
            ],
            "xlsx": f"{PAGE}.xlsx?{urlencode(shown)}",
            "pdf": f"{PAGE}.pdf?{urlencode(shown)}",
            "refusal_chart": bars(report.refused_by_reason),
            "channel_chart": bars(report.by_channel),
            "field_chart": bars(report.by_field),
            "agency_chart": stacked(report.lines),
            "percent": percent,
            "decimal": decimal,
            "summary": xlsx.summary_rows(report),
            **_choices(console, officer),
        }
        return console.page(request, "reports.html", context, officer=officer)

    async def download(
        request: Request,
        officer: Officer,
        query: ReportQuery,
        *,
        form: str,
        render: Callable[[Report], bytes],
        media_type: str,
    ) -> Response:
        try:
            report = await report_for(request, officer, query, shown_as=form)
        except ReportRequestError as error:
            return console.problem(
                request, status_code=error.status_code, message=str(error), officer=officer
            )
        return _download(render(report), media_type, _file_name(report, form))

    @api.get(PAGE + ".xlsx")
    async def report_xlsx(
        request: Request,
        officer: Viewer,
        query: Asked,
    ) -> Response:
        return await download(
            request, officer, query, form="xlsx", render=xlsx.workbook, media_type=xlsx.MEDIA_TYPE
        )

    @api.get(PAGE + ".pdf")
    async def report_pdf(
        request: Request,
        officer: Viewer,
        query: Asked,
    ) -> Response:
        # imported on the first download: fpdf2 (with numpy, Pillow and fontTools) is
        # ~45 MiB the router's process need not hold until then (issue 12)
        from services.router.reports import pdf

        return await download(
            request, officer, query, form="pdf", render=pdf.document, media_type=pdf.MEDIA_TYPE
        )

    return api


def _choices(console: Console, officer: Officer) -> dict[str, object]:
    """The supervisor's scope list: the province, the triage queue, every agency."""
    if not officer.is_supervisor:
        return {"agencies": []}
    listed = [(PROVINCE_CODE, "Toàn tỉnh"), (TRIAGE, console.agency_label(TRIAGE))]
    return {"agencies": listed + console.agency_choices()}


def _file_name(report: Report, extension: str) -> str:
    return (
        f"bao-cao-pakn-{(report.agency or PROVINCE_CODE).lower()}-{report.period.slug}.{extension}"
    )


def _download(body: bytes, media_type: str, name: str) -> Response:
    headers = {
        **PRIVATE_HEADERS,
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
    }
    return Response(content=body, media_type=media_type, headers=headers)
