"""Per-agency performance: received, answered, on time, overdue, average working days.

Pure: the rows come from the public projection, working days from the legal calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

TOTAL_LABEL = "Toàn tỉnh"


class Calendar(Protocol):
    def working_days_between(self, a: date, b: date) -> int: ...


@dataclass(frozen=True)
class CaseFacts:
    agency: str
    agency_name: str
    received_on: date
    answered_on: date | None
    on_time: bool | None
    overdue: bool  # escalated and not answered yet


@dataclass(frozen=True)
class AgencyStats:
    agency: str
    agency_name: str
    received: int
    answered: int
    on_time: int
    open_overdue: int
    average_days: float | None  # working days from receipt to answer

    @property
    def answered_late(self) -> int:
        return self.answered - self.on_time

    @property
    def overdue(self) -> int:
        """Answered after the deadline, or still open past it."""
        return self.answered_late + self.open_overdue

    @property
    def open(self) -> int:
        return self.received - self.answered

    @property
    def open_in_time(self) -> int:
        return self.open - self.open_overdue

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.answered) if self.answered else None


def summarise(agency: str, name: str, rows: list[CaseFacts], *, calendar: Calendar) -> AgencyStats:
    answered = [(r, r.answered_on) for r in rows if r.answered_on is not None]
    days = [calendar.working_days_between(r.received_on, on) for r, on in answered]
    return AgencyStats(
        agency=agency,
        agency_name=name,
        received=len(rows),
        answered=len(answered),
        on_time=sum(1 for r, _ in answered if r.on_time),
        open_overdue=sum(1 for r in rows if r.answered_on is None and r.overdue),
        average_days=round(sum(days) / len(days), 1) if days else None,
    )


def agency_stats(rows: list[CaseFacts], *, calendar: Calendar) -> list[AgencyStats]:
    """One line per agency in charge, most cases first, then by name."""
    by_agency: dict[str, list[CaseFacts]] = {}
    for row in rows:
        by_agency.setdefault(row.agency, []).append(row)
    lines = [
        summarise(code, group[-1].agency_name or code, group, calendar=calendar)
        for code, group in by_agency.items()
    ]
    return sorted(lines, key=lambda s: (-s.received, s.agency_name))


def province_total(rows: list[CaseFacts], *, calendar: Calendar) -> AgencyStats:
    """The province-wide line; its average is over every answered case, not over agencies."""
    return summarise("", TOTAL_LABEL, rows, calendar=calendar)


@dataclass(frozen=True)
class Bar:
    """One agency's stacked bar: answered on time, overdue (late or still open), open in time."""

    label: str
    y: int
    on_time: float
    overdue: float
    open_in_time: float
    stats: AgencyStats


def bars(lines: list[AgencyStats], *, width: float = 360, pitch: int = 30) -> list[Bar]:
    """Geometry of the chart: widths proportional to the largest number received."""
    scale = width / (max((s.received for s in lines), default=0) or 1)
    return [
        Bar(
            label=s.agency_name,
            y=i * pitch,
            on_time=s.on_time * scale,
            overdue=s.overdue * scale,
            open_in_time=s.open_in_time * scale,
            stats=s,
        )
        for i, s in enumerate(lines)
    ]
