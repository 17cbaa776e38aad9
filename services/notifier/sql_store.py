"""The notifier's ports on its database (SQLModel on SQLite or PostgreSQL):
services/notifier/ports.py.

`SqlUnitOfWork(session)` works in a transaction someone else opened (the consumer
pipeline's batch, whose per-event SAVEPOINT and `processed_event` row stay the pipeline's);
`SqlStorage(db)` opens its own (the mailer). Added rows reach the database when the session
flushes: at the latest at the commit or at the end of a savepoint.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.db import Database, recall_in_transaction, remember_in_transaction, savepoint
from services.kit.wakeups import wake_after_commit
from services.notifier.models import (
    Contact,
    Delivery,
    DigestEntry,
    PublicCase,
    PublicTransfer,
    Redaction,
)
from services.notifier.ports import Attempt, DigestState, LineText

PREFETCHED = "pakn.notifier.prefetched"  # what `prefetch` read for its transaction's batch
# kit.wakeups' name for the mailer: a transaction that queues or changes a delivery wakes it.
MAIL = "notifier mail"


@dataclass
class Prefetched:
    """What the events of a consumer batch will ask, answered by `prefetch` in three queries:
    the cases and contacts it found are in the session's identity map (a `get` of them sends
    nothing), those it did not find are known to be absent until the batch adds them, and
    the mails already staged for the batch's events are known."""

    absent: dict[type[PublicCase] | type[Contact], set[str]]  # case ids, per table
    event_ids: frozenset[str]
    staged: set[tuple[str, str]]
    # The rows read: the identity map holds its objects weakly, so these keep them there.
    rows: list[PublicCase | Contact]


async def prefetch(
    session: AsyncSession, *, case_ids: Collection[str], event_ids: Collection[str]
) -> None:
    """Read, for a batch, the public cases and contacts of `case_ids` and the deliveries
    staged for `event_ids`, so that the projection's lookups need no query of their own."""
    ids = set(case_ids)
    cases = (await session.exec(select(PublicCase).where(col(PublicCase.case_id).in_(ids)))).all()
    contacts = (await session.exec(select(Contact).where(col(Contact.case_id).in_(ids)))).all()
    staged = select(Delivery.event_id, Delivery.recipient).where(
        col(Delivery.event_id).in_(set(event_ids))
    )
    prefetched = Prefetched(
        absent={
            PublicCase: ids - {c.case_id for c in cases},
            Contact: ids - {c.case_id for c in contacts},
        },
        event_ids=frozenset(event_ids),
        staged={(e, r) for e, r in (await session.exec(staged)).all()},
        rows=[*cases, *contacts],
    )
    remember_in_transaction(session, PREFETCHED, prefetched)


def _prefetched(session: AsyncSession) -> Prefetched | None:
    found = recall_in_transaction(session, PREFETCHED)
    return found if isinstance(found, Prefetched) else None


R = TypeVar("R", PublicCase, Contact)


async def _get_by_case(session: AsyncSession, model: type[R], case_id: str) -> R | None:
    """`session.get`, or None at once for a case the batch's prefetch found absent."""
    known = _prefetched(session)
    if known is not None and case_id in known.absent[model]:
        return None
    return await session.get(model, case_id)


def _add_by_case(session: AsyncSession, row: PublicCase | Contact) -> None:
    """Add `row`; a prefetch no longer takes its case for absent."""
    if (known := _prefetched(session)) is not None:
        known.absent[type(row)].discard(row.case_id)
    session.add(row)


class SqlContacts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: str) -> Contact | None:
        return await _get_by_case(self.session, Contact, case_id)

    def add(self, contact: Contact) -> None:
        _add_by_case(self.session, contact)


class SqlPublicCases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: str) -> PublicCase | None:
        return await _get_by_case(self.session, PublicCase, case_id)

    def add(self, case: PublicCase) -> None:
        _add_by_case(self.session, case)

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
        known = _prefetched(self.session)
        if known is not None and event_id in known.event_ids:
            return (event_id, recipient) in known.staged
        query = select(Delivery.id).where(
            Delivery.event_id == event_id, Delivery.recipient == recipient
        )
        return (await self.session.exec(query)).first() is not None

    def add(self, delivery: Delivery) -> None:
        self._note(delivery)
        self.session.add(delivery)

    def _note(self, delivery: Delivery) -> None:
        wake_after_commit(self.session, MAIL)
        if (known := _prefetched(self.session)) is not None:
            known.staged.add((delivery.event_id, delivery.recipient))

    async def insert(self, delivery: Delivery) -> int:
        self._note(delivery)
        self.session.add(delivery)
        await self.session.flush()
        assert delivery.id is not None
        return delivery.id

    def save(self, delivery: Delivery) -> None:
        wake_after_commit(self.session, MAIL)
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
        claimed = await self.claim_many([delivery_id], token=token, at=at)
        return claimed[0] if claimed else None

    async def claim_many(
        self, delivery_ids: Sequence[int], *, token: str, at: datetime
    ) -> list[Delivery]:
        ids = col(Delivery.id).in_(list(delivery_ids))
        pending = col(Delivery.status) == "pending"
        claim = (
            update(Delivery)
            .where(ids, pending)
            .values(status="claimed", claim_token=token, claimed_at=at)
            .returning(Delivery)  # the rows this claim took, in the same statement
        )
        claimed = (await self.session.execute(claim)).scalars().all()
        return sorted(claimed, key=lambda delivery: delivery.id or 0)

    async def release(self, delivery_ids: Sequence[int], *, token: str) -> None:
        await self._update(
            col(Delivery.id).in_(list(delivery_ids)),
            col(Delivery.claim_token) == token,
            col(Delivery.status) == "claimed",
            status="pending",
            claim_token=None,
        )

    async def mark_sending(
        self, delivery_id: int, *, token: str, at: datetime | None = None
    ) -> bool:
        mine = col(Delivery.claim_token) == token
        claimed = col(Delivery.status) == "claimed"
        values: dict[str, Any] = {"status": "sending"}
        if at is not None:
            values["claimed_at"] = at
        return await self._update(col(Delivery.id) == delivery_id, mine, claimed, **values) == 1

    async def record(self, delivery_id: int, *, token: str, attempt: Attempt) -> None:
        await self._update(
            col(Delivery.id) == delivery_id, col(Delivery.claim_token) == token, **attempt.columns()
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

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return savepoint(self.session)


class SqlStorage:
    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.transaction() as session:
            yield SqlUnitOfWork(session)
