"""An Open311 GeoReport v2 channel: `POST /open311/v2/requests.json` (form-encoded).

The answer is the spec's one-element list; `service_request_id` is the tracking code, so
the status can be read at once (`token` stays null). A person's name is `last_name`
(family name) then `first_name`, as Vietnamese names are written. Fields without a place
in the flat format (`service_code`, `lat`, `long`, `device_id`, `attribute[…]`…) are kept
in `extra`; `attribute[title]` and `attribute[regulation]` fill the title and the
regulation concerned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from schemas.submission import Channel, Submission
from services.intake.channels.formdata import FormDataError, parse_form
from services.intake.channels.forms import ItemProblems, contact_problems, refusal_message
from services.intake.channels.http import Site
from services.intake.channels.machine import form_body, receive_body
from services.intake.problems import Problem, explain

SOURCE = "http:/open311/v2/requests.json"
PROPERTIES = {
    "service_code": "mã loại yêu cầu (bắt buộc theo Open311; được lưu lại)",
    "description": "nội dung phản ánh, kiến nghị",
    "first_name": "tên",
    "last_name": "họ và tên đệm",
    "email": "thư điện tử",
    "phone": "số điện thoại",
    "address_string": "địa chỉ liên hệ",
    "attribute[title]": "tiêu đề",
    "attribute[regulation]": "văn bản quy định liên quan",
    "jurisdiction_id": "được lưu lại",
    "lat": "được lưu lại",
    "long": "được lưu lại",
    "device_id": "được lưu lại",
    "account_id": "được lưu lại",
    "media_url": "được lưu lại (không tải về)",
}
_MAPPED = {
    "description", "first_name", "last_name", "email", "phone", "address_string",
    "attribute[title]", "attribute[regulation]", "api_key",
}  # fmt: skip
_LABELS = {"content": "description", "name": "first_name/last_name", "address": "address_string"}


def open311_submission(body: bytes, content_type: str, *, now: datetime) -> Submission:
    try:
        form = parse_form(content_type, body, max_files=0).fields
    except FormDataError as error:
        raise ItemProblems([Problem(str(error))]) from error
    problems: list[Problem] = []
    if not form.get("service_code", "").strip():
        problems.append(Problem("service_code: chưa điền.", "service_code"))
    if not form.get("description", "").strip():
        problems.append(Problem("description: chưa điền nội dung.", "description"))
    problems += contact_problems(form)
    name = " ".join(form.get(k, "").strip() for k in ("last_name", "first_name")).strip()
    fields: dict[str, Any] = {
        "channel": Channel.WEB,
        "received_at": now,
        "name": name,
        "address": form.get("address_string", ""),
        "phone": form.get("phone", ""),
        "email": form.get("email", ""),
        "title": form.get("attribute[title]", ""),
        "content": form.get("description", ""),
        "regulation": form.get("attribute[regulation]", ""),
        "extra": {"via": "open311", **{k: v for k, v in form.items() if k not in _MAPPED}},
    }
    try:
        submission = Submission.model_validate(fields)
    except ValidationError as error:  # worded with Open311's field names
        problems += [
            Problem(p.message, _LABELS.get(p.field or "", p.field)) for p in explain(error)
        ]
    if problems:
        raise ItemProblems(problems)
    return submission


def router(site: Site) -> APIRouter:
    api = APIRouter(tags=["Kênh tiếp nhận"])

    @api.post(
        "/open311/v2/requests.json",
        summary="Gửi phản ánh, kiến nghị theo chuẩn Open311 GeoReport v2",
        description=__doc__ or "",
        openapi_extra=form_body(PROPERTIES, required=["service_code", "description"]),
    )
    async def create_request(request: Request) -> JSONResponse:
        outcome = await receive_body(
            site,
            request,
            source=SOURCE,
            parse=lambda body, kind: open311_submission(body, kind, now=datetime.now(UTC)),
            public=True,
        )
        if outcome.registration is None:
            code = outcome.status_code if outcome.status_code in (413, 429) else 400
            errors = [{"code": code, "description": p.message} for p in outcome.problems]
            wait = outcome.retry_after_s
            headers = {"Retry-After": str(wait)} if wait else None
            return JSONResponse(errors, status_code=code, headers=headers)
        case = outcome.registration.case
        notice = (
            f"{refusal_message(case)} Mã tra cứu: {case.tracking_code}; "
            f"tra cứu tại {site.status_url(request, case.tracking_code)}."
        )
        answer = {
            "service_request_id": case.tracking_code,
            "service_notice": notice,
            "account_id": case.extra.get("account_id"),
            "token": None,
        }
        return JSONResponse([answer], status_code=200)

    return api
