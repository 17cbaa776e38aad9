"""What every console page and API route works with, and how a refusal becomes a response.

The routes are included into the embedded system's single app by `include_router`, which
keeps routes but not middleware or exception handlers; so access checks are dependencies
that raise `Denied`, and `ConsoleRoute` turns it into the response it carries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit import staffpass
from services.kit.columns import utc_now
from services.kit.db import Database
from services.kit.pages import templates
from services.router.console.access import LockoutPolicy, Officer
from services.router.console.agency_choices import all_choices, name_of
from services.router.console.throttle import LoginThrottle
from services.router.core import RouterCore
from services.router.domain.calendar import VIETNAM
from services.router.emit import TRIAGE, agency_name
from services.router.errors import Denied
from services.router.settings import RouterSettings

PREFIX = "/can-bo"
SESSION_COOKIE = "pakn_phien"
LOGIN_COOKIE = "pakn_dang_nhap"  # the login form's anti-forgery value (double submit)


# Private pages: never cached, never framed (clickjacking), no scripts at all, forms post to
# this site only. The other services' staff pages send the same (`staffpass.StaffRoute`).
PRIVATE_HEADERS = staffpass.PRIVATE_HEADERS


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except Denied as denied:
                return denied.response

        return handler


def vn_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(VIETNAM).date()
    return day.strftime("%d/%m/%Y")


def vn_time(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""


def _templates() -> Jinja2Templates:
    pages = templates(Path(__file__).parent / "templates")
    pages.env.filters["vn_date"] = vn_date
    pages.env.filters["vn_time"] = vn_time
    return pages


TEMPLATES = _templates()


@dataclass
class Console:
    """The router's pieces the console needs, and its clock (tests move it)."""

    db: Database
    settings: RouterSettings
    core: RouterCore
    core_of: Callable[[AsyncSession], Awaitable[RouterCore]]  # with the calendar in force
    today: Callable[[], date]
    now: Callable[[], datetime] = field(default=utc_now)
    throttle: LoginThrottle = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.throttle = LoginThrottle(
            burst=s.console_login_burst,
            refill=timedelta(seconds=s.console_login_refill_s),
            free=s.console_login_free_failures,
            backoff=timedelta(seconds=s.console_login_backoff_s),
            backoff_max=timedelta(seconds=s.console_login_backoff_max_s),
            concurrent=s.console_key_derivations,
            queue=s.console_key_derivation_queue,
        )

    @property
    def lockout(self) -> LockoutPolicy:
        s = self.settings
        return LockoutPolicy(
            max_failures=s.console_max_failures,
            window=timedelta(minutes=s.console_failure_window_minutes),
            lock_for=timedelta(minutes=s.console_lock_minutes),
        )

    def agency_label(self, code: str) -> str:
        if code == TRIAGE:
            return "Hàng chờ phân loại (Văn phòng UBND tỉnh)"
        name = agency_name(self.core, code)
        return name_of(code) or name if name == code else name

    def agency_choices(self) -> list[tuple[str, str]]:
        """The queue's agency filter: today's agencies, then the former ones ("(cũ)")."""
        return all_choices(self.today())

    def page(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        officer: Officer | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        full = {
            "officer": officer,
            "agency_label": self.agency_label,
            "self_approval": self.settings.self_approval,
            **context,
        }
        response = TEMPLATES.TemplateResponse(request, name, full, status_code=status_code)
        response.headers.update(PRIVATE_HEADERS)
        return response

    def problem(
        self, request: Request, *, status_code: int, message: str, officer: Officer | None = None
    ) -> HTMLResponse:
        context = {"status_code": status_code, "message": message}
        return self.page(request, "problem.html", context, officer=officer, status_code=status_code)

    def not_found(self, request: Request, officer: Officer | None) -> HTMLResponse:
        """The same answer for a case that does not exist and one of another agency."""
        message = "Không tìm thấy hồ sơ này trong phạm vi cơ quan của bạn."
        return self.problem(request, status_code=404, message=message, officer=officer)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
