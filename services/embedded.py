"""The embedded default: the three services in one process, SQLite files, an in-process bus,
e-mails as `.eml` files. The same handlers and events as production; only transports differ."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, func, select

from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit import heap, staffpass
from services.kit.health import add_probes
from services.kit.migrate import upgrade
from services.kit.pages import templates
from services.kit.settings import data_dir_url
from services.kit.transport import InMemoryBus
from services.kit.web import harden
from services.notifier import citizen_view, public
from services.notifier.models import PublicCase
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from services.router.console.demo import seed_demo_accounts
from services.router.service import RouterService
from services.router.settings import RouterSettings
from services.runners import serve_until_stopped, wire_in_memory

_TEMPLATES = templates(Path(__file__).parent / "embedded_templates")


class Embedded:
    def __init__(self, data_dir: Path, *, base_url: str) -> None:
        self.data_dir, self.mail_dir = data_dir, data_dir / "mail"
        url = {name: data_dir_url(data_dir, name) for name in ("intake", "router", "notifier")}
        staff = secrets.token_urlsafe(32)  # one process: the staff pass needs no configuration
        self.staff_secret = staff
        self.intake = IntakeService(
            IntakeSettings(database_url=url["intake"], staff_secret=staff, public_base_url=base_url)
        )
        # Plain HTTP on this machine: the console's session cookie cannot be Secure here.
        self.router = RouterService(
            RouterSettings(
                database_url=url["router"], console_cookie_secure=False, staff_secret=staff
            )
        )
        self.notifier = NotifierService(
            NotifierSettings(
                database_url=url["notifier"],
                mail_dir=self.mail_dir,
                public_base_url=base_url,
                staff_secret=staff,
            )
        )
        self.bus = InMemoryBus()

    @property
    def services(self) -> list[Any]:
        return [self.intake, self.router, self.notifier]

    async def migrate(self) -> None:
        await asyncio.to_thread(self.make_private)
        for service in self.services:
            await asyncio.to_thread(upgrade, service.db.url)

    def make_private(self) -> None:
        """The data folder readable by its owner only (0700), the databases too (0600): they
        hold citizens' personal data and the officers' password hashes. An empty file is a
        new SQLite database, so each is created with its mode before SQLite opens it (its
        journal and WAL files take the database file's mode)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        for name in ("intake", "router", "notifier"):
            path = self.data_dir / f"{name}.db"
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(path, 0o600)
            for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if extra.exists():
                    os.chmod(extra, 0o600)

    def web(self) -> FastAPI:
        app = FastAPI(title="PAKN Gia Lai (embedded)", docs_url=None, redoc_url=None)
        add_probes(app, service="embedded")
        for service in self.services:
            app.include_router(service.web().router)
        self._add_home(app)
        return harden(app)

    def _add_home(self, app: FastAPI) -> None:
        """The citizens' front door at `/`; the system's own dashboard (topics, recent
        cases with their raw statuses, the data folders) for the office at
        `/noi-bo/he-thong`, behind the console's staff pass."""
        notifier = self.notifier

        @app.get("/", response_class=HTMLResponse)
        async def home(request: Request) -> Response:
            async with notifier.db.session() as session:
                answered = col(PublicCase.status) == "answered"
                latest = (
                    select(PublicCase)
                    .where(answered)
                    .order_by(
                        col(PublicCase.answered_on).desc(), col(PublicCase.received_at).desc()
                    )
                    .limit(5)
                )
                cases = (await session.exec(latest)).all()
                count = select(func.count()).select_from(PublicCase).where(answered)
                total = (await session.exec(count)).one()
            settings = notifier.settings
            context = {
                "answers": cases,
                "answered": total,
                "citizen": citizen_view,
                "hotline": settings.hotline_number,
                "hotline_hours": settings.hotline_hours,
                "pakn_email": settings.pakn_email,
                "office_name": settings.office_name,
                "office_address": settings.office_address,
                "province": settings.province_name,
            }
            return _TEMPLATES.TemplateResponse(request, "home.html", context)

        office = APIRouter(route_class=staffpass.StaffRoute)

        @office.get(
            "/noi-bo/he-thong",
            response_class=HTMLResponse,
            include_in_schema=False,
            dependencies=[Depends(staffpass.office_only(self.staff_secret))],
        )
        async def dashboard(request: Request) -> Response:
            async with notifier.db.session() as session:
                query = select(PublicCase).order_by(col(PublicCase.received_at).desc()).limit(20)
                cases = (await session.exec(query)).all()
            context = {
                "topics": sorted((t, len(m)) for t, m in self.bus.topics.items()),
                "cases": cases,
                "view": public,
                "data_dir": self.data_dir,
                "mail_dir": self.mail_dir,
                "hotline": notifier.settings.hotline_number,
            }
            return _TEMPLATES.TemplateResponse(request, "dashboard.html", context)

        app.include_router(office)


async def run_embedded(data_dir: Path, *, host: str, port: int) -> None:
    os.umask(0o077)  # this process writes personal data only: the e-mails, attachments, logins
    system = Embedded(data_dir, base_url=f"http://{host}:{port}")
    await system.migrate()
    loops = [*wire_in_memory(system.bus, system.services), _trial_logins(system)]
    print(f"PAKN Gia Lai (embedded) is running: http://{host}:{port}/", flush=True)
    print(f"  data: {data_dir}  e-mails: {system.mail_dir}", flush=True)
    app = system.web()
    heap.settle()  # what start-up built lives as long as the process
    await serve_until_stopped(app, host=host, port=port, loops=loops)
    await system.bus.close()


async def _trial_logins(system: Embedded) -> None:
    """Heads of the agencies in force today and the supervisor, created while the pages
    already answer (scrypt makes ~150 accounts take a while); their lines follow."""
    router = system.router
    today = router.core.agencies_on(router.today())
    logins = system.data_dir / "tai-khoan-thu.tsv"
    try:
        lines = await seed_demo_accounts(
            router.db, today, logins, say=lambda line: print(line, flush=True)
        )
    except Exception as error:  # the system works without them: say so, keep serving
        print(f"  tài khoản thử: không tạo được ({error})", flush=True)
        return
    for line in lines:
        print(line, flush=True)
