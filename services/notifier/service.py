"""The notifier service: case events in; e-mails out and the public answers feed. The
router's reference data (agencies, working days) comes in on its own topic."""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from dataclasses import replace
from typing import Any

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import (
    CASE_EVENT_ADAPTER,
    REFERENCE_EVENT_ADAPTER,
    CaseEvent,
    ReferenceEvent,
)
from schemas.topics import Topics
from services.kit.consumer import Pipeline
from services.kit.db import Database
from services.kit.retention import Retention
from services.kit.runtime import Subscription
from services.kit.transport import Publisher
from services.notifier.directory import Directory, using
from services.notifier.http_app import build_app
from services.notifier.mail import check_templates, use_office
from services.notifier.mailer import Mailer
from services.notifier.projection import project
from services.notifier.projection_shared import Context, Links
from services.notifier.reference import ReferenceStore, WorkingCalendar
from services.notifier.settings import NotifierSettings
from services.notifier.sql_store import SqlStorage, SqlUnitOfWork, prefetch
from services.notifier.transports import FileTransport, MailTransport, SmtpTransport

SERVICE = "notifier"


class NotifierService:
    name = SERVICE

    def __init__(
        self,
        settings: NotifierSettings,
        *,
        db: Database | None = None,
        transport: MailTransport | None = None,
    ) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        if transport is None:
            folder = settings.mail_dir
            transport = FileTransport(folder) if folder else SmtpTransport(settings)
        use_office(
            province=settings.province_name,
            office_name=settings.office_name,
            office_address=settings.office_address,
        )
        check_templates()  # a bad e-mail template stops the start, not a case event
        self.storage = SqlStorage(self.db)
        self.mailer = Mailer(storage=self.storage, transport=transport, settings=settings)
        self.reference = ReferenceStore(self.db)
        self.links = Links(
            public_base_url=settings.public_base_url, hotline=settings.hotline_number
        )
        self.context = Context(
            links=self.links, directory=self.directory, digest_at=settings.digest_at
        )

    @property
    def directory(self) -> Directory:
        """The router's agencies as last received (empty before the first directory)."""
        return self.reference.directory

    @property
    def calendar(self) -> WorkingCalendar:
        """The router's working days as last received (Monday to Friday before)."""
        return self.reference.calendar

    def subscriptions(self, *, publisher: Publisher) -> list[Subscription]:
        pipeline = Pipeline(
            service=SERVICE,
            db=self.db,
            adapter=CASE_EVENT_ADAPTER,
            handle=self._on_case_event,
            prepare=self._prepare_case_events,
            dead_letters=publisher,
            # No `after_commit` wake-up: a batch that queued a mail wakes the mailer itself
            # (kit.wakeups); most batches queue none.
            retries=self.settings.consumer_retries,
        )
        reference = Pipeline(
            service=SERVICE,
            db=self.db,
            adapter=REFERENCE_EVENT_ADAPTER,
            handle=self._on_reference,
            dead_letters=publisher,
            retries=self.settings.consumer_retries,
        )
        topics = Topics(self.settings.topic_namespace)
        return [
            Subscription(topics.case_events, topics.group("notifier"), pipeline),
            Subscription(topics.reference_data, topics.group("notifier-reference"), reference),
        ]

    def background(self, *, publisher: Publisher) -> list[Coroutine[Any, Any, None]]:
        retention = Retention.of(db=self.db, service=SERVICE, settings=self.settings)
        return [self.mailer.run(), retention.run()]

    def web(self) -> FastAPI:
        return build_app(self)

    async def _on_case_event(self, session: AsyncSession, event: CaseEvent) -> None:
        await self.reference.refresh(session)
        ctx = replace(self.context, directory=self.reference.directory)
        with using(ctx.directory):
            await project(SqlUnitOfWork(session), event=event, ctx=ctx)

    async def _prepare_case_events(
        self, session: AsyncSession, events: Sequence[CaseEvent]
    ) -> None:
        """A batch's cases, contacts and staged mails in three queries (`prefetch`)."""
        await prefetch(
            session,
            case_ids={e.case_id for e in events},
            event_ids={e.event_id for e in events},
        )

    async def _on_reference(self, session: AsyncSession, event: ReferenceEvent) -> None:
        await self.reference.receive(session, event)
