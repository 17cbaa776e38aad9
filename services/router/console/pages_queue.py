"""The queue page: the agency's cases by deadline, with filters."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.vocabulary import CHANNEL_VI, CLASS_VI, KIND_VI, STAGE_VI
from services.router import audit
from services.router.console.access import Officer
from services.router.console.auth import Guards
from services.router.console.context import PREFIX, Console, ConsoleRoute, client_address
from services.router.console.queue import (
    ALL,
    MARK_VI,
    STATUS_CHOICES,
    FilterError,
    QueueFilters,
    parse_filters,
    queue_page,
    scope_of,
)
from services.router.console.rule_labels import rule_choices
from services.router.guards import STATUS_VI
from services.router.models import RoutedCase

NOTICES = {
    "da-gui": "Đã gửi yêu cầu. Hệ thống đang xử lý; trang hồ sơ sẽ cập nhật sau ít giây.",
    "du-thao": "Đã lưu dự thảo trả lời. Lãnh đạo cơ quan duyệt để công bố.",
    "da-huy": "Đã hủy dự thảo.",
}
LABELS = {
    "status": STATUS_CHOICES,
    "case_status": STATUS_VI,
    "channel": CHANNEL_VI,
    "case_class": CLASS_VI,
    "kind": KIND_VI,
    "stage": STAGE_VI,
    "mark": MARK_VI,
}


async def rules_in_use(session: AsyncSession, scope: str) -> list[str]:
    query = select(RoutedCase.rule_id).distinct().order_by(col(RoutedCase.rule_id))
    if scope != ALL:
        query = query.where(RoutedCase.agency == scope)
    return list((await session.exec(query)).all())


def rule_filter(console: Console, rule_ids: list[str]) -> list[tuple[str, str]]:
    """The rule filter's options: each rule's id (the value) and its words (rule_labels.py)."""
    return rule_choices(rule_ids, rules=console.core.rules, name_of=console.agency_label)


def page_link(raw: dict[str, str], page: int) -> str:
    kept = {key: value for key, value in raw.items() if value and key != "trang"}
    return f"{PREFIX}/?{urlencode({**kept, 'trang': page})}"


async def queue_view(console: Console, request: Request, officer: Officer) -> Response:
    raw = {key: value[:200] for key, value in request.query_params.items()}
    error = ""
    try:
        filters = parse_filters(raw)
    except FilterError as problem:
        filters, error = QueueFilters(), str(problem)
    scope, today = scope_of(officer, filters), console.today()
    async with console.db.transaction() as session:
        core = await console.core_of(session)
        page = await queue_page(
            session,
            scope=scope,
            filters=filters,
            today=today,
            calendar=core.calendar,
            due_soon_days=console.settings.console_due_soon_days,
            size=console.settings.console_page_size,
        )
        rules = await rules_in_use(session, scope)
        audit.record(
            session,
            action="view_queue",
            officer=officer,
            detail=f"{scope} {request.url.query}".strip(),
            address=client_address(request),
        )
    context = {
        "page": page,
        "filters": filters,
        "raw": raw,
        "scope": scope,
        "error": error,
        "rules": rule_filter(console, rules),
        "labels": LABELS,
        "agencies": console.agency_choices(),
        "today": today,
        "link": lambda number: page_link(raw, number),
    }
    status = 400 if error else 200
    return console.page(request, "queue.html", context, officer=officer, status_code=status)


def queue_params(
    tinh_trang: str | None = None,
    kenh: str | None = None,
    loai: str | None = None,
    hinh_thuc: str | None = None,
    quy_tac: str | None = None,
    van_ban: str | None = None,
    tu_ngay: str | None = None,
    den_ngay: str | None = None,
    co_quan: str | None = None,
    trang: str | None = None,
) -> None:
    """The queue's query parameters, declared for the route's OpenAPI description; the page
    reads and checks them itself (`parse_filters`), a bad one is a 400 that says why."""


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @api.get(PREFIX)
    async def home() -> Response:
        return RedirectResponse(PREFIX + "/", status_code=307)

    @api.get(PREFIX + "/", dependencies=[Depends(queue_params)])
    async def queue(
        request: Request, officer: Annotated[Officer, Depends(guards.page)]
    ) -> Response:
        return await queue_view(console, request, officer)

    return api
