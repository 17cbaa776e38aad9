"""Public pages: the answers list with search, the case page, lookup by tracking code, the
answer letter (PDF, `answer_letter`) and the published channels (`channels_page`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from schemas.tracking import parse_tracking_code
from services.notifier import answer_letter, channels_page, citizen_view, public
from services.notifier.catalog import (
    FilterError,
    Filters,
    agencies_in_use,
    page_number,
    parse_filters,
    search,
    transfers_of,
)
from services.notifier.directory import filter_choices, today_local
from services.notifier.models import PublicCase
from services.notifier.page_templates import TEMPLATES
from services.notifier.site import Site

# Every notifier page and the Atom feed title untitled cases by their first words.
TEMPLATES.env.globals.setdefault("citizen", citizen_view)


def case_json(case: PublicCase) -> dict[str, Any]:
    """The status of one case by its code (refused ones included, with the reason)."""
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_vi": public.status_vi(case),
        "received_at": case.received_at.isoformat(),
        "title": case.title if case.status != "refused" else "",
        "content": case.content if case.status != "refused" else "",
        "refusal_reason": case.refusal_reason,
        "refusal_reason_vi": public.refusal_vi(case) if case.status == "refused" else None,
        "agency": case.agency,
        "agency_name": case.agency_name,
        "due_answer": case.due_answer.isoformat() if case.due_answer else None,
        "overdue": public.is_overdue(case),
        "answer": case.answer,
        "legal_basis": case.legal_basis,
        "answered_on": case.answered_on.isoformat() if case.answered_on else None,
        "on_time": case.on_time,
    }


async def by_code(service: Site, raw: str) -> PublicCase | None:
    code = parse_tracking_code(raw)
    if code is None:
        return None
    async with service.db.session() as session:
        query = select(PublicCase).where(PublicCase.tracking_code == code)
        return (await session.exec(query)).first()


async def answers_context(service: Site, raw: dict[str, str | None], number: int) -> dict[str, Any]:
    """What the list page shows for the query `raw`; a bad parameter is explained, not fatal."""
    error = None
    try:
        filters = parse_filters(**raw, fields=service.directory.fields())
    except FilterError as problem:
        filters, error = Filters(), str(problem)
    async with service.db.session() as session:
        page = await search(
            session, filters=filters, number=number, size=service.settings.page_size
        )
        agencies = filter_choices(await agencies_in_use(session), today_local())
    return {
        "page": page,
        "filters": filters,
        "raw": {k: v or "" for k, v in raw.items()},
        "error": error,
        "agencies": agencies,
        "fields": list(service.directory.fields()),
        "citizen": citizen_view,
        **service.settings.office_text(),
    }


def list_routes(service: Site) -> APIRouter:
    router = APIRouter()

    @router.get("/tra-loi", response_class=HTMLResponse)
    async def answers_page(
        request: Request,
        q: str | None = None,
        co_quan: str | None = None,
        phan_loai: str | None = None,
        loai: str | None = None,
        van_ban: str | None = None,
        tinh_trang: str | None = None,
        tu_ngay: str | None = None,
        den_ngay: str | None = None,
        linh_vuc: str | None = None,
        trang: str | None = None,
    ) -> Response:
        raw = {"q": q, "co_quan": co_quan, "phan_loai": phan_loai, "loai": loai}
        raw |= {"van_ban": van_ban, "tinh_trang": tinh_trang, "tu_ngay": tu_ngay}
        raw |= {"den_ngay": den_ngay, "linh_vuc": linh_vuc}
        context = await answers_context(service, raw, page_number(trang))
        status = 400 if context["error"] else 200
        return TEMPLATES.TemplateResponse(request, "answers.html", context, status_code=status)

    return router


def case_routes(service: Site) -> APIRouter:
    router = APIRouter()
    page_context = service.settings.office_text()

    @router.get("/tra-cuu", response_class=HTMLResponse)
    async def lookup(request: Request, ma: str | None = None) -> Response:
        code = parse_tracking_code(ma) if ma else None
        if code:
            return RedirectResponse(f"/tra-cuu/{code}", status_code=303)
        error = "Mã tra cứu không hợp lệ, xin kiểm tra lại." if ma else None
        context = {"code": ma, "error": error, **page_context}
        return TEMPLATES.TemplateResponse(
            request, "lookup.html", context, status_code=400 if ma else 200
        )

    @router.get("/tra-cuu/{code}", response_class=HTMLResponse)
    async def case_page(request: Request, code: str) -> Response:
        case = await by_code(service, code)
        if case is None:
            missing = {"code": code, "error": "Không tìm thấy hồ sơ với mã này.", **page_context}
            return TEMPLATES.TemplateResponse(request, "lookup.html", missing, status_code=404)
        async with service.db.session() as session:
            transfers = (await transfers_of(session, [case.case_id]))[case.case_id]
        context = {"case": case, "transfers": transfers, "citizen": citizen_view, **page_context}
        return TEMPLATES.TemplateResponse(request, "case.html", context)

    @router.get("/api/cases/{code}")
    async def case_status(code: str) -> dict[str, Any]:
        case = await by_code(service, code)
        if case is None:
            raise HTTPException(status_code=404, detail="Không tìm thấy hồ sơ với mã này.")
        return case_json(case)

    return router


def routes(service: Site) -> APIRouter:
    router = APIRouter()
    router.include_router(list_routes(service))
    router.include_router(case_routes(service))
    router.include_router(answer_letter.routes(service))
    router.include_router(channels_page.routes(service))
    return router
