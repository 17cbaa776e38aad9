"""The notifier service: case events in; e-mails out and the public answers feed."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CASE_EVENT_ADAPTER, CaseEvent
from schemas.topics import Topics
from services.kit.consumer import Pipeline
from services.kit.db import Database
from services.kit.runtime import Subscription
from services.kit.transport import Publisher
from services.notifier.casefile import Context, Links
from services.notifier.directory import load_directory
from services.notifier.mail import check_templates, use_office
from services.notifier.mailer import Mailer
from services.notifier.projection import project
from services.notifier.settings import NotifierSettings
from services.notifier.transports import FileTransport, MailTransport, SmtpTransport
from services.router.domain.calendar import HolidayCalendar, load_calendar

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
        self.mailer = Mailer(db=self.db, transport=transport, settings=settings)
        self.directory = load_directory(settings.agencies_file)
        self.calendar: HolidayCalendar = load_calendar(settings.holidays_file)
        self.links = Links(
            public_base_url=settings.public_base_url, hotline=settings.hotline_number
        )
        self.context = Context(links=self.links, directory=self.directory)

    def subscriptions(self, *, publisher: Publisher) -> list[Subscription]:
        pipeline = Pipeline(
            service=SERVICE,
            db=self.db,
            adapter=CASE_EVENT_ADAPTER,
            handle=self._on_case_event,
            dead_letters=publisher,
            after_commit=self.mailer.wake,
            retries=self.settings.consumer_retries,
        )
        topics = Topics(self.settings.topic_namespace)
        return [Subscription(topics.case_events, topics.group("notifier"), pipeline)]

    def background(self, *, publisher: Publisher) -> list[Coroutine[Any, Any, None]]:
        return [self.mailer.run()]

    def web(self) -> FastAPI:
        from services.notifier.web import build_app

        return build_app(self)

    async def _on_case_event(self, session: AsyncSession, event: CaseEvent) -> None:
        await project(session, event=event, ctx=self.context)
