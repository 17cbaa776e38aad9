"""The published channels (plan §III.2): every way to send feedback to the province and to
each agency in force today, as a page (`/kenh-tiep-nhan`) and as JSON
(`/kenh-tiep-nhan.json`).

Built from the office settings (the province's web form, mailbox, hotline with its hours,
postal address) and the agency directory the router publishes (each agency's own mailbox
where it has one). Every item reaches the one register whichever channel it takes; an
agency without a mailbox of its own receives through the province's channels.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.notifier.directory import Directory, today_local
from services.notifier.page_templates import TEMPLATES
from services.notifier.settings import NotifierSettings
from services.notifier.site import Site

LEVEL_VI = {
    "province": "Cơ quan cấp tỉnh",
    "commune": "Ủy ban nhân dân xã, phường",
    "district": "Ủy ban nhân dân huyện, thị xã, thành phố",
    "central": "Trung ương",
}
LEVEL_ORDER = ("province", "commune", "district", "central")


def province_channels(settings: NotifierSettings) -> list[dict[str, str]]:
    """The province's channels, each with what to write or say."""
    base = settings.public_base_url.rstrip("/")
    return [
        {
            "kind": "web",
            "label_vi": "Biểu mẫu trực tuyến",
            "address": f"{base}/gui-phan-anh",
            "how_vi": "Điền biểu mẫu; nhận ngay mã tra cứu và giấy biên nhận.",
        },
        {
            "kind": "email",
            "label_vi": "Thư điện tử",
            "address": settings.pakn_email,
            "how_vi": "Ghi họ tên, địa chỉ hoặc số điện thoại và nội dung; hệ thống gửi lại mã "
            "tra cứu.",
        },
        {
            "kind": "hotline",
            "label_vi": "Đường dây nóng",
            "address": settings.hotline_number,
            "hours_vi": settings.hotline_hours,
            "how_vi": "Cán bộ ghi lại nội dung và đọc mã tra cứu cho người gọi.",
        },
        {
            "kind": "post",
            "label_vi": "Thư gửi qua bưu điện hoặc nộp trực tiếp",
            "address": f"{settings.office_name}, {settings.office_address}",
            "how_vi": 'Ghi ngoài phong bì: "Phản ánh, kiến nghị về quy định hành chính".',
        },
    ]


def agency_channels(
    directory: Directory, settings: NotifierSettings, today: date
) -> list[dict[str, Any]]:
    """Each agency in force today: its own mailbox when it has one; every agency also
    receives through the province's form, mailbox, hotline and postal address."""
    rows: list[dict[str, Any]] = []
    for agency in directory.agencies_on(today):
        own = [{"kind": "email", "label_vi": "Thư điện tử", "address": agency.email}]
        rows.append(
            {
                "code": agency.code,
                "name_vi": agency.name_vi,
                "level": agency.level,
                "level_vi": LEVEL_VI.get(agency.level, agency.level),
                "channels": own if agency.email else [],
                "also_vi": "Các kênh chung của tỉnh",
            }
        )
    order = {level: n for n, level in enumerate(LEVEL_ORDER)}
    rows.sort(key=lambda r: (order.get(r["level"], len(order)), r["name_vi"]))
    return rows


def channels(directory: Directory, settings: NotifierSettings, today: date) -> dict[str, Any]:
    """The whole list (the JSON document; the page shows the same)."""
    return {
        "province": settings.province_name,
        "office": settings.office_name,
        "as_of": today.isoformat(),
        "channels": province_channels(settings),
        "lookup": f"{settings.public_base_url.rstrip('/')}/tra-cuu",
        "agencies": agency_channels(directory, settings, today),
    }


def routes(service: Site) -> APIRouter:
    router = APIRouter()

    @router.get("/kenh-tiep-nhan", response_class=HTMLResponse)
    async def channels_page(request: Request) -> Response:
        listed = channels(service.directory, service.settings, today_local())
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in listed["agencies"]:
            groups.setdefault(row["level_vi"], []).append(row)
        context = {"listed": listed, "groups": groups, **service.settings.office_text()}
        return TEMPLATES.TemplateResponse(request, "channels.html", context)

    @router.get("/kenh-tiep-nhan.json")
    async def channels_json() -> dict[str, Any]:
        return channels(service.directory, service.settings, today_local())

    return router
