"""The JSON API for the provincial public-service portal: `POST /api/submissions`.

The body is one item in the flat format (interfaces.md §1) or a `Submission`: `id` is the
portal's own reference (`channel_ref`), and fields the format does not know are kept in
`extra`, not refused. Sending the same `channel` + reference again answers with the code
given the first time (200) instead of registering twice.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from schemas.submission import Submission
from services.intake.channels.forms import ItemProblems, refusal_message
from services.intake.channels.http import Site
from services.intake.channels.machine import json_body, receive_body
from services.intake.models import IntakeCase
from services.intake.problems import Problem

SOURCE = "http:/api/submissions"
_MODEL_FIELDS = set(Submission.model_fields) - {"extra"}


class SubmissionAnswer(BaseModel):
    tracking_code: str = Field(description="mã tra cứu, dạng GL-XXXX-XXXC")
    status: Literal["accepted", "refused"]
    reason: str | None = Field(description="lý do không tiếp nhận (mã), nếu có")
    message_vi: str
    status_url: str
    receipt_url: str


class ApiProblem(BaseModel):
    field: str | None
    message: str


class ApiError(BaseModel):
    detail: list[str] = Field(description="các lỗi, bằng tiếng Việt")
    errors: list[ApiProblem] = Field(default_factory=list)


def portal_submission(body: bytes, content_type: str = "application/json") -> Submission:
    """The item in a JSON body; unknown fields go to `extra`, `id` becomes `channel_ref`."""
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise ItemProblems([Problem("Dữ liệu gửi lên không đúng mã UTF-8.")]) from error
    except (ValueError, RecursionError) as error:
        raise ItemProblems([Problem("Dữ liệu gửi lên không phải JSON hợp lệ.")]) from error
    if not isinstance(value, dict):
        message = "Dữ liệu phải là một đối tượng JSON với các trường của phản ánh, kiến nghị."
        raise ItemProblems([Problem(message)])
    known = {k: v for k, v in value.items() if k in _MODEL_FIELDS}
    unknown = {k: v for k, v in value.items() if k not in _MODEL_FIELDS and k != "id"}
    if value.get("id") not in (None, "") and "channel_ref" not in known:
        known["channel_ref"] = str(value["id"])
    given = value.get("extra")
    extra: dict[str, Any] = given if isinstance(given, dict) else {}
    return Submission.model_validate({**known, "extra": {**extra, **unknown}})


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def error_response(status_code: int, problems: list[Problem]) -> JSONResponse:
    body = ApiError(
        detail=[p.message for p in problems],
        errors=[ApiProblem(field=p.field, message=p.message) for p in problems],
    )
    return JSONResponse(body.model_dump(), status_code=status_code)


def answer_of(site: Site, request: Request, case: IntakeCase) -> SubmissionAnswer:
    return SubmissionAnswer(
        tracking_code=case.tracking_code,
        status="accepted" if case.status == "accepted" else "refused",
        reason=case.reason,
        message_vi=refusal_message(case),
        status_url=site.status_url(request, case.tracking_code),
        receipt_url=site.receipt_url(request, case.tracking_code),
    )


def router(site: Site) -> APIRouter:
    api = APIRouter(tags=["Kênh tiếp nhận"])

    @api.post(
        "/api/submissions",
        status_code=201,
        summary="Gửi một phản ánh, kiến nghị (Cổng dịch vụ công của tỉnh)",
        description=__doc__ or "",
        response_model=SubmissionAnswer,
        responses={
            200: {"model": SubmissionAnswer, "description": "đã nhận trước đó (cùng mã kênh)"},
            413: {"model": ApiError, "description": "dữ liệu quá lớn"},
            422: {"model": ApiError, "description": "dữ liệu không hợp lệ (đã được lưu lại)"},
        },
        openapi_extra=json_body(Submission, description="một phản ánh, kiến nghị"),
    )
    async def submit(request: Request) -> Any:
        outcome = await receive_body(site, request, source=SOURCE, parse=portal_submission)
        if outcome.registration is None:
            return error_response(outcome.status_code, outcome.problems)
        answer = answer_of(site, request, outcome.registration.case)
        return JSONResponse(answer.model_dump(), status_code=outcome.status_code)

    return api
