"""The JSON API for the provincial public-service portal: `POST /api/submissions`.

The body is one item in the flat format (interfaces.md §1) or a `Submission`; fields the
format does not know are kept in `extra`, not refused.

- A machine channel (the portal's export, the call centre) sends its key as
  `Authorization: Bearer <key>`. Its items are registered under its own channel; `id` is
  its reference (`channel_ref`), and `received_at` may be given (not in the future, not
  before the register began). Sending the same reference again answers with the code
  given the first time (200) instead of registering twice; a reference belongs to the
  channel whose key sent it.
- Anyone else is a public caller: the item is received now, on the `web` channel, as an
  item of its own; the `channel`, `received_at` and `id` it sent are kept in `extra`
  (`sender_channel`, `sender_received_at`, `sender_ref`) and decide nothing. Public
  callers are rate-limited per address (429).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from schemas.submission import Channel, Submission
from services.intake.channels.forms import ItemProblems, refusal_message
from services.intake.channels.guard import TOO_MANY_SUBMISSIONS, minutes
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


def portal_submission(
    body: bytes,
    content_type: str = "application/json",
    *,
    channel: str | None = Channel.PORTAL.value,
    now: datetime | None = None,
) -> Submission:
    """The item in a JSON body; unknown fields go to `extra`, `id` becomes `channel_ref`.

    `channel` is the channel whose key the caller proved, or None for a public caller,
    whose item is received `now` on the web channel with its own reference."""
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
    moment = now or datetime.now(UTC)
    if channel is None:  # the caller's claims are kept, and decide nothing
        claims = {"channel": "sender_channel", "received_at": "sender_received_at"}
        claims |= {"channel_ref": "sender_ref"}
        unknown |= {label: known.pop(name) for name, label in claims.items() if name in known}
        known |= {"channel": Channel.WEB.value, "received_at": moment}
        extra = {**extra, "via": "api"}
    else:
        if known.get("channel") not in (None, "", channel):
            message = f"Kênh: khóa đã gửi chỉ dùng cho kênh «{channel}»."
            raise ItemProblems([Problem(message, "channel")])
        known["channel"] = channel
        if known.get("received_at") in (None, ""):
            known["received_at"] = moment
    return Submission.model_validate({**known, "extra": {**extra, **unknown}})


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def error_response(
    status_code: int, problems: list[Problem], *, retry_after_s: int = 0
) -> JSONResponse:
    body = ApiError(
        detail=[p.message for p in problems],
        errors=[ApiProblem(field=p.field, message=p.message) for p in problems],
    )
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s else None
    if status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


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
            401: {"model": ApiError, "description": "khóa kênh không đúng"},
            413: {"model": ApiError, "description": "dữ liệu quá lớn"},
            422: {"model": ApiError, "description": "dữ liệu không hợp lệ (đã được lưu lại)"},
            429: {"model": ApiError, "description": "gửi quá nhiều trong thời gian ngắn"},
        },
        openapi_extra=json_body(Submission, description="một phản ánh, kiến nghị"),
    )
    async def submit(request: Request) -> Any:
        guard = site.guard
        try:
            channel = guard.channel_of(request)
        except PermissionError as error:  # a wrong key counts as a public attempt
            client = guard.client_of(request)
            if not guard.submissions.allow(client):
                wait = guard.submissions.retry_after_s(client)
                message = TOO_MANY_SUBMISSIONS.format(minutes=minutes(wait))
                return error_response(429, [Problem(message)], retry_after_s=wait)
            return error_response(401, [Problem(str(error))])
        outcome = await receive_body(
            site,
            request,
            source=SOURCE,
            parse=lambda body, kind: portal_submission(body, kind, channel=channel),
            public=channel is None,
        )
        if outcome.registration is None:
            return error_response(
                outcome.status_code, outcome.problems, retry_after_s=outcome.retry_after_s
            )
        answer = answer_of(site, request, outcome.registration.case)
        return JSONResponse(answer.model_dump(), status_code=outcome.status_code)

    return api
