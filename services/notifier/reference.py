"""The router's reference data in the notifier (issue 11): the agency directory and the
working-day calendar, received as events, kept in `notifier_reference_data` (the latest of
each kind), read back from there only.

`ReferenceStore.receive` stores an event unless the stored one is the same version or
newer. `ReferenceStore.refresh` rebuilds the in-memory `Directory` and `WorkingCalendar`
when a stored version changed (another replica may have received it): one small query.
Before anything arrived, the directory is empty and the calendar counts Monday to Friday
(docs/decisions/0008-reference-data-in-events.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CalendarPublished, ReferenceEvent
from services.kit.db import Database, mark_in_transaction, seen_in_transaction
from services.notifier.directory import EMPTY, Directory
from services.notifier.models import ReferenceData

_ONE_DAY = timedelta(days=1)
_LOOKED = "pakn_reference_looked"  # Session.info key: this transaction has looked already
_SATURDAY = 5


class WorkingCalendar:
    """Working days as the router's calendar says: Monday to Friday but the days off, plus
    the Saturdays worked; outside the years published (or before any), Monday to Friday."""

    def __init__(self, published: CalendarPublished | None = None) -> None:
        years = published.years if published else ()
        self.version = published.calendar_version if published else ""
        self.years = tuple(y.year for y in years)
        self._off = frozenset(d for y in years for d in y.days_off)
        self._worked = frozenset(d for y in years for d in y.working_saturdays)

    @classmethod
    def from_json(cls, payload: str) -> WorkingCalendar:
        return cls(CalendarPublished.model_validate_json(payload))

    def is_working_day(self, d: date) -> bool:
        if d in self._worked:
            return True
        return d.weekday() < _SATURDAY and d not in self._off

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative if b < a (as the router counts them)."""
        if b < a:
            return -self.working_days_between(b, a)
        count, d = 0, a + _ONE_DAY
        while d <= b:
            count += self.is_working_day(d)
            d += _ONE_DAY
        return count


class ReferenceStore:
    """The reference data the notifier received, stored and cached by version."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.directory: Directory = EMPTY
        self.calendar = WorkingCalendar()
        self._seen: dict[str, str] = {}

    async def receive(self, session: AsyncSession, event: ReferenceEvent) -> bool:
        """Keep `event` as the latest of its kind, unless what is stored is the same
        version or was published later (an old message delivered again)."""
        row = await session.get(ReferenceData, event.kind, with_for_update=True)
        if row is not None and (
            row.version == event.version or row.published_at > event.occurred_at
        ):
            return False
        row = row or ReferenceData(
            kind=event.kind, version="", event_id="", published_at=event.occurred_at, payload=""
        )
        row.version, row.event_id = event.version, event.event_id
        row.published_at, row.payload = event.occurred_at, event.model_dump_json()
        session.add(row)
        await session.flush()
        self._rebuild([row])
        return True

    async def refresh(self, session: AsyncSession | None = None) -> None:
        """Rebuild what changed in the table since the last look."""
        if session is None:
            async with self.db.session() as own:
                await self._refresh(own)
        else:
            await self._refresh(session)

    async def _refresh(self, session: AsyncSession) -> None:
        if seen_in_transaction(session, _LOOKED):
            return  # a batch of events looks once, not once per event
        query = select(ReferenceData.kind, ReferenceData.version)
        stored = {kind: version for kind, version in (await session.exec(query)).all()}
        mark_in_transaction(session, _LOOKED)
        changed = [kind for kind, version in stored.items() if self._seen.get(kind) != version]
        if not changed:
            return
        rows = [await session.get(ReferenceData, kind) for kind in changed]
        self._rebuild(row for row in rows if row is not None)

    def _rebuild(self, rows: Iterable[ReferenceData]) -> None:
        for row in rows:
            if row.kind == "directory":
                self.directory = Directory.from_json(row.payload)
            elif row.kind == "calendar":
                self.calendar = WorkingCalendar.from_json(row.payload)
            self._seen[row.kind] = row.version
