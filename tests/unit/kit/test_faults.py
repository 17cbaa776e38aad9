"""Which failures are waited out and which are dead-lettered."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    NotLeaderForPartitionError,
    TopicAuthorizationFailedError,
)
from sqlalchemy import exc as sa
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

from services.kit.consumer import PermanentError
from services.kit.faults import is_transient, sqlstate

DBAPI = PGDialect_asyncpg.import_dbapi()


def _as_sqlalchemy_raises(driver_error: Exception) -> sa.DBAPIError:
    """What SQLAlchemy raises for a driver error: the adapted DB-API error, wrapped."""
    translated = DBAPI._asyncpg_error_translate
    kind = next(translated[c] for c in type(driver_error).__mro__ if c in translated)
    adapted = kind(str(driver_error), driver_error)
    return sa.DBAPIError.instance("SELECT 1", {}, adapted, DBAPI.Error)


@pytest.mark.parametrize(
    "driver_error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError(
            "terminating connection due to administrator command"
        ),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.ReadOnlySQLTransactionError(
            "cannot execute INSERT in a read-only transaction"
        ),
        asyncpg.exceptions.ConnectionDoesNotExistError(
            "connection was closed in the middle of operation"
        ),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_database_away_or_busy_is_transient(driver_error: Exception) -> None:
    wrapped = _as_sqlalchemy_raises(driver_error)
    assert not wrapped.connection_invalidated  # why the type alone was not enough
    assert is_transient(wrapped)


@pytest.mark.parametrize(
    "driver_error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.UndefinedTableError('relation "x" does not exist'),
        asyncpg.exceptions.StringDataRightTruncationError("value too long"),
        asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_bad_data_and_bugs_are_permanent(driver_error: Exception) -> None:
    assert not is_transient(_as_sqlalchemy_raises(driver_error))


def test_the_sqlstate_is_read_through_the_wrapper() -> None:
    wrapped = _as_sqlalchemy_raises(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert sqlstate(wrapped) == "57P03"


async def test_a_refused_connection_as_sqlalchemy_raises_it_is_transient() -> None:
    engine = create_async_engine("postgresql+asyncpg://u:p@127.0.0.1:1/none")
    try:
        with pytest.raises(Exception) as caught:
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
    assert is_transient(caught.value)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), True),
        (KafkaConnectionError("no broker"), True),
        (NotLeaderForPartitionError(), True),
        (TopicAuthorizationFailedError(), False),
        (sa.OperationalError("x", {}, Exception("database is locked")), True),
        (sa.OperationalError("x", {}, Exception("no such table: intake_case")), False),
        (sa.TimeoutError("QueuePool limit reached"), True),
        (PermanentError("no such case"), False),
        (ValueError("bad"), False),
    ],
    ids=repr,
)
def test_other_failures(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def test_a_cause_counts_but_an_unrelated_context_does_not() -> None:
    try:
        try:
            raise ConnectionResetError("reset")
        except ConnectionResetError as reset:
            raise RuntimeError("while writing") from reset
    except RuntimeError as caused:
        assert is_transient(caused)
    try:
        try:
            raise ConnectionResetError("reset")
        except ConnectionResetError:
            raise KeyError("a bug in the except block") from None
    except KeyError as unrelated:
        assert not is_transient(unrelated)
