from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.router.domain.calendar import (
    CalendarDataError,
    DayOff,
    HolidayCalendar,
    WorkingSaturday,
    YearTable,
    default_year,
    load_calendar,
    local_date,
    parse_tables,
)
from services.router.domain.lunar import hung_kings_day, tet

CAL = load_calendar()
LAW_ONLY = HolidayCalendar()


def _weekdays_off(table: YearTable) -> set[date]:
    return {d for d in table.off_dates if d.weekday() < 5}


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2023, 1, 2), False),  # 1 Jan 2023 was a Sunday
        (date(2023, 1, 3), True),
        (date(2023, 1, 19), True),
        (date(2023, 1, 20), False),  # Tết 20–26 Jan 2023
        (date(2023, 1, 26), False),
        (date(2023, 1, 27), True),
        (date(2023, 5, 3), False),  # Hùng Kings + 30/4 + 1/5: off 29 Apr – 3 May 2023
        (date(2023, 5, 4), True),
        (date(2023, 9, 1), False),  # National Day: off 1–4 Sep 2023
        (date(2023, 9, 4), False),
        (date(2023, 9, 5), True),
        (date(2023, 3, 11), False),  # an ordinary Saturday
        (date(2024, 4, 29), False),  # swapped day off...
        (date(2024, 5, 4), True),  # ...worked on Saturday 4 May 2024
        (date(2024, 2, 7), True),  # Tết 2024: Thu 8 – Wed 14 Feb
        (date(2024, 2, 14), False),
        (date(2024, 2, 15), True),
        (date(2024, 9, 3), False),  # National Day 2024: 2 and 3 Sep
        (date(2025, 1, 24), True),  # Tết 2025: Sat 25 Jan – Sun 2 Feb
        (date(2025, 1, 27), False),
        (date(2025, 2, 3), True),
        (date(2025, 4, 26), True),
        (date(2025, 5, 2), False),
        (date(2025, 9, 1), False),  # National Day 2025: Sat 30 Aug – Tue 2 Sep
        (date(2025, 9, 3), True),
        (date(2026, 1, 2), False),  # New Year 2026: Fri 2 Jan swapped...
        (date(2026, 1, 10), True),  # ...for Saturday 10 Jan
        (date(2026, 2, 13), True),  # Tết 2026: Sat 14 – Sun 22 Feb
        (date(2026, 2, 16), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),
        (date(2026, 4, 27), False),  # Hùng Kings' day on Sunday 26 Apr 2026
        (date(2026, 4, 28), True),
        (date(2026, 8, 22), True),  # National Day 2026: Mon 31 Aug worked on Sat 22 Aug
        (date(2026, 8, 31), False),
        (date(2026, 9, 1), False),
        (date(2026, 9, 3), True),
        (date(2026, 11, 24), False),  # Vietnamese Culture Day, a Tuesday
        (date(2026, 11, 23), True),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2023, 1, 18), 5, date(2023, 2, 1)),  # across Tết 2023
        (date(2023, 1, 18), 3, date(2023, 1, 30)),
        (date(2023, 1, 18), 10, date(2023, 2, 8)),
        (date(2023, 8, 31), 5, date(2023, 9, 11)),  # 1–4 Sep 2023 off
        (date(2023, 9, 1), 5, date(2023, 9, 11)),  # from a holiday: Tue 5 Sep is day 1
        (date(2023, 9, 1), 1, date(2023, 9, 5)),
        (date(2023, 9, 5), 5, date(2023, 9, 12)),
        (date(2023, 3, 8), 3, date(2023, 3, 13)),  # would be Sat 11 in calendar days
        (date(2023, 3, 10), 1, date(2023, 3, 13)),  # Friday → Monday
        (date(2023, 3, 11), 1, date(2023, 3, 13)),  # from a Saturday
        (date(2024, 5, 2), 2, date(2024, 5, 4)),  # the swapped Saturday counts
        (date(2024, 4, 26), 1, date(2024, 5, 2)),
        (date(2023, 12, 29), 1, date(2024, 1, 2)),  # across New Year
        (date(2023, 1, 18), 0, date(2023, 1, 18)),
        (date(2023, 1, 21), 0, date(2023, 1, 27)),  # n = 0 from a day off: next working day
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_add_negative_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2023, 1, 18), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2023, 1, 18), date(2023, 2, 1), 5),
        (date(2023, 2, 1), date(2023, 1, 18), -5),
        (date(2023, 1, 18), date(2023, 1, 18), 0),
        (date(2023, 1, 20), date(2023, 1, 26), 0),
        (date(2024, 5, 3), date(2024, 5, 6), 2),  # Sat 4 May 2024 worked
    ],
)
def test_working_days_between(a: date, b: date, expected: int) -> None:
    assert CAL.working_days_between(a, b) == expected


dates = st.dates(min_value=date(2021, 1, 1), max_value=date(2029, 12, 31))


@given(start=dates, n=st.integers(min_value=1, max_value=80))
def test_add_working_days_properties(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end)
    assert end > start
    assert CAL.working_days_between(start, end) == n


@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31)))
def test_law_only_calendar_properties(start: date) -> None:
    end = LAW_ONLY.add_working_days(start, 15)
    assert LAW_ONLY.is_working_day(end)
    assert LAW_ONLY.working_days_between(start, end) == 15


@given(start=dates)
def test_zero_working_days_gives_a_working_day(start: date) -> None:
    end = CAL.add_working_days(start, 0)
    assert CAL.is_working_day(end)
    assert end == start or CAL.working_days_between(start, end) == 1


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2030])
def test_default_year_follows_the_lunar_calendar(year: int) -> None:
    table = default_year(year)
    assert not table.official
    off = table.off_dates
    assert all(tet(year) + timedelta(days=i) in off for i in range(-2, 3))
    assert hung_kings_day(year) in off
    assert {date(year, 1, 1), date(year, 4, 30), date(year, 5, 1), date(year, 9, 2)} <= off
    holidays = [h.date for h in table.days_off if not h.name.startswith("Nghỉ bù")]
    in_lieu = [h.date for h in table.days_off if h.name.startswith("Nghỉ bù")]
    # Labour Code 2019 art. 112, and 24 Nov from 2026 (Nghị quyết 28/2026/QH16).
    assert len(holidays) == (12 if year >= 2026 else 11)
    assert (date(year, 11, 24) in off) is (year >= 2026)
    assert len(in_lieu) == sum(d.weekday() >= 5 for d in holidays)
    assert all(d.weekday() < 5 and d not in holidays for d in in_lieu)


@pytest.mark.parametrize(
    ("year", "tet_day", "hung_kings"),
    [
        (2024, date(2024, 2, 10), date(2024, 4, 18)),
        (2025, date(2025, 1, 29), date(2025, 4, 7)),
        (2026, date(2026, 2, 17), date(2026, 4, 26)),
        (2027, date(2027, 2, 6), date(2027, 4, 16)),
    ],
)
def test_default_year_dates(year: int, tet_day: date, hung_kings: date) -> None:
    names = {d.date: d.name for d in default_year(year).days_off}
    assert names[tet_day] == "Tết Âm lịch (mùng 1)"
    assert names[hung_kings] == "Giỗ Tổ Hùng Vương"


def test_default_year_compensates_weekend_holidays() -> None:
    # Tết 2027 falls on Sat 6 Feb: Thu 4 (28 Chạp) – Mon 8 (mùng 3), the Saturday and
    # Sunday given back on Tue 9 and Wed 10; Thu 11 is a working day.
    table = default_year(2027)
    assert _weekdays_off(table) >= {date(2027, 2, d) for d in (4, 5, 8, 9, 10)}
    assert date(2027, 2, 3) not in table.off_dates
    assert date(2027, 2, 11) not in table.off_dates
    assert {d.date: d.name for d in table.days_off}[date(2027, 2, 4)] == (
        "Tết Âm lịch (28 tháng Chạp)"
    )
    # 1 May 2027 is a Saturday → Monday 3 May.
    assert date(2027, 5, 3) in table.off_dates
    # 24 Nov 2029 is a Saturday → Monday 26 Nov.
    assert date(2029, 11, 26) in default_year(2029).off_dates


# The official tables' swapped weekdays (nghỉ hoán đổi), which no rule can foresee.
SWAPPED = {date(2024, 4, 29), date(2025, 5, 2), date(2026, 1, 2), date(2026, 8, 31)}


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_the_rule_reproduces_each_official_year_but_its_swaps(year: int) -> None:
    # Tết as two days before mùng 1 and mùng 1–3 is what the Government chose every
    # year from 2023 to 2026 (2026 words it as 29 Chạp and mùng 1–4: the same weekdays).
    assert _weekdays_off(CAL.tables[year]) - SWAPPED == _weekdays_off(default_year(year))


@pytest.mark.parametrize(
    ("year", "partner"),
    [(2021, 3), (2022, 1), (2023, 1), (2024, 3), (2025, 1), (2026, 1), (2027, 3)],
)
def test_national_day_partner(year: int, partner: int) -> None:
    assert date(year, 9, partner) in default_year(year).off_dates


def test_2027_and_later_come_from_the_rule() -> None:
    assert 2027 not in CAL.tables
    assert CAL.table_for(2027) == default_year(2027)
    assert not CAL.is_working_day(date(2027, 2, 10))
    assert CAL.is_working_day(date(2027, 2, 11))


def test_year_absent_from_the_file_falls_back_to_the_law() -> None:
    assert 2030 not in CAL.tables
    assert not CAL.is_working_day(tet(2030) + timedelta(days=2))  # Mon 4 Feb 2030
    assert CAL.is_working_day(date(2030, 3, 1))


def test_packaged_file() -> None:
    assert sorted(CAL.tables) == [2023, 2024, 2025, 2026]
    assert all(table.official for table in CAL.tables.values())
    assert CAL.tables[2023].source == "VB 8056/VPCP-KGVX"
    assert "5015/TB-LĐTBXH" in CAL.tables[2024].source
    assert "6150/TB-LĐTBXH" in CAL.tables[2025].source
    assert "9441/TB-BNV" in CAL.tables[2026].source


def test_tet_2026_runs_from_saturday_14_to_sunday_22_february() -> None:
    days = [date(2026, 2, 13) + timedelta(days=i) for i in range(11)]
    assert [CAL.is_working_day(d) for d in days] == [True] + [False] * 9 + [True]


def test_version_is_short_stable_and_tracks_dates_only() -> None:
    assert CAL.version == load_calendar().version
    assert len(CAL.version) == 12
    renamed = CAL.tables[2026].model_copy(
        update={
            "days_off": tuple(DayOff(date=d.date, name="x") for d in CAL.tables[2026].days_off),
            "source": "another source",
        }
    )
    assert CAL.with_year(renamed).version == CAL.version
    moved = _table(2027, off=[date(2027, 1, 1)])
    assert CAL.with_year(moved).version != CAL.version
    assert HolidayCalendar().version != CAL.version


def test_with_year_returns_a_new_calendar() -> None:
    extra = _table(2023, off=[date(2023, 1, 19)])
    changed = CAL.with_year(extra)
    assert not changed.is_working_day(date(2023, 1, 19))
    assert CAL.is_working_day(date(2023, 1, 19))
    assert changed.is_working_day(date(2023, 1, 20))  # the whole 2023 table was replaced
    with pytest.raises(AttributeError):
        CAL.foo = 1


def test_cross_year_swap_is_honoured() -> None:
    # As in 2019: Mon 31 Dec 2018 off, worked on Sat 5 Jan 2019 — held by the 2019 table.
    table = _table(
        2019,
        off=[date(2018, 12, 31), date(2019, 1, 1)],
        saturdays=[(date(2019, 1, 5), date(2018, 12, 31))],
    )
    cal = HolidayCalendar([table])
    assert not cal.is_working_day(date(2018, 12, 31))
    assert cal.is_working_day(date(2019, 1, 5))
    assert cal.add_working_days(date(2018, 12, 28), 1) == date(2019, 1, 2)


def _table(
    year: int, *, off: list[date], saturdays: list[tuple[date, date]] | None = None
) -> YearTable:
    return YearTable(
        year=year,
        source="test",
        official=True,
        days_off=tuple(DayOff(date=d, name="nghỉ") for d in off),
        working_saturdays=tuple(WorkingSaturday(date=s, replaces=r) for s, r in (saturdays or [])),
    )


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "year": 2024,
        "source": "test",
        "official": True,
        "days_off": [{"date": "2024-04-29", "name": "Nghỉ hoán đổi"}],
        "working_saturdays": [{"date": "2024-05-04", "replaces": "2024-04-29"}],
    }
    entry.update(changes)
    return entry


def _off(day: str) -> dict[str, str]:
    return {"date": day, "name": "nghỉ"}


def _swap(saturday: str, replaces: str) -> dict[str, str]:
    return {"date": saturday, "replaces": replaces}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_entry(days_off=[{"date": "2024-02-30", "name": "x"}]), "days_off.0.date"),
        (_entry(days_off=[{"date": "2024-04-29"}]), "days_off.0.name"),
        (
            _entry(working_saturdays=[{"date": "2024-05-05", "replaces": "2024-04-29"}]),
            "not a Saturday",
        ),
        (_entry(working_saturdays=[{"date": "2024-05-04", "replaces": "2024-04-30"}]), "replaces"),
        (
            _entry(days_off=[{"date": "2025-06-02", "name": "x"}], working_saturdays=[]),
            "not in or next to",
        ),
        (_entry(official="perhaps"), "official"),
        (_entry(extra="field"), "extra"),
        (
            _entry(
                days_off=[{"date": "2024-04-29", "name": "a"}, {"date": "2024-04-29", "name": "b"}]
            ),
            "listed twice",
        ),
    ],
)
def test_malformed_entries_are_named(entry: dict[str, Any], message: str) -> None:
    data = {"years": [_entry(year=2023, days_off=[], working_saturdays=[]), entry]}
    with pytest.raises(CalendarDataError) as info:
        parse_tables(data, source="holidays.yaml")
    assert "holidays.yaml: years[1] (year 2024)" in str(info.value)
    assert message in str(info.value)


def test_duplicate_years_and_bad_shapes_are_refused() -> None:
    with pytest.raises(CalendarDataError, match="more than once"):
        parse_tables({"years": [_entry(), _entry()]})
    with pytest.raises(CalendarDataError, match="'years' list"):
        parse_tables([_entry()])


def test_load_calendar_from_a_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "years:\n  - year: 2023\n    source: s\n    official: true\n"
        "    days_off: [{date: 2023-01-19, name: x}]\n",
        encoding="utf-8",
    )
    assert not load_calendar(good).is_working_day(date(2023, 1, 19))
    bad = tmp_path / "bad.yaml"
    bad.write_text("years: [year: 2023\n", encoding="utf-8")
    with pytest.raises(CalendarDataError, match="not valid YAML"):
        load_calendar(bad)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2023, 1, 18, 9, 30, tzinfo=timezone(timedelta(hours=7))), date(2023, 1, 18)),
        (datetime(2023, 1, 17, 20, 0, tzinfo=UTC), date(2023, 1, 18)),  # 03:00 in Vietnam
        (datetime(2023, 1, 17, 16, 59, tzinfo=UTC), date(2023, 1, 17)),
        (datetime(2023, 1, 18, 0, 30, tzinfo=timezone(timedelta(hours=9))), date(2023, 1, 17)),
    ],
)
def test_local_date(moment: datetime, expected: date) -> None:
    assert local_date(moment) == expected


def test_local_date_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2023, 1, 18, 9, 30))
