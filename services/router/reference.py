"""The router's reference data for the other services (issue 11): its agency directory and
its working-day calendar, as events on `Topics.reference_data`, through the outbox.

Published at start when the content changed since the last publication (a fingerprint of
the content, compared with the last one in the outbox), and in the transaction of
`pakn holidays load` (the calendar). The notifier stores the latest of each and reads
only its copy (docs/decisions/0008-reference-data-in-events.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import (
    AgencySuccession,
    AgencyVersion,
    CalendarPublished,
    CalendarYear,
    DirectoryPublished,
    SuccessionShare,
)
from services.kit.outbox import OutboxMessage, add_event
from services.router.domain.agencies import Agency, AgencyRegistry
from services.router.domain.calendar import HolidayCalendar
from services.router.emit import SERVICE
from services.router.structure import Structure, succession
from services.text.words import folded_words

# Years the calendar event lists (and every year with a table): from before the first
# case to well after today, fixed so that the content (and its fingerprint) changes only
# with the calendar; outside them a consumer counts Monday to Friday.
FIRST_YEAR = 2020
LAST_YEAR = 2050
YEARS_AFTER = 10  # from 2041 on, the list grows with today
_IGNORED = frozenset({"va"})  # "và": optional in names, as services.router.structure reads them
_ENVELOPE = {"event_id", "occurred_at", "correlation_id", "version"}

ReferenceData = DirectoryPublished | CalendarPublished
R = TypeVar("R", DirectoryPublished, CalendarPublished)


def fingerprint(content: Mapping[str, Any]) -> str:
    """A short stable hash of an event's content (its envelope aside)."""
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _fingerprinted(event: R) -> R:
    content = event.model_dump(mode="json", exclude=_ENVELOPE)
    return event.model_copy(update={"version": fingerprint(content)})


def _version(agency: Agency) -> AgencyVersion:
    return AgencyVersion(
        code=agency.code,
        level=agency.level,
        name_vi=agency.name_vi,
        email=agency.email,
        fields_vi=agency.fields_vi,
        effective_from=agency.effective_from,
        effective_to=agency.effective_to,
        predecessors=agency.predecessors,
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in folded_words(text) if w not in _IGNORED)


def _successions(structure: Structure) -> tuple[AgencySuccession, ...]:
    out = []
    for code in dict.fromkeys(a.code for a in structure.agencies):
        found = succession(code)
        if found is None:
            continue
        shares = tuple(
            SuccessionShare(to=s.to, words=tuple(w for text in s.words if (w := _words(text))))
            for s in found.shares
        )
        out.append(
            AgencySuccession(
                former=found.old,
                effective_from=found.effective_from,
                main=found.main,
                shares=shares,
            )
        )
    return tuple(out)


def _department_names(structure: Structure) -> tuple[tuple[str, ...], ...]:
    """The names `services.router.structure.departments` recognises, as folded words."""
    names = [a.name_vi for a in structure.agencies if a.level in {"province", "central"}]
    other: Mapping[str, Iterable[object]] = structure.data.get("other_names") or {}
    names += [str(name) for values in other.values() for name in values]
    return tuple(sorted({words for name in names if (words := _words(name))}))


def directory_event(*, registry: AgencyRegistry, structure: Structure) -> DirectoryPublished:
    """The directory: the agencies file (`registry`) and the dated structure."""
    event = DirectoryPublished(
        correlation_id="directory",
        version="-",
        registry=tuple(_version(a) for a in registry.agencies),
        versions=tuple(
            _version(a)
            for a in sorted(structure.agencies, key=lambda a: (a.code, a.effective_from))
        ),
        successions=_successions(structure),
        department_names=_department_names(structure),
    )
    return _fingerprinted(event)


def calendar_event(calendar: HolidayCalendar, *, today: date) -> CalendarPublished:
    """Every year from FIRST_YEAR to LAST_YEAR (or `today` + YEARS_AFTER), and every year
    with a table, resolved: the official or provisional table, else the rule's days off."""
    first = min([*calendar.tables, FIRST_YEAR])
    last = max([*calendar.tables, LAST_YEAR, today.year + YEARS_AFTER])
    years = []
    for year in range(first, last + 1):
        table, source = calendar.table_for(year), calendar.source_of(year)
        years.append(
            CalendarYear(
                year=year,
                kind=source.kind,
                source=source.source,
                days_off=tuple(sorted(table.off_dates)),
                working_saturdays=tuple(sorted(table.saturdays_worked)),
            )
        )
    event = CalendarPublished(
        correlation_id="calendar",
        version="-",
        calendar_version=calendar.version,
        years=tuple(years),
    )
    return _fingerprinted(event)


async def last_published(session: AsyncSession, *, topic: str, kind: str) -> str | None:
    """The version of the last `kind` staged in the router's outbox (None: never)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.service == SERVICE)
        .where(OutboxMessage.topic == topic)
        .where(OutboxMessage.key == kind)
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    row = (await session.exec(query)).first()
    if row is None:
        return None
    version = json.loads(row.payload).get("version")
    return version if isinstance(version, str) else None


async def stage_if_changed(session: AsyncSession, *, topic: str, event: ReferenceData) -> bool:
    """Stage `event` in the outbox unless the last one of its kind had the same content."""
    if await last_published(session, topic=topic, kind=event.kind) == event.version:
        return False
    add_event(session, service=SERVICE, topic=topic, key=event.kind, event=event)
    return True
