"""The agencies' HTTP API: an agency's own system reads its queue, proposes answers (drafts
that a head approves in the console: a token cannot publish) and asks for transfers with its
token (`Authorization: Bearer pakn_…`). A token sees its agency's cases only; any other case
id answers 404, exactly like one that does not exist."""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from schemas.actions import AgencyCommand, Outcome, RequestTransfer, SubmitAnswer
from services.router import audit
from services.router.console.access import Officer
from services.router.console.auth import Guards
from services.router.console.casefile import visible_case
from services.router.console.context import Console, ConsoleRoute, client_address
from services.router.console.drafts import DraftError, draft_text, save_draft
from services.router.console.queue import QueueFilters, QueueRow, queue_page, row_of
from services.router.console.sending import problem_with, send
from services.router.models import RoutedCase

API = "/api/v1"
NO_STORE = {"Cache-Control": "no-store"}  # personal data: never in a shared cache
NOT_FOUND = {"detail": "Không tìm thấy hồ sơ này trong phạm vi cơ quan của khóa API."}
RETIRED = {
    "detail": "Cơ quan của khóa API đã chấm dứt hoạt động (sắp xếp tổ chức bộ máy): "
    "khóa chỉ còn dùng để xem hồ sơ cũ."
}


class AnswerIn(BaseModel):
    """An answer written in the agency's system. It becomes a draft in the console and is
    published when a head of the agency (an account, not a name given here) approves it."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=50_000)
    legal_basis: str = Field(default="", max_length=2_000)
    outcome: Outcome = "answered"
    officer: str = Field(min_length=1, max_length=200, description="who wrote the answer")
    approved_by: str | None = Field(
        default=None,
        max_length=200,
        description="ignored (kept for older clients): only a head's approval in the console "
        "publishes an answer",
    )


AWAITING_APPROVAL = (
    "Đã lưu thành dự thảo; câu trả lời được công bố khi lãnh đạo cơ quan duyệt trên trang "
    "cán bộ (/can-bo/)."
)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2_000)
    to_agency: str | None = Field(
        default=None, max_length=16, description="an agency code, TRIAGE, or none: the rules"
    )
    officer: str = Field(min_length=1, max_length=200)


def case_json(row: QueueRow) -> dict[str, Any]:
    case = row.case
    return {
        "case_id": case.case_id,
        "tracking_code": case.tracking_code,
        "status": case.status,
        "agency": case.agency,
        "channel": case.channel,
        "received_at": case.received_at.isoformat(),
        "case_class": case.case_class,
        "kind": case.kind,
        "title": case.title,
        "content": case.content,
        "regulation": case.regulation,
        "regulation_key": row.regulation.key if row.regulation else None,
        "submitter": {
            "type": case.submitter_type,
            "name": case.submitter_name,
            "organization": case.submitter_organization,
            "address": case.address,
            "phone": case.submitter_phone,
            "email": case.submitter_email,
        },
        "attachments": case.attachments or [],
        "deadlines": {
            "classify": case.due_classify.isoformat(),
            "forward": case.due_forward.isoformat(),
            "answer": case.due_answer.isoformat(),
            "binding_stage": row.stage,
            "binding_status": row.mark,
            "extended": case.extension_reason is not None,
        },
        "routing": {
            "rule_id": case.rule_id,
            "rules_version": case.rules_version,
            "confidence": case.confidence,
            "hop": case.hop,
        },
    }


async def read_queue(console: Console, request: Request, caller: Officer) -> Response:
    async with console.db.transaction() as session:
        core = await console.core_of(session)
        page = await queue_page(
            session,
            scope=caller.agency,
            filters=QueueFilters(),
            today=console.today(),
            calendar=core.calendar,
            due_soon_days=console.settings.console_due_soon_days,
            size=10_000,
        )
        audit.record(session, action="api_queue", officer=caller, address=client_address(request))
    cases = [case_json(row) for row in page.rows]
    return JSONResponse({"agency": caller.agency, "cases": cases}, headers=NO_STORE)


async def read_case(console: Console, request: Request, caller: Officer, case_id: str) -> Response:
    async with console.db.transaction() as session:
        case = await visible_case(session, officer=caller, case_id=case_id)
        if case is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        core = await console.core_of(session)
        row = row_of(
            case,
            today=console.today(),
            calendar=core.calendar,
            due_soon_days=console.settings.console_due_soon_days,
        )
        audit.record(
            session,
            action="api_case",
            officer=caller,
            case_id=case.case_id,
            address=client_address(request),
        )
    return JSONResponse(case_json(row), headers=NO_STORE)


def answer_command(case: RoutedCase, caller: Officer, body: AnswerIn) -> AgencyCommand:
    """The answer as it would be sent: only to check now that the case can take one."""
    return SubmitAnswer(
        **_base(case, caller, body.officer),
        answer=body.answer,
        legal_basis=body.legal_basis,
        outcome=body.outcome,
        approved_by="",
    )


async def draft_answer(
    console: Console, request: Request, caller: Officer, case_id: str, body: AnswerIn
) -> Response:
    """An agency's system proposes an answer: a draft awaiting a head's approval."""
    if caller.retired:
        return JSONResponse(RETIRED, status_code=403)
    async with console.db.transaction() as session:
        case = await session.get(RoutedCase, case_id[:32])
        if case is None or case.agency != caller.agency:
            return JSONResponse(NOT_FOUND, status_code=404)
        try:
            text = draft_text(
                answer=body.answer, legal_basis=body.legal_basis, outcome=body.outcome, documents=""
            )
        except DraftError as error:
            return JSONResponse({"detail": str(error)}, status_code=422)
        core = await console.core_of(session)
        problem = problem_with(case, answer_command(case, caller, body), core=core)
        if problem:
            audit.record(
                session,
                action="refused",
                officer=caller,
                case_id=case.case_id,
                detail=problem,
                address=client_address(request),
            )
            draft_id = None
        else:
            draft = await save_draft(session, case=case, text=text, officer=caller, batch=None)
            draft.written_by = _base(case, caller, body.officer)["officer"]
            session.add(draft)
            draft_id = draft.id
            audit.record(
                session,
                action="api_draft",
                officer=caller,
                case_id=case.case_id,
                detail=f"dự thảo {draft_id}",
                address=client_address(request),
            )
    if problem:
        return JSONResponse({"detail": problem}, status_code=409)
    answer = {"status": "draft", "draft_id": draft_id, "detail": AWAITING_APPROVAL}
    return JSONResponse(answer, status_code=202)


def transfer_command(case: RoutedCase, caller: Officer, body: TransferIn) -> AgencyCommand:
    target = body.to_agency.strip().upper() if body.to_agency else None
    return RequestTransfer(
        **_base(case, caller, body.officer), reason=body.reason, to_agency=target or None
    )


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, tags=["Cơ quan xử lý"])
    Caller = Annotated[Officer, Depends(guards.api)]

    @api.get(API + "/queue", summary="Hàng đợi của cơ quan (hồ sơ đang mở, theo hạn)")
    async def queue(request: Request, caller: Caller) -> Response:
        return await read_queue(console, request, caller)

    @api.get(API + "/cases/{case_id}", summary="Một hồ sơ của cơ quan")
    async def one_case(request: Request, case_id: str, caller: Caller) -> Response:
        return await read_case(console, request, caller, case_id)

    @api.post(
        API + "/cases/{case_id}/answer",
        status_code=202,
        summary="Gửi dự thảo câu trả lời (chờ lãnh đạo duyệt)",
    )
    async def answer(request: Request, case_id: str, body: AnswerIn, caller: Caller) -> Response:
        return await draft_answer(console, request, caller, case_id, body)

    @api.post(API + "/cases/{case_id}/transfer", status_code=202, summary="Chuyển hồ sơ")
    async def transfer(
        request: Request, case_id: str, body: TransferIn, caller: Caller
    ) -> Response:
        build = partial(transfer_command, caller=caller, body=body)
        return await _command(console, request, caller, case_id, build, "api_transfer")

    return api


def _base(case: RoutedCase, caller: Officer, officer: str) -> dict[str, str]:
    return {
        "correlation_id": case.case_id,
        "case_id": case.case_id,
        "agency": caller.agency,
        "officer": f"{officer} ({caller.actor})"[:200],
    }


async def _command(
    console: Console,
    request: Request,
    caller: Officer,
    case_id: str,
    build: Callable[[RoutedCase], AgencyCommand],
    action: str,
) -> Response:
    if caller.retired:
        return JSONResponse(RETIRED, status_code=403)
    async with console.db.transaction() as session:
        case = await session.get(RoutedCase, case_id[:32])
        if case is None or case.agency != caller.agency:
            return JSONResponse(NOT_FOUND, status_code=404)
        core = await console.core_of(session)
        command = build(case)
        problem = problem_with(case, command, core=core)
        if problem:
            audit.record(
                session,
                action="refused",
                officer=caller,
                case_id=case.case_id,
                detail=problem,
                address=client_address(request),
            )
        else:
            send(
                session,
                command=command,
                officer=caller,
                core=core,
                action=action,
                address=client_address(request),
            )
    if problem:
        return JSONResponse({"detail": problem}, status_code=409)
    return JSONResponse({"status": "accepted", "event_id": command.event_id}, status_code=202)
