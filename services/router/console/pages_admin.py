"""The audit log (the supervisor's) and the agency's API tokens (heads')."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from services.kit.web import MAX_ID, ParameterError, bounded_day
from services.router import audit
from services.router.console.access import Officer
from services.router.console.accounts import issue_token
from services.router.console.auth import Guards
from services.router.console.context import PREFIX, Console, ConsoleRoute, client_address
from services.router.models import ApiToken

Label = Annotated[str, Form(max_length=200)]
TokenId = Annotated[int, Path(ge=1, le=MAX_ID)]
SUPERVISORS_ONLY = "Chỉ cán bộ giám sát của Văn phòng UBND tỉnh được xem nhật ký."
HEADS_ONLY = "Chỉ lãnh đạo cơ quan được quản lý khóa API."


def _audit_query(raw: dict[str, str]) -> tuple[audit.AuditQuery, str]:
    on, error = None, ""
    try:
        on = bounded_day(raw.get("ngay"), label="Ngày")
    except ParameterError:
        error = "Ngày: không đúng dạng (năm-tháng-ngày) hoặc ngoài khoảng 2000–2100."
    query = audit.AuditQuery(
        actor=raw.get("nguoi", "").strip()[:200],
        action=raw.get("hanh_dong", "").strip()[:32],
        case_id=raw.get("ho_so", "").strip()[:32],
        on=on,
    )
    return query, error


async def _tokens(console: Console, officer: Officer) -> list[ApiToken]:
    query = select(ApiToken).order_by(col(ApiToken.id).desc())
    if not officer.is_supervisor:
        query = query.where(ApiToken.agency == officer.agency)
    async with console.db.session() as session:
        return list((await session.exec(query)).all())


async def audit_page(console: Console, request: Request, officer: Officer) -> Response:
    if not officer.is_supervisor:
        return console.problem(request, status_code=403, message=SUPERVISORS_ONLY, officer=officer)
    raw = dict(request.query_params.items())
    query, error = _audit_query(raw)
    async with console.db.session() as session:
        found = await audit.entries(session, query=query)
    context = {"entries": found, "raw": raw, "error": error, "action_vi": audit.ACTION_VI}
    status = 400 if error else 200
    return console.page(request, "audit.html", context, officer=officer, status_code=status)


async def new_token(console: Console, request: Request, officer: Officer, label: str) -> Response:
    """Issue a token for the head's agency and show it, once."""
    issued, error = None, ""
    if not label.strip():
        error = "Tên gọi của khóa (hệ thống nào dùng): chưa điền."
    else:
        async with console.db.transaction() as session:
            issued = await issue_token(
                session,
                agency=officer.agency,
                label=label,
                created_by=officer.actor,
                agencies=console.core.agencies,
            )
            audit.record(
                session,
                action="token_created",
                officer=officer,
                detail=f"{issued.token.prefix} {label.strip()}",
                address=client_address(request),
            )
    context = {"tokens": await _tokens(console, officer), "issued": issued, "error": error}
    status = 400 if error else 201
    return console.page(request, "tokens.html", context, officer=officer, status_code=status)


async def revoke(console: Console, request: Request, officer: Officer, token_id: int) -> Response:
    async with console.db.transaction() as session:
        token = await session.get(ApiToken, token_id)
        if token is None or not (officer.is_supervisor or token.agency == officer.agency):
            message = "Không có khóa API này."
            return console.problem(request, status_code=404, officer=officer, message=message)
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = console.now(), officer.actor
            session.add(token)
            audit.record(
                session,
                action="token_revoked",
                officer=officer,
                detail=token.prefix,
                address=client_address(request),
            )
    return RedirectResponse(PREFIX + "/khoa-api", status_code=303)


def audit_params(
    nguoi: str | None = None,
    hanh_dong: str | None = None,
    ho_so: str | None = None,
    ngay: str | None = None,
) -> None:
    """The audit log's query parameters, declared for the OpenAPI description; the page
    reads and checks them itself (`_audit_query`)."""


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    Viewer = Annotated[Officer, Depends(guards.page)]
    Head = Annotated[Officer, Depends(guards.form)]

    def not_head(request: Request, officer: Officer) -> Response | None:
        if officer.may_approve:
            return None
        return console.problem(request, status_code=403, message=HEADS_ONLY, officer=officer)

    @api.get(PREFIX + "/nhat-ky", dependencies=[Depends(audit_params)])
    async def audit_log(request: Request, officer: Viewer) -> Response:
        return await audit_page(console, request, officer)

    @api.get(PREFIX + "/khoa-api")
    async def tokens(request: Request, officer: Viewer) -> Response:
        if denied := not_head(request, officer):
            return denied
        context = {"tokens": await _tokens(console, officer), "issued": None, "error": ""}
        return console.page(request, "tokens.html", context, officer=officer)

    @api.post(PREFIX + "/khoa-api")
    async def create_token(request: Request, officer: Head, label: Label = "") -> Response:
        return not_head(request, officer) or await new_token(console, request, officer, label)

    @api.post(PREFIX + "/khoa-api/{token_id}/thu-hoi")
    async def revoke_token(request: Request, token_id: TokenId, officer: Head) -> Response:
        return not_head(request, officer) or await revoke(console, request, officer, token_id)

    return api
