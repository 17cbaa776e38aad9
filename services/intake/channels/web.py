"""The public web form (`/gui-phan-anh`): anyone may send an item and leaves with a code.

A sent form answers 303 See Other to its receipt (`/bien-nhan/{code}?moi=1`): a refresh or
the back button then reloads the receipt rather than sending the form again; a form sent
twice all the same (two clicks) is the first case again (`register`: the same person,
channel and text within a day)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import _TemplateResponse

from schemas.submission import Channel, Submission
from services.intake.attachments import CheckedFile
from services.intake.channels.forms import (
    FormChannel,
    contact_problems,
    form_page,
    submit_form,
    text_fields,
    validated,
)
from services.intake.channels.http import Site
from services.intake.problems import FIELD_VI, Problem

FIELDS = (
    "submitter_type", "name", "organization", "address", "phone", "email", "title", "content",
    "regulation",
)  # fmt: skip


def web_submission(form: dict[str, str], files: list[CheckedFile], now: datetime) -> Submission:
    """The public form's item. Its own rules come before the register's: a name and a way
    to reach the person, asked for now rather than refused later as `missing_contact`."""
    problems: list[Problem] = []
    if not form.get("name", "").strip():
        problems.append(Problem("Họ và tên: chưa điền.", "name"))
    if not (form.get("address", "").strip() or form.get("phone", "").strip()):
        problems.append(
            Problem("Cần ghi địa chỉ hoặc số điện thoại để cơ quan liên hệ được.", "address")
        )
    problems += contact_problems(form)
    if not form.get("content", "").strip():
        problems.append(Problem("Nội dung: chưa điền.", "content"))
    fields = {
        **text_fields(form, FIELDS),
        "channel": Channel.WEB,
        "received_at": now,
        "attachments": [file.filename for file in files],
    }
    return validated(fields, problems, labels=FIELD_VI)


CHANNEL = FormChannel(
    path="/gui-phan-anh",
    template="submit.html",
    done_template="submitted.html",
    build=web_submission,
    fields=FIELDS,
    public=True,
)


def router(site: Site) -> APIRouter:
    api = APIRouter()

    @api.get("/gui-phan-anh", response_class=HTMLResponse, include_in_schema=False)
    async def form(request: Request) -> Response:
        return form_page(site, request, CHANNEL)

    @api.post("/gui-phan-anh", response_class=HTMLResponse, include_in_schema=False)
    async def submit(request: Request) -> Response:
        answer = await submit_form(site, request, CHANNEL)
        if answer.status_code == 201 and isinstance(answer, _TemplateResponse):
            return sent(answer.context["code"])
        return answer  # the form again, with what to correct

    return api


def sent(code: str) -> Response:
    """Post/Redirect/Get: the receipt of the case just registered (a relative address: the
    same site, whatever the proxy in front of it calls itself)."""
    response = RedirectResponse(f"/bien-nhan/{code}?moi=1", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response
