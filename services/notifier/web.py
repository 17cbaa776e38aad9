"""The public pages and read API: answers, status by tracking code. Only `PublicCase` is read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from services.intake.domain.tracking import parse_tracking_code
from services.kit.pages import templates
from services.notifier.models import PublicCase

if TYPE_CHECKING:
    from services.notifier.service import NotifierService

STATUS_VI = {
    "received": "Đã tiếp nhận",
    "refused": "Không được tiếp nhận",
    "routed": "Đang xử lý",
    "answered": "Đã trả lời",
}
_TEMPLATES = templates(Path(__file__).parent / "templates" / "web")


def public_json(case: PublicCase) -> dict[str, Any]:
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_vi": STATUS_VI.get(case.status, case.status),
        "received_at": case.received_at.isoformat(),
        "title": case.title,
        "content": case.content,
        "agency": case.agency,
        "agency_name": case.agency_name,
        "due_answer": case.due_answer.isoformat() if case.due_answer else None,
        "answer": case.answer,
        "legal_basis": case.legal_basis,
        "answered_on": case.answered_on.isoformat() if case.answered_on else None,
        "on_time": case.on_time,
    }


def build_app(service: NotifierService) -> FastAPI:
    app = FastAPI(title="PAKN Gia Lai — công khai", docs_url=None, redoc_url=None)
    page_context = {"hotline": service.settings.hotline_number}

    async def answered(limit: int = 50) -> list[PublicCase]:
        query = select(PublicCase).where(PublicCase.status == "answered")
        query = query.order_by(col(PublicCase.updated_at).desc()).limit(limit)
        async with service.db.session() as session:
            return list((await session.exec(query)).all())

    async def by_code(raw: str) -> PublicCase | None:
        code = parse_tracking_code(raw)
        if code is None:
            return None
        async with service.db.session() as session:
            query = select(PublicCase).where(PublicCase.tracking_code == code)
            return (await session.exec(query)).first()

    @app.get("/tra-loi", response_class=HTMLResponse)
    async def answers_page(request: Request) -> Response:
        context = {"cases": await answered(), **page_context}
        return _TEMPLATES.TemplateResponse(request, "answers.html", context)

    @app.get("/api/answers.json")
    async def answers_json() -> dict[str, Any]:
        return {"items": [public_json(case) for case in await answered()]}

    @app.get("/tra-cuu", response_class=HTMLResponse)
    async def lookup(request: Request, ma: str | None = None) -> Response:
        if ma and parse_tracking_code(ma):
            return RedirectResponse(f"/tra-cuu/{parse_tracking_code(ma)}", status_code=303)
        error = "Mã tra cứu không hợp lệ, xin kiểm tra lại." if ma else None
        context = {"code": ma, "error": error, **page_context}
        return _TEMPLATES.TemplateResponse(
            request, "lookup.html", context, status_code=400 if ma else 200
        )

    @app.get("/tra-cuu/{code}", response_class=HTMLResponse)
    async def case_page(request: Request, code: str) -> Response:
        case = await by_code(code)
        if case is None:
            missing = {"code": code, "error": "Không tìm thấy hồ sơ với mã này.", **page_context}
            return _TEMPLATES.TemplateResponse(request, "lookup.html", missing, status_code=404)
        context: dict[str, Any] = {
            "case": case,
            "status_vi": STATUS_VI.get(case.status, case.status),
            "received_on": case.received_at.strftime("%d/%m/%Y"),
            **page_context,
        }
        return _TEMPLATES.TemplateResponse(request, "case.html", context)

    @app.get("/api/cases/{code}")
    async def case_json(code: str) -> dict[str, Any]:
        case = await by_code(code)
        if case is None:
            raise HTTPException(status_code=404, detail="Không tìm thấy hồ sơ với mã này.")
        return public_json(case)

    return app
