"""Atom and JSON Feed (1.1) for every query of the answers list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from services.notifier import citizen_view, public
from services.notifier.catalog import (
    FilterError,
    Filters,
    Page,
    page_number,
    parse_filters,
    search,
)
from services.notifier.directory import is_former, today_local
from services.notifier.labels import vn_date
from services.notifier.models import PublicCase
from services.notifier.page_templates import TEMPLATES
from services.notifier.site import Site

FEED_TITLE = "Phản ánh, kiến nghị và câu trả lời — tỉnh {province}"
PUBLISHER = "Văn phòng UBND tỉnh Gia Lai"  # the default; the settings' office_name wins
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str | None) -> str:
    """Drop the characters XML 1.0 cannot carry at all (escaping is the template's job)."""
    return _NOT_XML.sub("", text or "")


def filter_params(
    q: str | None = None,
    co_quan: str | None = None,
    phan_loai: str | None = None,
    loai: str | None = None,
    van_ban: str | None = None,
    tinh_trang: str | None = None,
    tu_ngay: str | None = None,
    den_ngay: str | None = None,
    linh_vuc: str | None = None,
) -> dict[str, str | None]:
    """The answers list's query parameters, as given (`filters_of` reads them)."""
    return {
        "q": q,
        "co_quan": co_quan,
        "phan_loai": phan_loai,
        "loai": loai,
        "van_ban": van_ban,
        "tinh_trang": tinh_trang,
        "tu_ngay": tu_ngay,
        "den_ngay": den_ngay,
        "linh_vuc": linh_vuc,
    }


QueryParams = Annotated[dict[str, str | None], Depends(filter_params)]


def filters_of(raw: dict[str, str | None], fields: Mapping[str, tuple[str, ...]]) -> Filters:
    """The query's filters; a parameter that cannot be understood is a 400."""
    try:
        return parse_filters(**raw, fields=fields)
    except FilterError as problem:
        raise HTTPException(status_code=400, detail=str(problem)) from problem


def full_text(case: PublicCase) -> str:
    """Question and answer as plain text: what a feed reader shows of a case."""
    parts = [f"Mã {case.tracking_code} — {public.status_vi(case)}"]
    agency = public.agency_vi(case)
    if agency:
        parts.append(f"Cơ quan: {agency}")
    parts += ["", "Nội dung phản ánh, kiến nghị:", case.content]
    if case.answer:
        parts += ["", f"Trả lời của {agency} ngày {vn_date(case.answered_on)}:"]
        parts += [case.answer]
        if case.legal_basis:
            parts.append(f"Căn cứ: {case.legal_basis}")
        parts.append(public.timeliness_vi(case).capitalize() + ".")
    elif public.is_overdue(case):
        parts += ["", "Hồ sơ đã quá hạn."]
    return "\n".join(parts)


def summary(case: PublicCase) -> str:
    bits = [public.status_vi(case), public.agency_vi(case), public.timeliness_vi(case)]
    return " · ".join(b for b in bits if b)


class JsonFeedAuthor(BaseModel):
    name: str


class JsonFeedItem(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    url: str
    title: str
    content_text: str
    summary: str
    date_published: datetime
    date_modified: datetime
    tags: list[str]
    authors: list[JsonFeedAuthor]
    language: str = "vi"
    pakn: dict[str, Any] = Field(serialization_alias="_pakn")


class JsonFeed(BaseModel):
    version: str = "https://jsonfeed.org/version/1.1"
    title: str
    home_page_url: str
    feed_url: str
    description: str
    language: str = "vi"
    authors: list[JsonFeedAuthor]
    next_url: str | None = None
    items: list[JsonFeedItem]


def _pakn(case: PublicCase) -> dict[str, Any]:
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_vi": public.status_vi(case),
        "agency": case.agency,
        "agency_name": case.agency_name,
        "agency_former": is_former(case.agency, today_local()),
        "overdue": public.is_overdue(case),
        "on_time": case.on_time,
        "answered_on": case.answered_on.isoformat() if case.answered_on else None,
        "regulation": case.regulation or None,
    }


def json_feed(
    page: Page,
    *,
    base: str,
    filters: Filters,
    path: str,
    province: str = "Gia Lai",
    publisher: str = PUBLISHER,
) -> JsonFeed:
    items = [
        JsonFeedItem(
            id=f"{base}/tra-cuu/{case.tracking_code}",
            url=f"{base}/tra-cuu/{case.tracking_code}",
            title=citizen_view.headline(case),
            content_text=full_text(case),
            summary=summary(case),
            date_published=case.received_at,
            date_modified=case.updated_at,
            tags=[t for t in (public.status_vi(case), public.agency_vi(case)) if t],
            authors=[JsonFeedAuthor(name=public.agency_vi(case) or publisher)],
            pakn=_pakn(case),
        )
        for case in page.items
    ]
    return JsonFeed(
        title=FEED_TITLE.format(province=province),
        authors=[JsonFeedAuthor(name=publisher)],
        home_page_url=base + filters.url("/tra-loi"),
        feed_url=base + filters.url(path, trang=page.number),
        description="Phản ánh, kiến nghị về quy định hành chính và câu trả lời; thông tin cá nhân đã được lược bỏ.",
        next_url=base + filters.url(path, trang=page.number + 1) if page.has_next else None,
        items=items,
    )


def atom_context(
    page: Page,
    *,
    filters: Filters,
    base: str,
    province: str = "Gia Lai",
    publisher: str = PUBLISHER,
) -> dict[str, Any]:
    return {
        "page": page,
        "filters": filters,
        "base": base,
        "title": FEED_TITLE.format(province=province),
        "publisher": publisher,
        "updated": max((c.updated_at for c in page.items), default=None),
        "full_text": lambda c: xml_safe(full_text(c)),
        "summary": lambda c: xml_safe(summary(c)),
        "safe": xml_safe,
    }


def routes(service: Site) -> APIRouter:
    router = APIRouter()
    base = service.settings.public_base_url.rstrip("/")
    office = {
        "province": service.settings.province_name,
        "publisher": service.settings.office_name,
    }

    async def page_of(filters: Filters, number: int) -> Page:
        async with service.db.session() as session:
            size = service.settings.page_size
            return await search(session, filters=filters, number=number, size=size)

    @router.get("/tra-loi/atom.xml")
    async def atom(request: Request, raw: QueryParams, trang: str | None = None) -> Response:
        filters = filters_of(raw, service.directory.fields())
        context = atom_context(
            await page_of(filters, page_number(trang)), filters=filters, base=base, **office
        )
        media_type = "application/atom+xml; charset=utf-8"
        return TEMPLATES.TemplateResponse(request, "atom.xml", context, media_type=media_type)

    async def feed_response(filters: Filters, number: int, path: str) -> Response:
        page = await page_of(filters, number)
        feed = json_feed(page, base=base, filters=filters, path=path, **office)
        body = feed.model_dump(mode="json", by_alias=True, exclude_none=True)
        return JSONResponse(body, media_type="application/feed+json; charset=utf-8")

    @router.get("/tra-loi/feed.json")
    async def feed(raw: QueryParams, trang: str | None = None) -> Response:
        filters = filters_of(raw, service.directory.fields())
        return await feed_response(filters, page_number(trang), "/tra-loi/feed.json")

    @router.get("/api/answers.json")
    async def answers(raw: QueryParams, trang: str | None = None) -> Response:
        """The answered cases (older address of the feed; any other status on request)."""
        filters = filters_of(raw, service.directory.fields())
        chosen = filters if filters.status else filters.with_status("da-tra-loi")
        return await feed_response(chosen, page_number(trang), "/api/answers.json")

    return router
