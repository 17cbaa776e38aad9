"""The legal working-day calendar: per-year holiday tables and working-day arithmetic.

Counting follows Civil Code 2015 arts. 147–148 as applied to working days: the day of
the event is not counted, only working days count, so the n-th working day after a
date is always a working day. Weekends are Saturday and Sunday; a year's official
table adds the days off (holidays, compensation days, swapped days) and the Saturdays
worked in exchange. A year with no table falls back to `default_year`, built from the
Labour Code 2019, Nghị quyết 28/2026/QH16 and the lunar calendar. `HolidayCalendar.source_of`
says where each year's days come from, in Vietnamese, for staff to see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.timezone import VIETNAM
from services.router.domain.lunar import hung_kings_day, solar_to_lunar, tet
from services.router.errors import CalendarDataError

__all__ = [
    "CULTURE_DAY_FROM",
    "DEFAULT_RULES_ID",
    "RULE_SOURCE",
    "CalendarDataError",
    "DayOff",
    "HolidayCalendar",
    "SourceKind",
    "WorkingSaturday",
    "YearSource",
    "YearTable",
    "default_year",
    "load_calendar",
    "local_date",
    "parse_tables",
]

# Part of every calendar's version: change it whenever `default_year` changes its output.
DEFAULT_RULES_ID = "bllđ2019-art112+nq28-2026/tet-2+3/v2"
RULE_SOURCE = (
    "Bộ luật Lao động 2019 điều 111–112, Nghị quyết 28/2026/QH16 (Ngày Văn hóa Việt Nam) và âm lịch"
)
# Nghị quyết 28/2026/QH16 (in force 1 Jul 2026) makes 24 Nov a paid holiday from 2026.
CULTURE_DAY_FROM = 2026
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "holidays.yaml"
_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


class DayOff(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    date: dt.date
    name: str = Field(min_length=1)


class WorkingSaturday(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    date: dt.date
    replaces: dt.date


class YearTable(BaseModel):
    """One year's schedule; days off may include the weekend holidays, for the record."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    year: int = Field(ge=1900, le=2199)
    source: str = Field(min_length=1)
    official: bool
    days_off: tuple[DayOff, ...] = ()
    working_saturdays: tuple[WorkingSaturday, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        off = [d.date for d in self.days_off]
        _check_no_duplicates(off, "days_off")
        _check_no_duplicates([w.date for w in self.working_saturdays], "working_saturdays")
        for d in off:
            self._check_near_year(d, "days_off")
        for w in self.working_saturdays:
            self._check_near_year(w.date, "working_saturdays")
            if w.date.weekday() != _SATURDAY:
                raise ValueError(f"working_saturdays: {w.date} is not a Saturday")
            if w.date in off:
                raise ValueError(f"working_saturdays: {w.date} is also listed in days_off")
            if w.replaces not in off or w.replaces.weekday() >= _SATURDAY:
                raise ValueError(
                    f"working_saturdays: {w.date} replaces {w.replaces}, "
                    "which must be a weekday listed in days_off"
                )
        return self

    def _check_near_year(self, d: date, field: str) -> None:
        # Swaps can cross New Year (e.g. 31 Dec off, a January Saturday worked).
        if not date(self.year - 1, 12, 1) <= d <= date(self.year + 1, 1, 31):
            raise ValueError(f"{field}: {d} is not in or next to {self.year}")

    @property
    def off_dates(self) -> frozenset[date]:
        return frozenset(d.date for d in self.days_off)

    @property
    def saturdays_worked(self) -> frozenset[date]:
        return frozenset(w.date for w in self.working_saturdays)


def _check_no_duplicates(dates: list[date], field: str) -> None:
    seen: set[date] = set()
    for d in dates:
        if d in seen:
            raise ValueError(f"{field}: {d} is listed twice")
        seen.add(d)


# --- the law's defaults -------------------------------------------------------------

# Labour Code art. 112 lets the Government pick the day before or after 2 Sep; every
# schedule since 2021 picked the one that bridges to the weekend. Wednesday has no
# bridge: the day before is assumed (as 2026 did). Keys are 2 Sep's weekday (Monday = 0).
_NATIONAL_DAY_PARTNER = {0: 3, 1: 1, 2: 1, 3: 3, 4: 1, 5: 1, 6: 3}


def _tet_name(d: date) -> str:
    lunar = solar_to_lunar(d)
    if lunar.month == 1:
        return f"Tết Âm lịch (mùng {lunar.day})"
    return f"Tết Âm lịch ({lunar.day} tháng Chạp)"


@lru_cache(maxsize=256)
def default_year(year: int) -> YearTable:
    """The schedule the law alone gives, for a year with no official table.

    Tết takes the two days before mùng 1 and mùng 1–3, weekend days compensated on the
    next working days: the official weekdays off of every year from 2023 to 2026 (2026's
    notice words it as 29 Chạp and mùng 1–4, the same weekdays). The Prime Minister may
    still choose otherwise and add swaps, so official tables win.
    """
    holidays = [DayOff(date=date(year, 1, 1), name="Tết Dương lịch")]
    first = tet(year)
    holidays += [
        DayOff(date=d, name=_tet_name(d)) for d in (first + timedelta(days=i) for i in range(-2, 3))
    ]
    holidays.append(DayOff(date=hung_kings_day(year), name="Giỗ Tổ Hùng Vương"))
    holidays.append(DayOff(date=date(year, 4, 30), name="Ngày Chiến thắng"))
    holidays.append(DayOff(date=date(year, 5, 1), name="Ngày Quốc tế Lao động"))
    national = date(year, 9, 2)
    partner = date(year, 9, _NATIONAL_DAY_PARTNER[national.weekday()])
    holidays.append(DayOff(date=national, name="Quốc khánh"))
    holidays.append(DayOff(date=partner, name="Quốc khánh (ngày liền kề)"))
    if year >= CULTURE_DAY_FROM:
        holidays.append(DayOff(date=date(year, 11, 24), name="Ngày Văn hóa Việt Nam"))
    return YearTable(
        year=year,
        source=RULE_SOURCE,
        official=False,
        days_off=tuple(_with_compensation(sorted(holidays, key=lambda h: h.date))),
    )


def _with_compensation(holidays: list[DayOff]) -> list[DayOff]:
    """Add a day off on the next free weekday for each holiday on a weekend (art. 111.3)."""
    taken = {h.date for h in holidays}
    result = list(holidays)
    for h in holidays:
        if h.date.weekday() < _SATURDAY:
            continue
        d = h.date + _ONE_DAY
        while d.weekday() >= _SATURDAY or d in taken:
            d += _ONE_DAY
        taken.add(d)
        result.append(DayOff(date=d, name=f"Nghỉ bù {h.name}"))
    return sorted(result, key=lambda h: h.date)


# --- the calendar ---------------------------------------------------------------------


SourceKind = Literal["official", "provisional", "rule"]

_KIND_LABEL: dict[SourceKind, str] = {
    "official": "Lịch chính thức",
    "provisional": "Lịch tạm tính, chờ thông báo chính thức",
    "rule": "Theo quy tắc, chờ thông báo chính thức",
}


class YearSource(NamedTuple):
    """Where a year's days off come from: an official table, a provisional one, or the
    rule; `loaded_by`/`loaded_at` when an administrator loaded it (`pakn holidays load`)."""

    year: int
    kind: SourceKind
    source: str
    loaded_by: str | None = None
    loaded_at: datetime | None = None

    @property
    def label(self) -> str:
        """In Vietnamese, e.g. "Lịch chính thức: Thông báo 9441/TB-BNV ngày 16/10/2025"."""
        label = f"{_KIND_LABEL[self.kind]}: {self.source}"
        if self.loaded_by is not None:
            label += f" (do {self.loaded_by} nạp"
            if self.loaded_at is not None:
                label += f" lúc {_vietnam_time(self.loaded_at):%H:%M ngày %d/%m/%Y}"
            label += ")"
        else:
            label += " (bảng lịch kèm hệ thống)" if self.kind != "rule" else ""
        return label


class _Days(NamedTuple):
    off: frozenset[date]
    worked: frozenset[date]


class HolidayCalendar:
    """Immutable working-day calendar over per-year tables (absent years: `default_year`)."""

    __slots__ = ("_memo", "_tables", "_version")
    _tables: Mapping[int, YearTable]
    _version: str
    _memo: dict[int, _Days]

    def __init__(self, tables: Iterable[YearTable] = ()) -> None:
        by_year: dict[int, YearTable] = {}
        for table in tables:
            if table.year in by_year:
                raise CalendarDataError(f"year {table.year} is given twice")
            by_year[table.year] = table
        object.__setattr__(self, "_tables", MappingProxyType(dict(sorted(by_year.items()))))
        object.__setattr__(self, "_version", _fingerprint(self._tables.values()))
        object.__setattr__(self, "_memo", {})  # a pure cache, invisible from outside

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("HolidayCalendar is immutable; use with_year()")

    def __repr__(self) -> str:
        return f"HolidayCalendar(years={list(self._tables)}, version={self._version!r})"

    @property
    def version(self) -> str:
        """Short stable hash of what decides working days (not names or sources)."""
        return self._version

    @property
    def tables(self) -> Mapping[int, YearTable]:
        return self._tables

    def table_for(self, year: int) -> YearTable:
        return self._tables.get(year) or default_year(year)

    def source_of(self, year: int) -> YearSource:
        """Where the year's days come from (who loaded it is known to the store only)."""
        table = self._tables.get(year)
        if table is None:
            return YearSource(year=year, kind="rule", source=RULE_SOURCE)
        kind: SourceKind = "official" if table.official else "provisional"
        return YearSource(year=year, kind=kind, source=table.source)

    def shown_years(self, today: date) -> range:
        """The years to list: from the first table (or this year) to next year at least."""
        first = min([*self._tables, today.year])
        last = max([*self._tables, today.year + 1])
        return range(first, last + 1)

    def with_year(self, table: YearTable) -> HolidayCalendar:
        """A new calendar where `table` replaces that year's table (or fills the gap)."""
        return HolidayCalendar([*(t for t in self._tables.values() if t.year != table.year), table])

    def is_working_day(self, d: date) -> bool:
        days = self._days_near(d.year)
        if d in days.worked:
            return True
        return d.weekday() < _SATURDAY and d not in days.off

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`; for n == 0, `start` or the next working day."""
        if n < 0:
            raise ValueError("n must be zero or positive")
        d = start
        if n == 0:
            while not self.is_working_day(d):
                d += _ONE_DAY
            return d
        while n:
            d += _ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: the inverse of add_working_days; negative if b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        count, d = 0, a + _ONE_DAY
        while d <= b:
            count += self.is_working_day(d)
            d += _ONE_DAY
        return count

    def _days_near(self, year: int) -> _Days:
        days = self._memo.get(year)
        if days is None:
            # Neighbouring tables may hold cross-year swaps.
            near = [self.table_for(y) for y in (year - 1, year, year + 1)]
            off = frozenset().union(*(t.off_dates for t in near))
            worked = frozenset().union(*(t.saturdays_worked for t in near))
            days = _Days(off=off, worked=worked)
            self._memo[year] = days
        return days


def _fingerprint(tables: Iterable[YearTable]) -> str:
    payload = {
        "rules": DEFAULT_RULES_ID,
        "years": [
            {
                "year": t.year,
                "off": sorted(d.isoformat() for d in t.off_dates),
                "worked": sorted(w.date.isoformat() for w in t.working_saturdays),
            }
            for t in sorted(tables, key=lambda t: t.year)
        ],
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


# --- loading ----------------------------------------------------------------------------


def parse_tables(data: Any, *, source: str = "holidays") -> list[YearTable]:
    """Validate the decoded file; CalendarDataError names the first bad entry."""
    if not isinstance(data, dict) or not isinstance(data.get("years"), list):
        raise CalendarDataError(f"{source}: expected a mapping with a 'years' list")
    tables: list[YearTable] = []
    for i, raw in enumerate(data["years"]):
        label = f"{source}: years[{i}]"
        if isinstance(raw, dict) and "year" in raw:
            label += f" (year {raw['year']})"
        try:
            tables.append(YearTable.model_validate(raw))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}"
                for err in exc.errors()
            )
            raise CalendarDataError(f"{label}: {problems}") from None
    years = [t.year for t in tables]
    duplicates = sorted({y for y in years if years.count(y) > 1})
    if duplicates:
        raise CalendarDataError(f"{source}: year(s) {duplicates} given more than once")
    return tables


def load_calendar(path: Path | str | None = None) -> HolidayCalendar:
    """Read and validate the holiday file (the packaged one by default)."""
    file = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CalendarDataError(f"{file}: not valid YAML: {exc}") from None
    return HolidayCalendar(parse_tables(data, source=str(file)))


# --- time zone --------------------------------------------------------------------------


def _vietnam_time(moment: datetime) -> datetime:
    """A stored instant in Vietnam's time (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM)


def local_date(dt: datetime) -> date:
    """The calendar date in Vietnam of an aware datetime."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("a naive datetime has no date in Vietnam: give it a time zone")
    return dt.astimezone(VIETNAM).date()
