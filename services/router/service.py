"""The router service: accepted cases in, routed cases out; agencies' actions applied."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.actions import AGENCY_ACTION_ADAPTER, AgencyAction, SubmitAnswer
from schemas.events import CASE_EVENT_ADAPTER, CaseAccepted, CaseEvent
from schemas.topics import Topics
from services.kit.columns import utc_now
from services.kit.consumer import PermanentError, Pipeline
from services.kit.db import Database
from services.kit.outbox import OutboxRelay
from services.kit.runtime import Subscription
from services.kit.transport import Publisher
from services.router.core import load_core
from services.router.domain.calendar import local_date
from services.router.settings import RouterSettings
from services.router.usecases import SERVICE, apply_answer, route_accepted


class RouterService:
    name = SERVICE

    def __init__(
        self,
        settings: RouterSettings,
        *,
        db: Database | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        self.core = load_core(
            rules_file=settings.rules_file,
            agencies_file=settings.agencies_file,
            holidays_file=settings.holidays_file,
            topics=Topics(settings.topic_namespace),
        )
        self.today = today or (lambda: local_date(utc_now()))
        self.relay: OutboxRelay | None = None

    def subscriptions(self, *, publisher: Publisher) -> list[Subscription]:
        common: dict[str, Any] = {
            "service": SERVICE,
            "db": self.db,
            "dead_letters": publisher,
            "after_commit": self._wake_relay,
            "retries": self.settings.consumer_retries,
        }
        cases = Pipeline(adapter=CASE_EVENT_ADAPTER, handle=self._on_case_event, **common)
        actions = Pipeline(adapter=AGENCY_ACTION_ADAPTER, handle=self._on_action, **common)
        t = self.core.topics
        return [
            Subscription(t.case_events, t.group("router"), cases),
            Subscription(t.agency_actions, t.group("router-actions"), actions),
        ]

    def background(self, *, publisher: Publisher) -> list[Coroutine[Any, Any, None]]:
        self.relay = OutboxRelay(
            db=self.db,
            service=SERVICE,
            publisher=publisher,
            interval_s=self.settings.relay_interval_s,
        )
        return [self.relay.run()]

    def web(self) -> FastAPI:
        app = FastAPI(title="PAKN router", docs_url=None, redoc_url=None)

        @app.get("/healthz")
        async def healthz() -> dict[str, str]:
            return {"status": "ok", "rules_version": self.core.rules.version}

        return app

    def _wake_relay(self) -> None:
        if self.relay:
            self.relay.wake()

    async def _on_case_event(self, session: AsyncSession, event: CaseEvent) -> None:
        if isinstance(event, CaseAccepted):
            await route_accepted(session, event=event, core=self.core)

    async def _on_action(self, session: AsyncSession, action: AgencyAction) -> None:
        if isinstance(action, SubmitAnswer):
            await apply_answer(session, action=action, core=self.core, today=self.today())
            return
        raise PermanentError(f"{action.event_type} is not handled yet")
