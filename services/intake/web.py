"""Intake's own channels over HTTP: the public web form and the JSON API.

They register through the same use case as the intake topic, synchronously, because the
person at the form must leave with a tracking code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from schemas.submission import Channel, Submission
from services.intake.models import IntakeCase, RawPayload
from services.intake.register import register_submission
from services.kit.pages import templates

if TYPE_CHECKING:
    from services.intake.service import IntakeService

_TEMPLATES = templates(Path(__file__).parent / "templates")
MAX_BODY = 256 * 1024
FIELD_VI = {
    "name": "Họ và tên",
    "content": "Nội dung",
    "email": "Thư điện tử",
    "phone": "Số điện thoại",
    "address": "Địa chỉ",
    "title": "Tiêu đề",
    "regulation": "Văn bản quy định",
    "received_at": "Thời điểm nhận",
    "channel": "Kênh",
}


def explain(error: ValidationError) -> list[str]:
    """Vietnamese messages for the person who filled the form."""
    messages = []
    for item in error.errors():
        field = FIELD_VI.get(str(item["loc"][0]) if item["loc"] else "", "Dữ liệu")
        if item["type"] in {"string_too_long", "too_long"}:
            messages.append(f"{field}: quá dài.")
        elif item["type"] == "missing":
            messages.append(f"{field}: chưa điền.")
        elif item["type"] == "extra_forbidden":
            messages.append(f"Trường không được hỗ trợ: {item['loc'][-1]}.")
        else:
            messages.append(f"{field}: không hợp lệ.")
    return messages


def build_app(service: IntakeService) -> FastAPI:
    app = FastAPI(title="PAKN Gia Lai — tiếp nhận", docs_url=None, redoc_url=None)
    hotline = service.settings.hotline_number

    async def receive(
        source: str, body: bytes, parse: Callable[[], Submission]
    ) -> IntakeCase | list[str]:
        """Archive the raw body first, then validate and register: nothing received is lost."""
        raw = RawPayload(source=source, source_ref=uuid4().hex, body=body)
        async with service.db.transaction() as session:
            session.add(raw)
        try:
            submission = parse()
        except ValidationError as error:
            async with service.db.transaction() as session:
                raw.status, raw.error = "failed", str(error)
                session.add(raw)
            return explain(error)
        async with service.db.transaction() as session:
            registration = await register_submission(
                session, submission=submission, topics=service.topics
            )
            raw.status, raw.case_id = "registered", registration.case.id
            session.add(raw)
        if service.relay:
            service.relay.wake()
        return registration.case

    @app.get("/gui-phan-anh", response_class=HTMLResponse)
    async def form(request: Request) -> Response:
        context = {"form": {}, "errors": [], "hotline": hotline}
        return _TEMPLATES.TemplateResponse(request, "submit.html", context)

    @app.post("/gui-phan-anh", response_class=HTMLResponse)
    async def submit_form(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return HTMLResponse("Nội dung gửi quá lớn.", status_code=413)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        fields = {**form, "channel": Channel.WEB, "received_at": datetime.now(UTC)}
        result = await receive(
            "http:/gui-phan-anh", body, lambda: Submission.model_validate(fields)
        )
        if isinstance(result, list):
            context = {"form": form, "errors": result, "hotline": hotline}
            return _TEMPLATES.TemplateResponse(request, "submit.html", context, status_code=422)
        context = {"code": result.tracking_code, "hotline": hotline}
        return _TEMPLATES.TemplateResponse(request, "submitted.html", context, status_code=201)

    @app.post("/api/submissions")
    async def submit_json(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"detail": "Nội dung gửi quá lớn."}, status_code=413)
        result = await receive(
            "http:/api/submissions", body, lambda: Submission.model_validate_json(body)
        )
        if isinstance(result, list):
            return JSONResponse({"detail": result}, status_code=422)
        return JSONResponse(
            {
                "tracking_code": result.tracking_code,
                "status": result.status,
                "reason": result.reason,
            },
            status_code=201,
        )

    return app
