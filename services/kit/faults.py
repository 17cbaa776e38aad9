"""Which failures mean "the database, the broker or the network is not there right now".

Such a failure is retried for as long as it lasts; anything else is a bug or bad data and
goes to the dead-letter topic. Classifying by exception type alone is not enough: errors
raised while *connecting* to a PostgreSQL that is shutting down or starting up arrive as a
plain `DBAPIError` without an invalidated connection, so the SQLSTATE decides.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa

# SQLSTATE classes and codes of a database that is away, overloaded or failing over
# (https://www.postgresql.org/docs/current/errcodes-appendix.html).
TRANSIENT_SQLSTATE_PREFIXES = (
    "08",  # connection exception: refused, lost, cannot establish
    "53",  # insufficient resources: too many connections, out of memory, disk full
    "57",  # operator intervention: admin/crash shutdown, cannot connect now, query cancelled
    "58",  # system error: I/O error
    "40001",  # serialization failure
    "40P01",  # deadlock detected
    "25006",  # read-only transaction: a standby during failover
    "55P03",  # lock not available
    "HV00N",  # connection lost (foreign data wrapper)
)

# SQLite's words for a database that is busy, not one that is broken.
_SQLITE_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database file",
)


def is_transient(error: BaseException) -> bool:
    """Whether `error` (or anything in its chain) is infrastructure trouble that may pass."""
    return any(_transient_itself(cause) for cause in _chain(error))


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE carried by a driver error or its SQLAlchemy wrapper, if any."""
    for cause in _chain(error):
        code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(code, str) and code:
            return code
    return None


def _transient_itself(error: BaseException) -> bool:
    if isinstance(error, OSError | TimeoutError | ConnectionError):
        return True  # refused, reset, unreachable, timed out (asyncio's TimeoutError too)
    if isinstance(error, sa.DisconnectionError | sa.TimeoutError):
        return True  # the pool could not get a live connection in time
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, KafkaConnectionError | KafkaTimeoutError):
        return True
    if isinstance(error, KafkaError) and getattr(error, "retriable", False):
        return True  # leader moved, not enough replicas, request timed out
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if isinstance(code, str) and code.startswith(TRANSIENT_SQLSTATE_PREFIXES):
        return True
    if _is_asyncpg_connection_error(error):
        return True
    if isinstance(error, sa.OperationalError):
        # PostgreSQL's operational errors carry a SQLSTATE (checked above); SQLite's carry
        # none, and only some of them pass ("no such table" does not).
        message = str(error.orig or error).lower()
        return any(words in message for words in _SQLITE_TRANSIENT)
    return False


def _is_asyncpg_connection_error(error: BaseException) -> bool:
    try:
        from asyncpg import exceptions as pg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(error, pg.PostgresConnectionError | pg.ConnectionDoesNotExistError)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver error it wraps and its explicit causes (no cycles).

    Implicit contexts are left out: an unrelated error raised while handling a connection
    failure is not itself a connection failure.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        pending.extend(
            [
                current.__cause__,
                orig if isinstance(orig, BaseException) else None,
            ]
        )
