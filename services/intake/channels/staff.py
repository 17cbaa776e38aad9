"""Staff channels: the hotline operator's and the post clerk's entry forms and APIs.

They sit under `/noi-bo/`, for office officers logged in at the console (staff pass).
The legal receipt time is the call time, or the date of the postmark or receipt stamp.
Unlike the public form, an item without a name or contact is still entered: the law
refuses it (`missing_contact`), but it must be on the register.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.submission import Channel, Submission, SubmitterType
from services.intake.attachments import CheckedFile
from services.intake.channels.forms import (
    FormChannel,
    ItemProblems,
    contact_problems,
    form_page,
    submit_form,
    text_fields,
    validated,
)
from services.intake.channels.http import LOCAL, Site
from services.intake.channels.machine import json_body, receive_body
from services.intake.channels.portal import SubmissionAnswer, answer_of, error_response
from services.intake.http_guard import office_staff, staff_json
from services.intake.problems import FIELD_VI, Problem
from services.kit import staffpass

PERSON = ("submitter_type", "name", "organization", "address", "phone", "email")
TEXT = ("title", "content", "regulation")
HOTLINE_FIELDS = ("call_time", "operator_id", "call_id", *PERSON, *TEXT)
LETTER_FIELDS = ("received_on", "received_time", "letter_no", "clerk_id", *PERSON, *TEXT)
CLOCK_SKEW = timedelta(minutes=5)


def _required(form: dict[str, str], field: str, label: str) -> list[Problem]:
    return [] if form.get(field, "").strip() else [Problem(f"{label}: chưa điền.", field)]


def _not_future(moment: datetime | None, field: str, now: datetime) -> list[Problem]:
    if moment is not None and moment > now + CLOCK_SKEW:
        return [Problem("Thời điểm này ở tương lai, xin kiểm tra lại.", field)]
    return []


def parse_local(text: str, *, kind: type[datetime] | type[date] | type[time]) -> Any:
    """A datetime-local, date or time input's value (ISO), or None when it is not one."""
    try:
        return kind.fromisoformat(text.strip())
    except ValueError:
        return None


def hotline_submission(form: dict[str, str], files: list[CheckedFile], now: datetime) -> Submission:
    labels = {**FIELD_VI, "call_time": "Thời điểm cuộc gọi", "content": "Nội dung cuộc gọi"}
    problems = _required(form, "operator_id", "Mã cán bộ trực")
    problems += _required(form, "content", labels["content"])
    called = parse_local(form.get("call_time", ""), kind=datetime)
    if called is None:
        problems.append(Problem("Thời điểm cuộc gọi: chưa điền hoặc không đúng dạng.", "call_time"))
    else:
        called = called if called.tzinfo else called.replace(tzinfo=LOCAL)
        problems += _not_future(called, "call_time", now)
    fields = {
        **text_fields(form, PERSON + TEXT),
        "channel": Channel.HOTLINE,
        "channel_ref": form.get("call_id", "").strip() or None,
        "received_at": called or now,
        "extra": {"operator_id": form.get("operator_id", "").strip()},
    }
    return validated(fields, problems + contact_problems(form), labels=labels)


def letter_submission(form: dict[str, str], files: list[CheckedFile], now: datetime) -> Submission:
    labels = {**FIELD_VI, "content": "Nội dung thư"}
    problems = _required(form, "clerk_id", "Mã cán bộ vào sổ")
    problems += _required(form, "content", labels["content"])
    day = parse_local(form.get("received_on", ""), kind=date)
    raw_time = form.get("received_time", "").strip()
    at = parse_local(raw_time, kind=time) if raw_time else time(0, 0)
    if day is None:
        problems.append(Problem("Ngày nhận: chưa điền hoặc không đúng dạng.", "received_on"))
    if at is None:
        problems.append(Problem("Giờ nhận: không đúng dạng giờ:phút.", "received_time"))
    received = datetime.combine(day, at, tzinfo=LOCAL) if day and at else None
    problems += _not_future(received, "received_on", now)
    extra: dict[str, Any] = {"clerk_id": form.get("clerk_id", "").strip()}
    if not raw_time:
        extra["received_time_unknown"] = True  # the stamp gives the day only
    fields = {
        **text_fields(form, PERSON + TEXT),
        "channel": Channel.POST,
        "channel_ref": form.get("letter_no", "").strip() or None,
        "received_at": received or now,
        "attachments": [file.filename for file in files],
        "extra": extra,
    }
    return validated(fields, problems + contact_problems(form), labels=labels)


HOTLINE = FormChannel(
    path="/noi-bo/duong-day-nong",
    template="hotline.html",
    done_template="staff_done.html",
    build=hotline_submission,
    fields=HOTLINE_FIELDS,
    staff=True,
)
LETTER = FormChannel(
    path="/noi-bo/thu-gui",
    template="letter.html",
    done_template="staff_done.html",
    build=letter_submission,
    fields=LETTER_FIELDS,
    staff=True,
)


class _Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submitter_type: SubmitterType = SubmitterType.INDIVIDUAL
    organization: str = Field(default="", max_length=300)
    title: str = Field(default="", max_length=500)
    regulation: str = Field(default="", max_length=500)


class HotlineCall(_Person):
    """A call to the published hotline, as the operator wrote it down."""

    call_id: str | None = Field(default=None, max_length=200, description="mã cuộc gọi")
    call_time: AwareDatetime
    operator_id: str = Field(min_length=1, max_length=100)
    caller_name: str = Field(default="", max_length=300)
    caller_address: str = Field(default="", max_length=500)
    caller_phone: str = Field(default="", max_length=50)
    caller_email: str = Field(default="", max_length=320)
    transcript: str = Field(max_length=20_000)


class Letter(_Person):
    """A letter received by post or handed in at a desk."""

    letter_no: str | None = Field(default=None, max_length=200, description="số đến")
    received_at: AwareDatetime = Field(description="ngày trên dấu bưu điện hoặc dấu đến")
    clerk_id: str = Field(min_length=1, max_length=100)
    sender_name: str = Field(default="", max_length=300)
    sender_address: str = Field(default="", max_length=500)
    sender_phone: str = Field(default="", max_length=50)
    sender_email: str = Field(default="", max_length=320)
    text: str = Field(max_length=20_000)


def _in_the_past(moment: datetime, field: str) -> None:
    if moment > datetime.now(LOCAL) + CLOCK_SKEW:
        raise ItemProblems([Problem("Thời điểm này ở tương lai, xin kiểm tra lại.", field)])


def call_submission(body: bytes, content_type: str = "") -> Submission:
    call = HotlineCall.model_validate_json(body)
    _in_the_past(call.call_time, "call_time")
    return Submission(
        channel=Channel.HOTLINE,
        channel_ref=call.call_id,
        received_at=call.call_time,
        submitter_type=call.submitter_type,
        name=call.caller_name,
        organization=call.organization,
        address=call.caller_address,
        phone=call.caller_phone,
        email=call.caller_email,
        title=call.title,
        content=call.transcript,
        regulation=call.regulation,
        extra={"operator_id": call.operator_id},
    )


def api_letter_submission(body: bytes, content_type: str = "") -> Submission:
    letter = Letter.model_validate_json(body)
    _in_the_past(letter.received_at, "received_at")
    return Submission(
        channel=Channel.POST,
        channel_ref=letter.letter_no,
        received_at=letter.received_at,
        submitter_type=letter.submitter_type,
        name=letter.sender_name,
        organization=letter.organization,
        address=letter.sender_address,
        phone=letter.sender_phone,
        email=letter.sender_email,
        title=letter.title,
        content=letter.text,
        regulation=letter.regulation,
        extra={"clerk_id": letter.clerk_id},
    )


def router(site: Site) -> APIRouter:
    api = APIRouter(dependencies=office_staff(site.settings), route_class=staffpass.StaffRoute)
    for channel in (HOTLINE, LETTER):
        _add_form(api, site, channel)
    _add_api(api, site, "/noi-bo/api/hotline-calls", HotlineCall, call_submission)
    _add_api(api, site, "/noi-bo/api/letters", Letter, api_letter_submission)

    @api.get("/noi-bo/api/csrf", include_in_schema=False)
    async def form_token(request: Request) -> JSONResponse:
        """The token the JSON APIs want in `X-CSRF-Token` (same-origin reads only)."""
        return JSONResponse({"csrf": request.state.staff_csrf})

    return api


def _add_form(api: APIRouter, site: Site, channel: FormChannel) -> None:
    async def show(request: Request) -> Response:
        return form_page(site, request, channel)

    async def submit(request: Request) -> Response:
        return await submit_form(site, request, channel)

    for method, endpoint in (("GET", show), ("POST", submit)):
        api.add_api_route(
            channel.path,
            endpoint,
            methods=[method],
            response_class=HTMLResponse,
            include_in_schema=False,
        )


def _add_api(api: APIRouter, site: Site, path: str, model: type[BaseModel], parse: Any) -> None:
    async def submit(request: Request) -> JSONResponse:
        outcome = await receive_body(site, request, source=f"http:{path}", parse=parse)
        if outcome.registration is None:
            return error_response(outcome.status_code, outcome.problems)
        answer = answer_of(site, request, outcome.registration.case)
        return JSONResponse(answer.model_dump(), status_code=outcome.status_code)

    api.add_api_route(
        path,
        submit,
        methods=["POST"],
        dependencies=staff_json(site.settings),
        status_code=201,
        tags=["Kênh tiếp nhận (nội bộ)"],
        summary=model.__doc__ or path,
        response_model=SubmissionAnswer,
        openapi_extra=json_body(model, description=model.__doc__ or ""),
    )
