"""What an officer does to a case from its page: each form posts one agency command
(through the outbox), or saves, approves or withdraws an answer draft."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.web import MAX_ID
from services.router import audit
from services.router.console.access import Officer, may_act
from services.router.console.auth import Guards
from services.router.console.casefile import visible_case
from services.router.console.context import PREFIX, Console, ConsoleRoute, client_address
from services.router.console.drafts import (
    DraftError,
    approval,
    draft_text,
    mark_published,
    save_draft,
)
from services.router.console.forms import FORMS, REFILL, FormProblem, build_command
from services.router.console.pages_case import render_case
from services.router.console.sending import problem_with, send
from services.router.emit import TRIAGE
from services.router.models import OPEN_STATUSES, AnswerDraft, RoutedCase

DraftId = Annotated[int, Path(ge=1, le=MAX_ID)]

ONLY_VIEW = "Bạn chỉ được xem hồ sơ này: hồ sơ đang do cơ quan khác xử lý."
HEADS_ONLY = "Chỉ lãnh đạo cơ quan mới được {what}."


async def act(
    console: Console, request: Request, officer: Officer, case_id: str, name: str
) -> Response:
    """One command form: check who may act, then stage the command or explain the refusal."""
    spec = FORMS[name]
    fields = {key: str(value) for key, value in (await request.form()).items()}
    if spec.heads_only and not officer.may_approve:
        message = HEADS_ONLY.format(what=spec.heads_only)
        return console.problem(request, status_code=403, message=message, officer=officer)
    async with console.db.transaction() as session:
        case = await visible_case(session, officer=officer, case_id=case_id)
        if case is None:
            return console.not_found(request, officer)
        if not may_act(officer, case.agency):
            return console.problem(request, status_code=403, message=ONLY_VIEW, officer=officer)
        core, address = await console.core_of(session), client_address(request)
        try:
            command = build_command(spec, case, officer, fields)
            problem = problem_with(case, command, core=core)
        except FormProblem as bad:
            problem = str(bad)
        if problem:
            audit.record(
                session,
                action="refused",
                officer=officer,
                case_id=case.case_id,
                detail=problem,
                address=address,
            )
        else:
            send(session, command=command, officer=officer, core=core, address=address)
    if problem:
        names = REFILL.get(name, {})
        refill = {names.get(f, f): fields.get(f, "") for f in spec.fields}
        return await render_case(
            console,
            request,
            officer=officer,
            case_id=case_id,
            error=problem,
            status_code=409,
            form=refill,
        )
    return RedirectResponse(f"{PREFIX}/ho-so/{case_id}?thong_bao=da-gui", status_code=303)


async def save(console: Console, request: Request, officer: Officer, case_id: str) -> Response:
    """Save the case's answer draft (replacing a pending one)."""
    form = {key: str(value) for key, value in (await request.form()).items() if key != "csrf"}
    async with console.db.transaction() as session:
        case = await visible_case(session, officer=officer, case_id=case_id)
        if case is None:
            return console.not_found(request, officer)
        if not may_act(officer, case.agency) or case.agency == TRIAGE:
            return console.problem(request, status_code=403, message=ONLY_VIEW, officer=officer)
        try:
            if case.status not in OPEN_STATUSES:
                raise DraftError("Hồ sơ đã được trả lời.")
            text = draft_text(
                answer=form.get("answer", ""),
                legal_basis=form.get("legal_basis", ""),
                outcome=form.get("outcome") or "answered",
                documents=form.get("documents", ""),
            )
        except DraftError as problem:
            error = str(problem)
        else:
            error = ""
            saved = await save_draft(session, case=case, text=text, officer=officer, batch=None)
            audit.record(
                session,
                action="draft",
                officer=officer,
                case_id=case.case_id,
                detail=f"dự thảo #{saved.id}",
                address=client_address(request),
            )
    if error:
        return await render_case(
            console,
            request,
            officer=officer,
            case_id=case_id,
            error=error,
            status_code=400,
            form=form,
        )
    return RedirectResponse(f"{PREFIX}/ho-so/{case_id}?thong_bao=du-thao", status_code=303)


async def decide(
    console: Console, request: Request, officer: Officer, draft_id: int, *, approve: bool
) -> Response:
    """Approve (publish) or withdraw one draft of a case the officer's agency holds."""
    if approve and not officer.may_approve:
        message = HEADS_ONLY.format(what="duyệt và công bố câu trả lời")
        return console.problem(request, status_code=403, message=message, officer=officer)
    address = client_address(request)
    async with console.db.transaction() as session:
        draft = await session.get(AnswerDraft, draft_id)
        case = (
            await visible_case(session, officer=officer, case_id=draft.case_id) if draft else None
        )
        if draft is None or case is None or not may_act(officer, case.agency):
            return console.not_found(request, officer)
        detail = f"dự thảo #{draft.id} của {draft.written_by}"
        if approve:
            error = await _publish(console, session, draft, case, officer, address=address)
        elif draft.status != "draft":
            error = "Dự thảo này đã được công bố hoặc đã bị hủy."
        else:
            error, draft.status = "", "withdrawn"
            session.add(draft)
            audit.record(
                session,
                action="draft_withdrawn",
                officer=officer,
                case_id=case.case_id,
                detail=detail,
                address=address,
            )
        if error:
            audit.record(
                session,
                action="refused",
                officer=officer,
                case_id=case.case_id,
                detail=error,
                address=address,
            )
    if error:
        return await render_case(
            console, request, officer=officer, case_id=case.case_id, error=error, status_code=409
        )
    notice = "da-gui" if approve else "da-huy"
    return RedirectResponse(f"{PREFIX}/ho-so/{case.case_id}?thong_bao={notice}", status_code=303)


async def _publish(
    console: Console,
    session: AsyncSession,
    draft: AnswerDraft,
    case: RoutedCase,
    officer: Officer,
    *,
    address: str,
) -> str:
    """Stage the approved draft's `SubmitAnswer`; the problem if it cannot be."""
    core = await console.core_of(session)
    try:
        command = approval(
            draft, case, officer=officer, self_approval=console.settings.self_approval
        )
    except DraftError as problem:
        return str(problem)
    problem_text = problem_with(case, command, core=core)
    if problem_text:
        return problem_text
    mark_published(draft, command, now=console.now())
    session.add(draft)
    send(
        session,
        command=command,
        officer=officer,
        core=core,
        address=address,
        detail=f"dự thảo #{draft.id} của {draft.written_by}",
    )
    return ""


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    Poster = Annotated[Officer, Depends(guards.form)]

    @api.post(PREFIX + "/ho-so/{case_id}/du-thao")
    async def draft(request: Request, case_id: str, officer: Poster) -> Response:
        return await save(console, request, officer, case_id)

    @api.post(PREFIX + "/ho-so/{case_id}/{action}")
    async def command(request: Request, case_id: str, action: str, officer: Poster) -> Response:
        if action not in FORMS:
            return console.problem(
                request, status_code=404, officer=officer, message="Không có thao tác này."
            )
        return await act(console, request, officer, case_id, action)

    @api.post(PREFIX + "/du-thao/{draft_id}/duyet")
    async def approve(request: Request, draft_id: DraftId, officer: Poster) -> Response:
        return await decide(console, request, officer, draft_id, approve=True)

    @api.post(PREFIX + "/du-thao/{draft_id}/huy")
    async def withdraw(request: Request, draft_id: DraftId, officer: Poster) -> Response:
        return await decide(console, request, officer, draft_id, approve=False)

    return api
