"""The notifier's ports on its database (SQLModel on SQLite or PostgreSQL):
services/notifier/ports.py.

`SqlUnitOfWork(session)` works in a transaction someone else opened (the consumer
pipeline's batch, whose per-event SAVEPOINT and `processed_event` row stay the pipeline's);
`SqlStorage(db)` opens its own (the mailer). Added rows reach the database when the session
flushes: at the latest at the commit or at the end of a savepoint.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.db import Database
from services.notifier.models import (
    Contact,
    Delivery,
    DigestEntry,
    PublicCase,
    PublicTransfer,
    Redaction,
)
from services.notifier.ports import Attempt, DigestState, LineText


class SqlContacts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: str) -> Contact | None:
        return await self.session.get(Contact, case_id)

    def add(self, contact: Contact) -> None:
        self.session.add(contact)


class SqlPublicCases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: str) -> PublicCase | None:
        return await self.session.get(PublicCase, case_id)

    def add(self, case: PublicCase) -> None:
        self.session.add(case)

    def save(self, case: PublicCase) -> None:
        self.session.add(case)


class SqlAdded:
    """A table the use cases only add to (transfers, the redaction log)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: PublicTransfer | Redaction) -> None:
        self.session.add(row)


class SqlDeliveries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def staged(self, event_id: str, recipient: str) -> bool:
        query = select(Delivery.id).where(
            Delivery.event_id == event_id, Delivery.recipient == recipient
        )
        return (await self.session.exec(query)).first() is not None

    def add(self, delivery: Delivery) -> None:
        self.session.add(delivery)

    async def insert(self, delivery: Delivery) -> int:
        self.session.add(delivery)
        await self.session.flush()
        assert delivery.id is not None
        return delivery.id

    def save(self, delivery: Delivery) -> None:
        self.session.add(delivery)

    async def due(self, now: datetime, *, limit: int) -> list[int]:
        query = select(Delivery.id).where(
            Delivery.status == "pending", col(Delivery.next_attempt_at) <= now
        )
        ids = (await self.session.exec(query.order_by(col(Delivery.id)).limit(limit))).all()
        return [i for i in ids if i is not None]

    async def _update(self, *conditions: Any, **values: Any) -> int:
        result = await self.session.execute(update(Delivery).where(*conditions).values(**values))
        return cast(CursorResult[Any], result).rowcount

    async def claim(self, delivery_id: int, *, token: str, at: datetime) -> Delivery | None:
        pending = col(Delivery.status) == "pending"
        values = {"status": "claimed", "claim_token": token, "claimed_at": at}
        if await self._update(col(Delivery.id) == delivery_id, pending, **values) != 1:
            return None
        return await self.session.get(Delivery, delivery_id)

    async def mark_sending(self, delivery_id: int, *, token: str) -> bool:
        mine = col(Delivery.claim_token) == token
        claimed = col(Delivery.status) == "claimed"
        return (
            await self._update(col(Delivery.id) == delivery_id, mine, claimed, status="sending")
            == 1
        )

    async def record(self, delivery_id: int, *, token: str, attempt: Attempt) -> None:
        values: dict[str, Any] = {"status": attempt.status, "last_error": attempt.error}
        values["attempts"] = attempt.attempts
        if attempt.sent_at is not None:
            values["sent_at"] = attempt.sent_at
        if attempt.retry_at is not None:
            values["next_attempt_at"], values["claim_token"] = attempt.retry_at, None
        await self._update(
            col(Delivery.id) == delivery_id, col(Delivery.claim_token) == token, **values
        )

    async def release_claims(self, *, claimed_before: datetime) -> None:
        stale = col(Delivery.claimed_at) < claimed_before
        await self._update(
            col(Delivery.status) == "claimed", stale, status="pending", claim_token=None
        )

    async def abandon_sending(self, *, claimed_before: datetime, error: str) -> None:
        stale = col(Delivery.claimed_at) < claimed_before
        await self._update(
            col(Delivery.status) == "sending", stale, status="uncertain", last_error=error
        )


class SqlDigests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def holds(self, *, recipient: str, event_id: str) -> bool:
        query = (
            select(DigestEntry.id)
            .join(Delivery, col(Delivery.id) == col(DigestEntry.digest_id))
            .where(col(DigestEntry.event_id) == event_id, col(Delivery.recipient) == recipient)
        )
        return (await self.session.exec(query.limit(1))).first() is not None

    async def share_locked(self, *, event_id: str, recipient: str) -> DigestState | None:
        query = (
            select(Delivery.id, Delivery.status)
            .where(Delivery.event_id == event_id, Delivery.recipient == recipient)
            .with_for_update(read=True)
        )
        row = (await self.session.exec(query)).first()
        return None if row is None or row[0] is None else DigestState(row[0], row[1])

    def add_line(self, line: DigestEntry) -> None:
        self.session.add(line)

    async def lines(self, digest_id: int) -> list[LineText]:
        query = (
            select(DigestEntry.recipient_name, DigestEntry.text)
            .where(DigestEntry.digest_id == digest_id)
            .order_by(col(DigestEntry.id))
        )
        return [LineText(name, text) for name, text in (await self.session.exec(query)).all()]


class SqlUnitOfWork:
    """The notifier's repositories on `session`, in the transaction its owner opened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.contacts = SqlContacts(session)
        self.cases = SqlPublicCases(session)
        self.transfers = SqlAdded(session)
        self.redactions = SqlAdded(session)
        self.deliveries = SqlDeliveries(session)
        self.digests = SqlDigests(session)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.session.begin_nested():
            yield
            await self.session.flush()  # a constraint fails here, inside the savepoint


class SqlStorage:
    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.transaction() as session:
            yield SqlUnitOfWork(session)
