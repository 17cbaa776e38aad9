"""The office's page of e-mails that did not go out: failed, uncertain, waiting for a retry.

For office (VPUB) officers holding the console's staff pass (`services.kit.staffpass`),
under the console's private-page headers; the page still masks every address and never
shows a message body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, func, select

from services.kit import staffpass
from services.notifier.labels import vn_datetime
from services.notifier.mail import PURPOSE_VI
from services.notifier.models import Delivery, PublicCase
from services.notifier.page_templates import TEMPLATES
from services.notifier.site import Site

TROUBLE = ("failed", "uncertain", "sending", "claimed", "pending")
STATE_VI = {
    "failed": "Không gửi được (đã dừng thử lại)",
    "uncertain": "Không rõ đã gửi hay chưa — cần kiểm tra nhật ký máy chủ thư",
    "sending": "Đang gửi",
    "claimed": "Đang chuẩn bị gửi",
    "pending": "Chờ gửi",
    "sent": "Đã gửi",
}
_ADDRESS = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def mask(text: str | None) -> str:
    """`h***@example.com`: enough to tell addresses apart, not enough to read them."""
    return _ADDRESS.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text or "")


@dataclass(frozen=True)
class Line:
    id: int
    tracking_code: str
    purpose: str
    recipient: str
    state: str
    state_vi: str
    attempts: int
    next_attempt: str
    last_error: str
    created: str


def line(delivery: Delivery, tracking_code: str | None) -> Line:
    retry = delivery.status == "pending" and delivery.attempts > 0
    return Line(
        id=delivery.id or 0,
        tracking_code=tracking_code or delivery.case_id,
        purpose=PURPOSE_VI.get(delivery.template, delivery.template),
        recipient=mask(delivery.recipient),
        state=delivery.status,
        state_vi="Chờ gửi lại" if retry else STATE_VI.get(delivery.status, delivery.status),
        attempts=delivery.attempts,
        next_attempt=vn_datetime(delivery.next_attempt_at) if retry else "",
        last_error=mask(delivery.last_error),
        created=vn_datetime(delivery.created_at),
    )


def routes(service: Site) -> APIRouter:
    # Office (VPUB) officers only: the pass the console sets at login.
    guard = staffpass.office_only(service.settings.staff_secret)
    router = APIRouter(dependencies=[Depends(guard)], route_class=staffpass.StaffRoute)

    @router.get("/van-phong/thu-dien-tu", response_class=HTMLResponse)
    async def deliveries(request: Request) -> Response:
        query = (
            select(Delivery, PublicCase.tracking_code)
            .join(PublicCase, col(PublicCase.case_id) == col(Delivery.case_id), isouter=True)
            .where(col(Delivery.status).in_(TROUBLE))
            .order_by(col(Delivery.id).desc())
            .limit(500)
        )
        counts = select(Delivery.status, func.count()).group_by(col(Delivery.status))
        async with service.db.session() as session:
            rows = (await session.exec(query)).all()
            totals = dict((await session.exec(counts)).all())
        context = {
            "lines": sorted(
                (line(d, code) for d, code in rows), key=lambda ln: TROUBLE.index(ln.state)
            ),
            "totals": [(STATE_VI.get(s, s), totals.get(s, 0)) for s in (*TROUBLE, "sent")],
            "now": vn_datetime(datetime.now().astimezone()),
            **service.settings.office_text(),
        }
        return TEMPLATES.TemplateResponse(request, "office.html", context)

    return router
