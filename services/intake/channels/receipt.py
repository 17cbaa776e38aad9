"""The printable receipt (`/bien-nhan/{code}`): public by code, in full for the submitter.

Tracking codes are public (the answers list, the feeds, Open311 show them), so the receipt
a code opens shows only what the public pages show of any case: the code, the time and
channel of receipt and where to follow it, never a text the submitter wrote (a title may
hold their name and phone). The full receipt (title, name) is shown to whoever types the
phone number or e-mail address given with the item: a form, no script. Wrong attempts are
limited per code and per client address (a code's phone number cannot be guessed).

Every receipt says who handles the case and what happens next by when: the agency and the
dates the router set, once its case events have reached the intake (usually within minutes
of sending; `receipt_handling.py`), before that that the agency is being decided, with the
regulation's periods in working days and the status page to follow; a reload shows the
agency once known (no script: the page is never cached). And how to send, follow up and
ask: the hotline with its hours, the mailbox, the postal address (domain.md §2: the
receipt carries the how-to information).
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from schemas.tracking import parse_tracking_code
from schemas.vocabulary import CHANNEL_VI
from services.intake.channels.formdata import FormDataError, parse_form
from services.intake.channels.forms import refusal_message
from services.intake.channels.guard import minutes
from services.intake.channels.http import Site, local_time, read_capped
from services.intake.channels.receipt_handling import handling
from services.intake.domain.normalise import normalise_email, normalise_phone
from services.intake.models import IntakeCase
from services.intake.routing_news import routing_of

PROOF_FIELD = "lien_he"
MAX_PROOF_BODY = 4096
MISSING = "Không có hồ sơ với mã này; xin kiểm tra lại mã trên giấy tờ được cấp."
WRONG = (
    "Số điện thoại hoặc thư điện tử không khớp với thông tin đã ghi khi gửi phản ánh, "
    "kiến nghị này."
)
NO_CONTACT = (
    "Hồ sơ này không ghi số điện thoại hay thư điện tử nên không xem được bản đầy đủ trên "
    "mạng; xin liên hệ đường dây nóng {hotline}."
)
THROTTLED = "Đã nhập sai quá nhiều lần; xin thử lại sau {minutes} phút."
EMPTY = "Xin nhập số điện thoại hoặc thư điện tử đã ghi khi gửi."
# Working days, as the router's DeadlinePolicy counts them by default (domain.md §5): the
# receipt states the rule until the dates the router set for the case are known.
DEADLINE_DAYS = {"classify": 3, "forward": 5, "answer": 10, "extension": 10}


def proven(case: IntakeCase, typed: str) -> bool:
    """Whether `typed` is the phone or e-mail given with the case: both normalised as the
    register keeps them, compared in constant time."""
    if "@" in typed:
        return _same(normalise_email(typed), case.email.lower() if case.email else None)
    return _same(normalise_phone(typed), case.phone or None)


def _same(given: str | None, kept: str | None) -> bool:
    if not given or not kept:
        hmac.compare_digest(b"-", b"-")  # the same work either way
        return False
    return hmac.compare_digest(given.encode("utf-8"), kept.encode("utf-8"))


def router(site: Site) -> APIRouter:
    api = APIRouter()

    async def find(code: str) -> IntakeCase | None:
        canonical = parse_tracking_code(code)
        return await site.receiver.case_by_code(canonical) if canonical else None

    async def page(
        request: Request,
        case: IntakeCase,
        *,
        full: bool = False,
        error: str | None = None,
        status_code: int = 200,
        new: bool = False,
    ) -> Response:
        accepted = case.status == "accepted"
        routing = await routing_of(site.receiver.db, case.id) if accepted else None
        context: dict[str, Any] = {
            "new": new,
            "handling": handling(routing),
            "accepted": accepted,
            "duplicate": case.reason == "duplicate",
            "message": refusal_message(case),
            "days": DEADLINE_DAYS,
            "hotline_hours": site.settings.hotline_hours,
            "form_url": f"{site.base_url(request)}/gui-phan-anh",
            "channels_url": f"{site.base_url(request)}/kenh-tiep-nhan",
            "code": case.tracking_code,
            "received": local_time(case.received_at),
            "channel": CHANNEL_VI.get(case.channel, case.channel),
            "status_url": site.status_url(request, case.tracking_code),
            "receipt_path": f"/bien-nhan/{case.tracking_code}" + ("?moi=1" if new else ""),
            "lookup_url": f"{site.base_url(request)}/tra-cuu",
            "full": full,
            "proof_error": error,
            "proof_field": PROOF_FIELD,
            "can_prove": bool(case.phone or case.email),
        }
        if full:  # the submitter's own receipt: their title and name, not their contacts
            context |= {
                "title": case.title,
                "submitter": case.organization if case.submitter_type == "organization" else "",
                "name": case.name,
            }
        response = site.page(request, "receipt.html", context, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        if full:
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def missing(request: Request) -> Response:
        return site.page(request, "receipt_missing.html", {"error": MISSING}, status_code=404)

    @api.get("/bien-nhan/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def receipt(request: Request, code: str, moi: str | None = None) -> Response:
        case = await find(code)
        return missing(request) if case is None else await page(request, case, new=moi == "1")

    @api.post("/bien-nhan/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def full_receipt(request: Request, code: str) -> Response:
        case = await find(code)
        if case is None:
            return missing(request)
        guard = site.guard
        client = guard.client_of(request)
        by_code, by_client = guard.proofs_by_code, guard.proofs_by_client
        if by_code.full(case.tracking_code) or by_client.full(client):
            wait = max(by_code.retry_after_s(case.tracking_code), by_client.retry_after_s(client))
            response = await page(
                request, case, error=THROTTLED.format(minutes=minutes(wait)), status_code=429
            )
            response.headers["Retry-After"] = str(wait)
            return response
        body = await read_capped(request, limit=MAX_PROOF_BODY)
        try:
            kind = request.headers.get("content-type", "")
            fields = parse_form(kind, body.data, max_files=0).fields
        except FormDataError:
            fields = {}
        typed = "" if body.too_large else fields.get(PROOF_FIELD, "").strip()[:320]
        if not typed:
            return await page(request, case, error=EMPTY, status_code=400)
        if not (case.phone or case.email):
            error = NO_CONTACT.format(hotline=site.settings.hotline_number)
            return await page(request, case, error=error, status_code=403)
        if not proven(case, typed):
            by_code.hit(case.tracking_code)
            by_client.hit(client)
            return await page(request, case, error=WRONG, status_code=403)
        return await page(request, case, full=True)

    return api
