"""What the router's case use cases ask of storage: repositories and a unit of work, as
Protocols.

Two adapters implement them: `sql_store` (the service's database, SQLite or PostgreSQL) and
`memory_store` (in memory: the unit tests, `pakn classify`'s dry run). tests/unit/router/
store_contract.py holds both to the same behaviour.

The use cases change the rows they read and hand them back (`save`): a row read from a
repository is the caller's copy until then. A write that breaks a uniqueness rule (a case
routed twice, a refusal kept twice, a notice sent twice for one due date) raises
`sqlalchemy.exc.IntegrityError` by the end of the transaction at the latest, the error the
consuming pipeline and the scheduler recognise as a concurrent writer.

The consuming pipeline (services/kit/consumer.py) keeps its guarantees: the SQL unit of
work is built on the pipeline's batch session, so a use case's writes commit with the
batch, inside the event's SAVEPOINT, beside the event's `processed_event` row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Protocol

from services.kit.outbox import Outbox
from services.router.domain.calendar import HolidayCalendar
from services.router.domain.deadlines import Pause
from services.router.models import ClockPause, DeadlineNotice, RefusedItem, RoutedCase, RoutingHop

SERVICE = "router"  # its name on the outbox and in the consumer pipeline
NoticeKey = tuple[str, str, str, date]  # case_id, kind, stage, due: one notice each


class Cases(Protocol):
    """The router's copy of each case: where it is and its deadlines."""

    async def get(self, case_id: str) -> RoutedCase | None: ...

    async def lock(self, case_id: str) -> RoutedCase | None:
        """The case, locked until the transaction ends (PostgreSQL): one writer at a time."""
        ...

    def add(self, case: RoutedCase) -> None:
        """A newly routed case (its id taken already raises)."""
        ...

    def save(self, case: RoutedCase) -> None:
        """Keep the changes made to `case`."""
        ...

    async def open_on_other_calendar(
        self, version: str, *, statuses: Collection[str]
    ) -> list[RoutedCase]:
        """The cases in one of `statuses` whose deadlines were computed under another
        calendar version than `version`, locked."""
        ...

    async def due_by(
        self, horizon: date, *, statuses: Collection[str], after: str = "", limit: int | None = None
    ) -> list[RoutedCase]:
        """The cases in one of `statuses` with a deadline (classify, forward or answer) on
        or before `horizon`, in case id order: those after `after`, `limit` at most (a page;
        the next starts after the last case id of this one)."""
        ...


class Hops(Protocol):
    """Every step of every case's path between agencies."""

    def add(self, hop: RoutingHop) -> None: ...

    async def agencies(self, case_id: str) -> set[str]:
        """Every agency code (the triage queue's included) that the case's hops name."""
        ...


class Pauses(Protocol):
    """The clock stops while an agency waits for the submitter."""

    def add(self, pause: ClockPause) -> None: ...

    def save(self, pause: ClockPause) -> None: ...

    async def open_of(self, case_id: str) -> ClockPause | None:
        """The latest pause of the case not resumed yet."""
        ...

    async def closed_of(self, case_ids: Collection[str]) -> dict[str, list[Pause]]:
        """The resumed pauses of each of `case_ids` that has any."""
        ...


class Refusals(Protocol):
    """The items the intake refused, one per case, kept for the reports."""

    async def get(self, case_id: str) -> RefusedItem | None: ...

    def add(self, item: RefusedItem) -> None: ...


class Notices(Protocol):
    """The reminders and escalations already staged: at most one per `NoticeKey`."""

    async def sent(self, case_ids: Sequence[str]) -> set[NoticeKey]:
        """The keys of the notices sent for any of `case_ids`."""
        ...

    def add(self, notice: DeadlineNotice) -> None: ...


class UnitOfWork(Protocol):
    """One transaction on the router's storage: all of its work is kept, or none."""

    @property
    def cases(self) -> Cases: ...

    @property
    def hops(self) -> Hops: ...

    @property
    def pauses(self) -> Pauses: ...

    @property
    def refusals(self) -> Refusals: ...

    @property
    def notices(self) -> Notices: ...

    @property
    def outbox(self) -> Outbox: ...

    async def calendar(self) -> HolidayCalendar:
        """The holiday calendar in force (the packaged one and the years an administrator
        loaded), as this transaction sees it."""
        ...


class Storage(Protocol):
    """Where the router keeps its cases: it opens units of work."""

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work that commits when the block ends and rolls back if it raises."""
        ...
