"""Wake-ups on commit: a transaction that leaves work for a background loop of this process
(mail to send) wakes that loop once it has committed, and only then.

A loop listens under a name (`listen`); the code that queues the work calls
`wake_after_commit(session, name)` in the transaction. Nothing is woken when the
transaction rolls back, and a transaction that queued nothing wakes nobody: a loop woken
for nothing spends a database round trip finding nothing. The mailer listens here, and so
do the outbox relays (kit.outbox queues their wake-up whenever outbox rows are flushed, and
also tells other processes with a NOTIFY).
"""

from __future__ import annotations

import contextlib
import weakref
from collections import defaultdict
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

_PENDING = "pakn_wake_after_commit"  # Session.info key: the names to wake at the commit


class Wakeable(Protocol):
    def wake(self) -> None: ...


_LISTENING: dict[str, weakref.WeakSet[Any]] = defaultdict(weakref.WeakSet)


def listen(name: str, loop: Wakeable) -> None:
    """Wake `loop` whenever a transaction that queued work for `name` commits."""
    _LISTENING[name].add(loop)


def forget(name: str, loop: Wakeable) -> None:
    _LISTENING[name].discard(loop)


def wake(name: str) -> None:
    """Wake every loop listening under `name` in this process."""
    for loop in list(_LISTENING.get(name, ())):
        with contextlib.suppress(RuntimeError):  # a loop of an event loop that has closed
            loop.wake()


def wake_after_commit(session: AsyncSession | Session, name: str) -> None:
    """Wake the loops listening under `name` once `session`'s transaction commits."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_PENDING, set()).add(name)


@event.listens_for(Session, "after_commit")
def _wake_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the transaction has not committed yet
    for name in sorted(session.info.pop(_PENDING, ())):
        wake(name)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
