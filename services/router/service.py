"""The router service: accepted cases in, routed cases out; agencies' commands applied;
a scheduler for reminders and escalations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.actions import AGENCY_ACTION_ADAPTER, AgencyAction
from schemas.events import CASE_EVENT_ADAPTER, CaseAccepted, CaseEvent
from schemas.topics import Topics
from services.kit.columns import utc_now
from services.kit.consumer import Pipeline
from services.kit.db import Database
from services.kit.faults import is_transient
from services.kit.loop import Poller
from services.kit.outbox import OutboxRelay
from services.kit.retention import Retention
from services.kit.runtime import Subscription
from services.kit.transport import Publisher
from services.router.calendars import CalendarStore
from services.router.console.app import build_app
from services.router.console.context import Console
from services.router.core import RouterCore, load_core
from services.router.domain.agencies import load_agencies
from services.router.domain.calendar import local_date
from services.router.handlers import ignored, on_action, on_case_event
from services.router.models import AuditEntry
from services.router.ports import SERVICE
from services.router.reference import calendar_event, directory_event, stage_if_changed
from services.router.scheduler import DeadlineScheduler
from services.router.settings import RouterSettings
from services.router.sql_store import SqlStorage, SqlUnitOfWork, prefetch_cases

log = logging.getLogger(__name__)


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
        self.calendars = CalendarStore(self.core.calendar)
        self.scheduler = DeadlineScheduler(
            storage=SqlStorage(self.db, calendars=self.calendars),
            core=self.core,
            days_before=settings.reminder_days_before,
        )

    def subscriptions(self, *, publisher: Publisher) -> list[Subscription]:
        common: dict[str, Any] = {
            "service": SERVICE,
            "db": self.db,
            "dead_letters": publisher,
            # No `after_commit` wake-up: a commit that stored outbox rows wakes the relay
            # itself (kit.outbox); most batches store none (the router's own events read
            # back), and waking it for them cost a round that found nothing.
            "retries": self.settings.consumer_retries,
        }
        cases = Pipeline(
            adapter=CASE_EVENT_ADAPTER,
            handle=self._on_case_event,
            prepare=self._prepare_case_events,
            ignores=ignored,
            **common,
        )
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
        ticks = Poller(
            self._scheduler_pass,
            idle_s=self.settings.scheduler_interval_s,
            name="router deadline scheduler",
        )
        return [
            self.relay.run(),
            ticks.run(),
            self._publish_reference_at_start(),
            self.retention().run(),
        ]

    def retention(self) -> Retention:
        """Expired outbox rows and processed-event records deleted (kit/retention.py); the
        records of the console's commands stay: the case file shows whether each applied."""
        keep = select(col(AuditEntry.event_id))
        return Retention.of(
            db=self.db, service=SERVICE, settings=self.settings, keep_processed=keep
        )

    async def _scheduler_pass(self) -> int:
        """One pass of the deadline scheduler, then rest for the interval: a pass covers
        every due case, so going again at once (the Poller's rule for a step that found
        work) would only re-read every open case while a backlog streams in."""
        await self.scheduler.run_once(self.today())
        return 0

    async def publish_reference(self) -> int:
        """Stage the agency directory and the calendar in force on the reference topic,
        each unless its last publication had the same content; returns how many."""
        topic = self.core.topics.reference_data
        registry = load_agencies(self.settings.agencies_file)
        directory = directory_event(registry=registry, structure=self.core.structure)
        async with self.db.transaction() as session:
            calendar = calendar_event(await self.calendars.current(session), today=self.today())
            staged = [
                event
                for event in (directory, calendar)
                if await stage_if_changed(session, topic=topic, event=event)
            ]
        return len(staged)

    async def _publish_reference_at_start(self) -> None:
        """`publish_reference` once, retried while the database is away."""
        delay = 0.5
        while True:
            try:
                await self.publish_reference()
                return
            except Exception as error:
                if not is_transient(error):  # a bug: say it, keep routing
                    log.exception("router: the reference data could not be published")
                    return
                log.warning("router: reference data not published yet (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    def web(self) -> FastAPI:
        """The agency console (/can-bo/) and the agencies' API (/api/v1/)."""
        app = build_app(
            Console(
                db=self.db,
                settings=self.settings,
                core=self.core,
                core_of=self.current_core,
                today=lambda: self.today(),
            )
        )
        return app

    async def current_core(self, session: AsyncSession) -> RouterCore:
        """The core with the holiday calendar in force (an administrator may have loaded one)."""
        return replace(self.core, calendar=await self.calendars.current(session))

    def _unit_of_work(self, session: AsyncSession) -> SqlUnitOfWork:
        """The router's ports on a pipeline's batch session: a use case's writes commit with
        the batch, inside the event's SAVEPOINT, beside its `processed_event` row."""
        return SqlUnitOfWork(session, calendars=self.calendars)

    async def _prepare_case_events(
        self, session: AsyncSession, events: Sequence[CaseEvent]
    ) -> None:
        """The routed cases of a batch's accepted cases in one query (`prefetch_cases`): an
        accepted case asks whether it was routed already, the rest ask nothing."""
        accepted = {e.case_id for e in events if isinstance(e, CaseAccepted)}
        if accepted:
            await prefetch_cases(session, accepted)

    async def _on_case_event(self, session: AsyncSession, event: CaseEvent) -> None:
        await on_case_event(self._unit_of_work(session), event, core=self.core)

    async def _on_action(self, session: AsyncSession, action: AgencyAction) -> None:
        await on_action(self._unit_of_work(session), action, core=self.core, today=self.today())
