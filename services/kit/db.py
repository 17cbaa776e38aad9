"""Database engines and sessions (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel.ext.asyncio.session import AsyncSession

# An execution option: this connection's transaction takes SAVEPOINTs (see `Database.batch`).
SAVEPOINTS = "pakn_savepoints"


# Rows per multi-row INSERT ... RETURNING (SQLAlchemy's "insertmanyvalues", for tables whose
# ids the database numbers: the outbox, processed events, hops, mails). Each row count gives
# another statement text, and the driver keeps a prepared statement per text and connection
# (100 of them): a batch of up to 100 rows per table filled that cache with statements of up
# to 100 rows, about 17 MiB in the router at full speed. Pages of 20 bound both the number
# of texts and their size; a batch of 100 rows is then five round trips instead of one.
INSERT_PAGE_ROWS = 20


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> AsyncEngine:
    # hide_parameters: an error's text (logs, dead-letter headers, /readyz) never quotes the
    # statement's values, which hold citizens' names, numbers and words.
    if not is_sqlite(url):
        engine = create_async_engine(
            url,
            pool_size=5,
            max_overflow=5,
            hide_parameters=True,
            insertmanyvalues_page_size=INSERT_PAGE_ROWS,
        )
        event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
        event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
        return engine
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


# A pooled connection idle longer than this is pinged before use (see `_ping_if_idle`).
IDLE_PING_S = 2.0
_CHECKED_IN = "pakn_checked_in"


def _note_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _ping_if_idle(
    dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Ping a connection that sat in the pool more than IDLE_PING_S before handing it out;
    a dead one is replaced (DisconnectionError makes the pool take another).

    SQLAlchemy's `pool_pre_ping` pings on every checkout, and with asyncpg a ping is three
    round trips (BEGIN, an empty query, ROLLBACK): it doubled the statements of a busy
    service. A connection used within the last seconds needs none: if the server went
    away meanwhile, the statement fails as a mid-transaction loss would (the callers retry
    transient errors), and SQLAlchemy invalidates every connection of the pool older than
    that failure. A restart during a quiet spell, the case the ping is for, is still caught
    before anyone sees it.
    """
    if time.monotonic() - record.info.get(_CHECKED_IN, 0.0) < IDLE_PING_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise exc.DisconnectionError(f"stale pooled connection: {error}") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the public pages read while a handler writes; one writer at a time.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Take the transaction out of pysqlite's hands where SAVEPOINTs are needed.

    pysqlite emits BEGIN only before its first INSERT/UPDATE/DELETE: a SAVEPOINT issued
    before that opens the transaction itself, and its RELEASE commits everything (the
    SQLAlchemy documentation's "Serializable isolation / Savepoints / Transactional DDL").
    A connection asking for savepoints (`Database.batch`) therefore turns the driver's
    transaction handling off and begins with `BEGIN IMMEDIATE` here: it takes the write
    lock at once (waiting up to the busy timeout), so it can never fail half-way to upgrade
    a read snapshot. Every other transaction keeps the driver's default, as before.
    """
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    if connection.get_execution_options().get(SAVEPOINTS):
        if dbapi_connection.isolation_level is not None:
            dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dbapi_connection.isolation_level is None:
        dbapi_connection.isolation_level = ""  # pysqlite's default: deferred, implicit BEGIN


# The batch session the archive hook of a pipeline joins (see `Database.joined`).
_JOINED: ContextVar[tuple[Database, AsyncSession] | None] = ContextVar(
    "pakn_joined_session", default=None
)


class Database:
    """One service's database: an engine and a way to open a transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        self._batch_sessions = async_sessionmaker(
            self.engine.execution_options(**{SAVEPOINTS: True}),
            class_=AsyncSession,
            expire_on_commit=False,
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error.

        Inside `joined(session)` it is a SAVEPOINT of that session's transaction instead:
        the work commits with it.
        """
        joined = _JOINED.get()
        if joined is not None and joined[0] is self:
            session = joined[1]
            async with session.begin_nested():
                yield session
            return
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[AsyncSession]:
        """One transaction in which `session.begin_nested()` SAVEPOINTs work, on SQLite too
        (where it holds the write lock from its start: keep it short)."""
        async with self._batch_sessions() as session, session.begin():
            yield session

    @contextmanager
    def joined(self, session: AsyncSession) -> Iterator[None]:
        """Within the block (and this task), `transaction()` joins `session`'s transaction
        as a SAVEPOINT instead of opening one of its own: a pipeline's hook written for a
        transaction of its own then commits, or not, with the pipeline's batch."""
        token = _JOINED.set((self, session))
        try:
            yield
        finally:
            _JOINED.reset(token)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def remember_in_transaction(session: AsyncSession, key: str, value: Any) -> None:
    """Keep `value` under `key` for `session`'s current transaction: what a batch read once
    (reference data, rows read ahead) is recalled by the rest of the batch, and forgotten
    by the next transaction, which reads again."""
    session.info[key] = (session.sync_session.get_transaction(), value)


def recall_in_transaction(session: AsyncSession, key: str) -> Any | None:
    """What `remember_in_transaction` kept under `key` in the current transaction; None when
    nothing was, or only in an earlier transaction."""
    kept = session.info.get(key)
    transaction = session.sync_session.get_transaction()
    if kept is None or transaction is None or kept[0] is not transaction:
        return None
    return kept[1]


def seen_in_transaction(session: AsyncSession, key: str) -> bool:
    """Whether `key` was marked (`mark_in_transaction`) in `session`'s current transaction:
    a lookup of slowly changing reference data is then made once per transaction (once per
    batch of events), not once per event; the next transaction looks again."""
    return recall_in_transaction(session, key) is not None


def mark_in_transaction(session: AsyncSession, key: str) -> None:
    remember_in_transaction(session, key, True)


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """A part of `session`'s transaction that an error inside the block takes back alone; its
    rows are flushed before it ends, so that a constraint fails inside it."""
    async with session.begin_nested():
        yield
        await session.flush()
