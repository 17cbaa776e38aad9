"""What every service's in-memory storage shares (the fakes of services/*/memory_store.py,
used by the unit tests and `pakn classify`): the undo log a rollback or a savepoint
replays, the outbox's staged events, copies of rows, and the error a database raises for a
broken uniqueness rule. Nothing here ever waits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from schemas.events import Event

Undo = Callable[[], object]  # takes one write back
Row = TypeVar("Row", bound=SQLModel)


class RollsBack(Protocol):
    def rollback(self) -> None: ...


Work = TypeVar("Work", bound=RollsBack)


@dataclass(frozen=True)
class StagedEvent:
    topic: str
    key: str
    event: Event


def refused(store: str, rule: str) -> IntegrityError:
    """What the database raises for a broken uniqueness rule: the consuming pipeline reads
    it as a concurrent delivery of the same event, so a fake must raise the same."""
    return IntegrityError(f"{store}: {rule}", params=None, orig=ValueError(rule))


def copy_row(row: Row) -> Row:
    """A copy, as a row read from a database is: changing it changes nothing stored."""
    return type(row)(**row.model_dump())


def roll_back(undo: list[Undo], to: int = 0) -> None:
    """Take back the writes logged after the first `to`, the latest first."""
    while len(undo) > to:
        undo.pop()()


class MemoryOutbox:
    """The outbox port in memory: staged events in order, each staging undoable."""

    def __init__(self, outbox: list[StagedEvent], undo: list[Undo]) -> None:
        self._outbox, self._undo = outbox, undo

    def stage(self, *, topic: str, key: str, event: Event) -> None:
        self._outbox.append(StagedEvent(topic, key, event))
        self._undo.append(self._outbox.pop)


@asynccontextmanager
async def rolled_back_on_error(work: Work) -> AsyncIterator[Work]:
    """A transaction over `work`: what it wrote is taken back if the block raises."""
    try:
        yield work
    except BaseException:
        work.rollback()
        raise


@asynccontextmanager
async def savepoint(undo: list[Undo]) -> AsyncIterator[None]:
    """A part of a transaction: the writes `undo` logs inside the block are taken back, and
    only those, if it raises."""
    mark = len(undo)
    try:
        yield
    except BaseException:
        roll_back(undo, to=mark)
        raise
