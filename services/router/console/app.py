"""The router's web app: the agency console under /can-bo/ and the agencies' API under
/api/v1/."""

from __future__ import annotations

from fastapi import FastAPI

from services.kit.web import harden
from services.router.console import (
    api,
    pages_actions,
    pages_admin,
    pages_auth,
    pages_calendar,
    pages_case,
    pages_queue,
    pages_regulations,
    pages_reports,
)
from services.router.console.auth import Guards
from services.router.console.context import Console


def build_app(console: Console) -> FastAPI:
    app = FastAPI(title="PAKN Gia Lai — cơ quan xử lý", docs_url=None, redoc_url=None)
    app.state.console = console  # its clock and settings, for tests and operators
    guards = Guards(console)
    for module in (
        pages_auth,
        pages_queue,
        pages_case,
        pages_actions,
        pages_regulations,
        pages_calendar,
        pages_admin,
        pages_reports,
        api,
    ):
        app.include_router(module.routes(console, guards))
    return harden(app)
