"""The intake service: the intake topic, its own channels (HTTP forms and APIs, the PAKN
mailbox) in; accepted/refused case events out. The router's case events come back in, for
the receipt's agency and deadlines (services/intake/routing_news.py)."""

from __future__ import annotations

import json
from collections.abc import Coroutine, Sequence
from typing import Any

from fastapi import FastAPI
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import (
    CASE_EVENT_ADAPTER,
    SUBMISSION_ADAPTER,
    SubmissionReceived,
    derived_event_id,
)
from schemas.topics import Topics
from services.intake.attachments import AttachmentStore
from services.intake.channels.email_listener import Mailbox, serve_mailbox
from services.intake.models import RawPayload
from services.intake.receiving import Receiver, read_delivered, register_delivered
from services.intake.register import SERVICE, ReceivedBounds
from services.intake.routing_news import CONSUMER, ignored, record
from services.intake.routing_news import prepare as prepare_routing
from services.intake.settings import IntakeSettings
from services.intake.sql_store import SqlStorage, SqlUnitOfWork, remember_archived
from services.intake.web import build_app
from services.kit.consumer import Pipeline
from services.kit.db import Database, recall_in_transaction, remember_in_transaction
from services.kit.outbox import OutboxRelay
from services.kit.retention import Retention
from services.kit.runtime import Subscription
from services.kit.transport import Message, Publisher

_REGISTER_READ = "pakn_intake_register_read"  # what `_prepare` read for its batch


class IntakeService:
    name = SERVICE

    def __init__(self, settings: IntakeSettings, *, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        self.topics = Topics(settings.topic_namespace)
        self.relay: OutboxRelay | None = None
        self.receiver = Receiver(
            storage=SqlStorage(self.db),
            db=self.db,
            topics=self.topics,
            store=AttachmentStore(settings.attachment_folder),
        )

    def subscriptions(self, *, publisher: Publisher) -> list[Subscription]:
        pipeline = Pipeline(
            service=SERVICE,
            db=self.db,
            adapter=SUBMISSION_ADAPTER,
            handle=self._handle,
            prepare=self._prepare,
            dead_letters=publisher,
            # A commit that stored outbox rows wakes the relay itself (kit.outbox).
            retries=self.settings.consumer_retries,
            on_park=self._mark_failed,
            # Inside the pipeline's retry scope: an archive that fails because the database
            # is away must hold the offset back like any other outage (issue 16).
            archive=self._archive,
        )
        # Its own consumer name: de-duplicated apart from the submissions' producer-chosen ids.
        routing = Pipeline(
            service=CONSUMER,
            db=self.db,
            adapter=CASE_EVENT_ADAPTER,
            handle=record,
            prepare=prepare_routing,
            ignores=ignored,
            dead_letters=publisher,
            retries=self.settings.consumer_retries,
        )
        return [
            Subscription(self.topics.intake, self.topics.group("intake"), pipeline),
            Subscription(self.topics.case_events, self.topics.group(CONSUMER), routing),
        ]

    def background(self, *, publisher: Publisher) -> list[Coroutine[Any, Any, None]]:
        self.relay = OutboxRelay(
            db=self.db,
            service=SERVICE,
            publisher=publisher,
            interval_s=self.settings.relay_interval_s,
        )
        retention = Retention.of(db=self.db, service=SERVICE, settings=self.settings)
        loops = [self.relay.run(), retention.run()]
        if self.settings.mailbox_port is not None:
            mailbox = Mailbox(receiver=self.receiver, settings=self.settings)
            loops.append(
                serve_mailbox(
                    mailbox, host=self.settings.mailbox_host, port=self.settings.mailbox_port
                )
            )
        return loops

    def web(self) -> FastAPI:
        return build_app(receiver=self.receiver, settings=self.settings)

    async def _prepare(self, session: AsyncSession, events: Sequence[SubmissionReceived]) -> None:
        """The batch's register read ahead: four queries for the batch instead of four per
        event, and its rows written together at the commit (docs/decisions/0009-batches.md)."""
        bounds = ReceivedBounds.of(self.settings)
        read = await read_delivered(SqlUnitOfWork(session), events=events, bounds=bounds)
        remember_in_transaction(session, _REGISTER_READ, read)

    async def _handle(self, session: AsyncSession, event: SubmissionReceived) -> None:
        await register_delivered(
            SqlUnitOfWork(session),  # in the pipeline's transaction (its batch)
            event=event,
            topics=self.topics,
            bounds=ReceivedBounds.of(self.settings),
            read=recall_in_transaction(session, _REGISTER_READ),
        )

    async def _archive(self, messages: Sequence[Message]) -> None:
        """Keep the batch's raw bytes before anything reads them (idempotent per topic
        offset): one query finds those kept by an earlier attempt, and the handler then
        finds each by its event id without another (`remember_archived`)."""
        async with self.db.transaction() as session:
            kept: dict[str, RawPayload] = {}
            for topic in dict.fromkeys(m.topic for m in messages):
                batch = [m for m in messages if m.topic == topic]
                query = select(RawPayload).where(
                    RawPayload.source == topic,
                    col(RawPayload.source_ref).in_({_source_ref(m) for m in batch}),
                )
                found = {raw.source_ref: raw for raw in (await session.exec(query)).all()}
                for message in batch:
                    ref = _source_ref(message)
                    if ref not in found:
                        found[ref] = RawPayload(
                            source=topic,
                            source_ref=ref,
                            body=message.value,
                            event_id=_peek_event_id(message.value),
                        )
                        session.add(found[ref])
                    if found[ref].event_id:
                        kept.setdefault(str(found[ref].event_id), found[ref])
            remember_archived(session, kept)

    async def _mark_failed(self, message: Message, error: BaseException) -> None:
        async with self.db.transaction() as session:
            query = select(RawPayload).where(
                RawPayload.source == message.topic, RawPayload.source_ref == _source_ref(message)
            )
            raw = (await session.exec(query)).first()
            if raw is not None:
                raw.status, raw.error = "failed", f"{type(error).__name__}: {error}"
                session.add(raw)


def _source_ref(message: Message) -> str:
    if message.offset is None:
        return message.headers.get("event_id", "unknown")
    return f"{message.partition}:{message.offset}"


def _peek_event_id(body: bytes) -> str | None:
    """The event id, if the payload is JSON enough to have one (it may be garbage)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    event_id = value.get("event_id")
    # Without one (an old producer), the id the decoder derives: the archive row is found.
    return str(event_id)[:64] if event_id else derived_event_id(value)
