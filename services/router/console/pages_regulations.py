"""Cases grouped by the regulation they are about, and one consolidated answer for a group:
the same text drafted for each chosen case, approved once, sent as one `SubmitAnswer` per
case (each case closes and each submitter is told)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.router import audit
from services.router.console.access import Officer
from services.router.console.auth import Guards
from services.router.console.context import PREFIX, Console, ConsoleRoute, client_address
from services.router.console.drafts import (
    OUTCOME_VI,
    DraftError,
    approval,
    batch_drafts,
    draft_text,
    drafts_of,
    mark_published,
    new_batch,
    preview,
    save_draft,
)
from services.router.console.pages_queue import LABELS
from services.router.console.queue import QueueRow, row_of
from services.router.console.regulations import Group, group_by_regulation, members
from services.router.console.sending import problem_with, send
from services.router.models import OPEN_STATUSES, RoutedCase

TEXT_FIELDS = ("answer", "legal_basis", "outcome", "documents")


async def agency_groups(
    console: Console, session: AsyncSession, officer: Officer
) -> list[Group[QueueRow]]:
    """The officer's agency's open cases, grouped by regulation (the supervisor: VPUB's)."""
    query = (
        select(RoutedCase)
        .where(RoutedCase.agency == officer.agency)
        .where(col(RoutedCase.status).in_(OPEN_STATUSES))
    )
    core = await console.core_of(session)
    rows = [
        row_of(
            case,
            today=console.today(),
            calendar=core.calendar,
            due_soon_days=console.settings.console_due_soon_days,
        )
        for case in (await session.exec(query)).all()
    ]
    return group_by_regulation((row.regulation, row) for row in rows)


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    Viewer = Annotated[Officer, Depends(guards.page)]
    Poster = Annotated[Officer, Depends(guards.form)]

    @api.get(PREFIX + "/van-ban")
    async def regulations(request: Request, officer: Viewer) -> Response:
        async with console.db.transaction() as session:
            groups = await agency_groups(console, session, officer)
        return console.page(request, "regulations.html", {"groups": groups}, officer=officer)

    @api.get(PREFIX + "/van-ban/{key}")
    async def regulation(request: Request, key: str, officer: Viewer) -> Response:
        return await _group_page(console, request, officer, key, log_view=True)

    @api.post(PREFIX + "/van-ban/{key}/du-thao")
    async def consolidated_draft(request: Request, key: str, officer: Poster) -> Response:
        return await draft_for_group(console, request, officer, key)

    @api.post(PREFIX + "/van-ban/{key}/du-thao/{batch}/duyet")
    async def approve_batch(request: Request, key: str, batch: str, officer: Poster) -> Response:
        if not officer.may_approve:
            message = "Chỉ lãnh đạo cơ quan mới được duyệt và công bố câu trả lời."
            return console.problem(request, status_code=403, message=message, officer=officer)
        sent, skipped = await _publish_batch(console, request, officer, batch)
        if not sent and not skipped:
            return console.not_found(request, officer)
        context = {"sent": sent, "skipped": skipped, "key": key}
        return console.page(request, "batch_sent.html", context, officer=officer)

    return api


async def draft_for_group(
    console: Console, request: Request, officer: Officer, key: str
) -> Response:
    """The same draft for each chosen case of the group, as one batch."""
    posted = await request.form()
    chosen = {str(value) for value in posted.getlist("case_id")}
    form = {name: str(posted.get(name, "")) for name in TEXT_FIELDS}
    form["outcome"] = form["outcome"] or "answered"
    async with console.db.transaction() as session:
        group = members(await agency_groups(console, session, officer), key)
        if group is None:
            return console.not_found(request, officer)
        try:
            text = draft_text(**form)
            cases = [row.case for row in group.items if row.case.case_id in chosen]
            if not cases:
                raise DraftError("Hãy chọn ít nhất một hồ sơ để trả lời chung.")
        except DraftError as problem:
            error = str(problem)
        else:
            error, batch = "", new_batch()
            for case in cases:
                await save_draft(session, case=case, text=text, officer=officer, batch=batch)
                audit.record(
                    session,
                    action="draft",
                    officer=officer,
                    case_id=case.case_id,
                    detail=f"trả lời chung {batch}",
                    address=client_address(request),
                )
    if error:
        return await _group_page(console, request, officer, key, error=error, form=form)
    return RedirectResponse(f"{PREFIX}/van-ban/{key}?thong_bao=du-thao", status_code=303)


async def _publish_batch(
    console: Console, request: Request, officer: Officer, batch: str
) -> tuple[list[RoutedCase], list[tuple[RoutedCase, str]]]:
    """One `SubmitAnswer` per still-pending draft of the batch whose case the officer's
    agency holds; the others are listed with the reason."""
    sent: list[RoutedCase] = []
    skipped: list[tuple[RoutedCase, str]] = []
    async with console.db.transaction() as session:
        core = await console.core_of(session)
        for draft in await batch_drafts(session, batch=batch[:32]):
            case = await session.get(RoutedCase, draft.case_id)
            if case is None or case.agency != officer.agency or draft.status != "draft":
                continue
            try:
                command = approval(
                    draft, case, officer=officer, self_approval=console.settings.self_approval
                )
                problem = problem_with(case, command, core=core)
            except DraftError as error:
                problem = str(error)
            if problem:
                skipped.append((case, problem))
                continue
            mark_published(draft, command, now=console.now())
            session.add(draft)
            send(
                session,
                command=command,
                officer=officer,
                core=core,
                address=client_address(request),
                detail=f"trả lời chung {batch}",
            )
            sent.append(case)
    return sent, skipped


async def _group_page(
    console: Console,
    request: Request,
    officer: Officer,
    key: str,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    log_view: bool = False,
) -> Response:
    async with console.db.transaction() as session:
        group = members(await agency_groups(console, session, officer), key)
        if group is None:
            return console.not_found(request, officer)
        batches = await _pending_batches(session, group)
        if log_view:
            audit.record(
                session,
                action="view_regulation",
                officer=officer,
                detail=group.regulation.label,
                address=client_address(request),
            )
    context = {
        "group": group,
        "batches": batches,
        "error": error,
        "form": form or {},
        "outcomes": OUTCOME_VI,
        "labels": LABELS,
        "notice": "Đã lưu dự thảo trả lời chung." if request.query_params.get("thong_bao") else "",
    }
    status = 400 if error else 200
    return console.page(request, "regulation.html", context, officer=officer, status_code=status)


async def _pending_batches(session: AsyncSession, group: Group[QueueRow]) -> list[dict[str, Any]]:
    """Consolidated drafts waiting for approval among the group's cases, with the public
    version of each case's question and of the answer."""
    found: dict[str, dict[str, Any]] = {}
    by_id = {row.case.case_id: row.case for row in group.items}
    for case in by_id.values():
        for draft in await drafts_of(session, case_id=case.case_id):
            if draft.batch is None or draft.status != "draft":
                continue
            entry = found.setdefault(
                draft.batch, {"batch": draft.batch, "draft": draft, "cases": []}
            )
            public = preview(case, answer=draft.answer, legal_basis=draft.legal_basis)
            entry["cases"].append((case, public))
    return list(found.values())
