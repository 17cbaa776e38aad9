"""The period a report covers: any range of days, or a quarter of a year in one click.

Days are Vietnam's calendar days; a period includes both its first and its last day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from services.router.domain.calendar import VIETNAM
from services.router.errors import RouterError

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
QUARTERS = (1, 2, 3, 4)


class PeriodError(RouterError, ValueError):
    """A period that cannot be reported on; the message is the Vietnamese text shown."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    quarter: int | None = None  # set when the period is exactly a quarter of `start.year`

    @property
    def label(self) -> str:
        """How the report's title names the period."""
        if self.quarter is not None:
            return f"Quý {roman(self.quarter)} năm {self.start.year} ({self.range_label})"
        return self.range_label

    @property
    def range_label(self) -> str:
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    @property
    def slug(self) -> str:
        """A file-name part: `2026-Q1` or `2026-01-01_2026-02-15`."""
        if self.quarter is not None:
            return f"{self.start.year}-Q{self.quarter}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[from, until) in UTC: Vietnam's midnight of the first day and of the day after
        the last, so a stored instant falls in the period if from <= instant < until."""
        begin = datetime.combine(self.start, time(), tzinfo=VIETNAM).astimezone(UTC)
        until = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=VIETNAM)
        return begin, until.astimezone(UTC)


def roman(quarter: int) -> str:
    return ("I", "II", "III", "IV")[quarter - 1]


def quarter_of(year: int, quarter: int) -> Period:
    if quarter not in QUARTERS:
        raise PeriodError("Quý phải là 1, 2, 3 hoặc 4.")
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise PeriodError(f"Năm phải từ {FIRST_DAY.year} đến {LAST_DAY.year}.")
    start = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start=start, end=after - timedelta(days=1), quarter=quarter)


def quarter_containing(day: date) -> Period:
    return quarter_of(day.year, (day.month - 1) // 3 + 1)


def days(start: date, end: date) -> Period:
    """A range of days; one that is exactly a quarter is named as the quarter."""
    if end < start:
        raise PeriodError("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.")
    if start < FIRST_DAY or end > LAST_DAY:
        raise PeriodError(
            f"Chỉ lập báo cáo cho các ngày từ {FIRST_DAY:%d/%m/%Y} đến {LAST_DAY:%d/%m/%Y}."
        )
    whole = quarter_containing(start)
    if whole.start == start and whole.end == end:
        return whole
    return Period(start=start, end=end)
