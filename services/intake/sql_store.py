"""The intake's ports on its database (SQLModel on SQLite or PostgreSQL): services/intake/ports.py.

`SqlUnitOfWork(session)` works in a transaction someone else opened (the consumer
pipeline's batch); `SqlStorage(db)` opens its own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import bindparam, text
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.ports import SERVICE, LetterQuery, RawMark, RepeatQuery
from services.kit.db import (
    Database,
    is_sqlite,
    recall_in_transaction,
    remember_in_transaction,
    savepoint,
)
from services.kit.outbox import SqlOutbox

log = logging.getLogger(__name__)
# Core statements on the raw archive: a batch of the import is one round trip, not one a line.
RAW = SQLModel.metadata.tables[RawPayload.__tablename__]
_MARK = (
    sa_update(RAW)
    .where(RAW.c.id == bindparam("raw_id"))
    .values(
        status=bindparam("new_status"), case_id=bindparam("new_case"), error=bindparam("new_error")
    )
)
_INSERT_RAW = sa_insert(RAW).returning(RAW.c.source_ref, RAW.c.id)


class SqlCases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_channel_refs(self, pairs: Collection[tuple[str, str]]) -> list[IntakeCase]:
        if not pairs:
            return []
        # By channel_ref's own index (see 0002_intake), then the channel in Python.
        query = select(IntakeCase).where(col(IntakeCase.channel_ref).in_({r for _, r in pairs}))
        found = (await self.session.exec(query)).all()
        wanted = set(pairs)
        return [case for case in found if (case.channel, case.channel_ref) in wanted]

    async def letter_candidates(self, query: LetterQuery) -> list[IntakeCase]:
        statement = (
            select(IntakeCase)
            .where(
                or_(
                    col(IntakeCase.phone).in_(query.phones),
                    col(IntakeCase.email).in_(query.emails),
                    col(IntakeCase.name_folded).in_(query.names),
                )
            )
            .where(col(IntakeCase.duplicate_of).is_(None))
            .where(col(IntakeCase.received_at) >= query.since)
            .order_by(col(IntakeCase.received_at))
            .limit(query.limit)
        )
        if query.other_channel_than is not None:
            statement = statement.where(col(IntakeCase.channel) != query.other_channel_than)
        return list((await self.session.exec(statement)).all())

    async def repeat_candidates(self, query: RepeatQuery) -> list[IntakeCase]:
        statement = (
            select(IntakeCase)
            .where(
                or_(
                    col(IntakeCase.phone).in_(query.phones), col(IntakeCase.email).in_(query.emails)
                )
            )
            .where(col(IntakeCase.channel).in_(query.channels))
            .where(col(IntakeCase.received_at) >= query.since)
            .where(col(IntakeCase.received_at) <= query.until)
            .order_by(col(IntakeCase.received_at))
            .limit(query.limit)
        )
        return list((await self.session.exec(statement)).all())

    async def taken_codes(self, codes: Collection[str]) -> set[str]:
        query = select(IntakeCase.tracking_code).where(col(IntakeCase.tracking_code).in_(codes))
        return set((await self.session.exec(query)).all())

    async def by_code(self, code: str) -> IntakeCase | None:
        query = select(IntakeCase).where(IntakeCase.tracking_code == code)
        return (await self.session.exec(query)).first()

    async def add(self, cases: Sequence[IntakeCase], *, defer: bool = False) -> None:
        self.session.add_all(cases)
        if not defer:
            await self.session.flush()


_ARCHIVED = "pakn_intake_archived"


def remember_archived(session: AsyncSession, raws: dict[str, RawPayload]) -> None:
    """The raw payloads the pipeline's archive step keeps in `session`'s transaction, by
    event id: `SqlRawArchive.by_event_id` answers from them until the transaction ends."""
    remember_in_transaction(session, _ARCHIVED, raws)


class SqlRawArchive:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, source: str, ref: str) -> RawPayload | None:
        query = select(RawPayload).where(RawPayload.source == source, RawPayload.source_ref == ref)
        return (await self.session.exec(query)).first()

    async def by_event_id(self, event_id: str) -> RawPayload | None:
        archived = recall_in_transaction(self.session, _ARCHIVED) or {}
        if event_id in archived:
            return archived[event_id]
        query = select(RawPayload).where(RawPayload.event_id == event_id)
        return (await self.session.exec(query)).first()

    def add(self, raw: RawPayload) -> None:
        self.session.add(raw)

    def save(self, raw: RawPayload) -> None:
        self.session.add(raw)

    async def remove_unregistered(self, raw_id: int) -> None:
        row = await self.session.get(RawPayload, raw_id)
        if row is not None and row.status != "registered":
            await self.session.delete(row)

    async def states(self, source: str, refs: Collection[str]) -> dict[str, tuple[int, str]]:
        query = select(
            col(RawPayload.source_ref),
            col(RawPayload.id),
            col(RawPayload.status),
            col(RawPayload.source),
        ).where(col(RawPayload.source_ref).in_(refs))  # by its own index: see 0002_intake
        found = await self.session.exec(query)
        return {ref: (raw_id or 0, status) for ref, raw_id, status, by in found if by == source}

    async def add_many(self, raws: Sequence[RawPayload]) -> dict[str, int]:
        if not raws:
            return {}
        rows = [
            {
                "source": raw.source,
                "source_ref": raw.source_ref,
                "received_at": raw.received_at,
                "body": raw.body,
                "status": raw.status,
                "error": raw.error,
                "event_id": raw.event_id,
                "case_id": raw.case_id,
            }
            for raw in raws
        ]
        connection = await self.session.connection()
        return dict((await connection.execute(_INSERT_RAW, rows)).tuples().all())

    async def mark(self, marks: Sequence[RawMark]) -> None:
        if not marks:
            return
        rows = [
            {
                "raw_id": m.raw_id,
                "new_status": m.status,
                "new_case": m.case_id,
                "new_error": m.error,
            }
            for m in marks
        ]
        await (await self.session.connection()).execute(_MARK, rows)


class SqlAttachments:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, attachment: IntakeAttachment) -> None:
        self.session.add(attachment)


class SqlUnitOfWork:
    """The intake's repositories on `session`, in the transaction its owner opened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cases = SqlCases(session)
        self.raws = SqlRawArchive(session)
        self.attachments = SqlAttachments(session)
        self.outbox = SqlOutbox(session, service=SERVICE)

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return savepoint(self.session)


class SqlStorage:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._analyze = not is_sqlite(db.url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.transaction() as session:
            yield SqlUnitOfWork(session)

    async def refresh_statistics(self) -> None:
        """A bulk load outruns PostgreSQL's autovacuum: on stale statistics the planner takes
        the growing tables for empty and scans them whole for every batch (quadratic)."""
        if not self._analyze:
            return
        try:
            async with self.db.transaction() as session:
                connection = await session.connection()
                for table in (RawPayload.__tablename__, IntakeCase.__tablename__):
                    await connection.execute(text(f"ANALYZE {table}"))
        except DBAPIError as error:  # not the tables' owner: slower, still correct
            log.warning("pakn import: cannot refresh statistics (%s)", error.orig)
            self._analyze = False
