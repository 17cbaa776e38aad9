"""The case page: the original (for the agency in charge and the supervisor only), the
deadlines, the rule that routed it, its history, and the actions the officer may take."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.router import audit
from services.router.console.access import Officer, may_act
from services.router.console.agency_choices import agency_groups, case_day, clean_search, count
from services.router.console.auth import Guards
from services.router.console.casefile import CaseFile, load_case_file, visible_case
from services.router.console.context import PREFIX, Console, ConsoleRoute, client_address
from services.router.console.drafts import OUTCOME_VI
from services.router.console.pages_queue import LABELS, NOTICES
from services.router.emit import TRIAGE
from services.router.models import OPEN_STATUSES

STEP_VI = {
    "route": "Định tuyến tự động",
    "transfer": "Chuyển cơ quan",
    "assign": "Giao từ phân loại",
}
NOTICE_KIND_VI = {"reminder": "Nhắc hạn", "escalation": "Báo quá hạn lên Văn phòng UBND tỉnh"}
COMMAND_STATE_VI = {
    "applied": "đã được hệ thống áp dụng",
    "pending": "đang chờ hệ thống xử lý",
    "stale": "chưa được áp dụng — có thể đã bị từ chối; xin liên hệ quản trị",
}


async def render_case(
    console: Console,
    request: Request,
    *,
    officer: Officer,
    case_id: str,
    error: str = "",
    status_code: int = 200,
    form: dict[str, str] | None = None,
    log_view: bool = False,
) -> Response:
    async with console.db.transaction() as session:
        case = await visible_case(session, officer=officer, case_id=case_id)
        if case is None:
            return console.not_found(request, officer)
        core = await console.core_of(session)
        file = await load_case_file(
            session,
            case=case,
            today=console.today(),
            now=console.now(),
            calendar=core.calendar,
            due_soon_days=console.settings.console_due_soon_days,
        )
        if log_view:
            audit.record(
                session,
                action="view_case",
                officer=officer,
                case_id=case.case_id,
                address=client_address(request),
            )
    context = _context(console, request, officer, file, error=error, form=form or {})
    return console.page(request, "case.html", context, officer=officer, status_code=status_code)


def _context(
    console: Console,
    request: Request,
    officer: Officer,
    file: CaseFile,
    *,
    error: str,
    form: dict[str, str],
) -> dict[str, Any]:
    case = file.case
    acting = may_act(officer, case.agency)
    # The agencies in force on the case's date, narrowed by `?tim=` (no JavaScript).
    day, search = case_day(case.received_at), clean_search(request.query_params.get("tim"))
    groups = agency_groups(day, search, exclude={case.agency})
    is_open = case.status in OPEN_STATUSES
    return {
        "file": file,
        "case": case,
        "error": error,
        "form": form,
        "notice": NOTICES.get(request.query_params.get("thong_bao", ""), ""),
        "labels": LABELS,
        "step_vi": STEP_VI,
        "notice_kind_vi": NOTICE_KIND_VI,
        "command_state_vi": COMMAND_STATE_VI,
        "action_vi": audit.ACTION_VI,
        "outcomes": OUTCOME_VI,
        "acting": acting and is_open,
        "in_triage": case.agency == TRIAGE,
        "agency_groups": groups,
        "agency_count": count(groups),
        "agency_search": search,
        "agency_day": day,
        "base": f"{PREFIX}/ho-so/{case.case_id}",
    }


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @api.get(PREFIX + "/ho-so/{case_id}")
    async def case_page(
        request: Request, case_id: str, officer: Annotated[Officer, Depends(guards.page)]
    ) -> Response:
        return await render_case(console, request, officer=officer, case_id=case_id, log_view=True)

    return api
