"""Intake's own pages besides the forms: the printable receipt, and the office's list of
payloads that could not be read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, or_
from sqlalchemy.orm import defer
from sqlmodel import and_, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.channels import receipt
from services.intake.channels.http import Site, local_time
from services.intake.http_guard import office_staff
from services.intake.models import RawPayload
from services.kit import staffpass
from services.kit.columns import utc_now
from services.kit.web import MAX_ID, MAX_PAGE

PAGE_SIZE = 50
PREVIEW_CHARS = 600
STUCK_AFTER = timedelta(minutes=10)  # archived but neither registered nor failed by then


@dataclass(frozen=True)
class FailedItem:
    id: int
    received: str
    source: str
    status: str
    error: str
    preview: str
    size: int


def preview(body: bytes) -> str:
    """The start of a payload as text; bytes that are not UTF-8 are shown as �."""
    return body[: PREVIEW_CHARS * 4].decode("utf-8", errors="replace")[:PREVIEW_CHARS]


def router(site: Site) -> APIRouter:
    api = APIRouter()

    api.include_router(receipt.router(site))  # the printable receipt: public or in full
    api.include_router(_staff_routes(site))
    return api


PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
RawId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _staff_routes(site: Site) -> APIRouter:
    api = APIRouter(route_class=staffpass.StaffRoute)
    staff = office_staff(site.settings)

    @api.get(
        "/noi-bo/loi-tiep-nhan",
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=staff,
    )
    async def failures(request: Request, trang: PageNumber = 1) -> Response:
        page = trang
        total, items = await _failed(site, page=page)
        context = {
            "items": items,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "stuck_minutes": int(STUCK_AFTER.total_seconds() // 60),
        }
        return site.page(request, "failures.html", context)

    @api.get("/noi-bo/loi-tiep-nhan/{raw_id}/ban-goc", include_in_schema=False, dependencies=staff)
    async def original(raw_id: RawId) -> Response:
        async with site.receiver.db.session() as session:
            raw = await session.get(RawPayload, raw_id)
        if raw is None:
            raise HTTPException(status_code=404, detail="Không có dữ liệu với số này.")
        headers = {"Content-Disposition": f'attachment; filename="ban-goc-{raw.id}.bin"'}
        return Response(raw.body, media_type="application/octet-stream", headers=headers)

    return api


async def _failed(site: Site, *, page: int) -> tuple[int, list[FailedItem]]:
    """Payloads that failed, or that were archived long ago and never registered."""
    not_read = or_(
        col(RawPayload.status) == "failed",
        and_(
            col(RawPayload.status) == "received",
            col(RawPayload.received_at) < utc_now() - STUCK_AFTER,
        ),
    )
    async with site.receiver.db.session() as session:
        total = (await session.exec(select(func.count()).where(not_read))).one()
        query = (
            select(RawPayload)
            .options(defer(RawPayload.body))  # type: ignore[arg-type]
            .where(not_read)
            .order_by(col(RawPayload.id).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        rows = (await session.exec(query)).all()
        starts = await _starts(session, [row.id for row in rows if row.id is not None])
    return total, [_item(row, *starts.get(row.id or 0, (b"", 0))) for row in rows]


async def _starts(session: AsyncSession, ids: list[int]) -> dict[int, tuple[bytes, int]]:
    """The first bytes and the size of each payload; a body may be tens of megabytes."""
    query = select(
        col(RawPayload.id),
        func.substr(RawPayload.body, 1, PREVIEW_CHARS * 4),
        func.length(RawPayload.body),
    ).where(col(RawPayload.id).in_(ids))
    rows = (await session.exec(query)).all()
    return {raw_id or 0: (bytes(start or b""), int(size or 0)) for raw_id, start, size in rows}


def _item(row: RawPayload, start: bytes, size: int) -> FailedItem:
    return FailedItem(
        id=row.id or 0,
        received=local_time(row.received_at),
        source=row.source,
        status="lỗi" if row.status == "failed" else "chưa vào sổ",
        error=row.error or "",
        preview=preview(start),
        size=size,
    )
