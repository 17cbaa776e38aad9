from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.router.domain.lunar import (
    LunarDate,
    hung_kings_day,
    lunar_to_solar,
    solar_to_lunar,
    tet,
)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1985, date(1985, 1, 21)),  # China: 20 Feb 1985 — the UTC+7 case
        (2007, date(2007, 2, 17)),  # China: 18 Feb 2007
        (2020, date(2020, 1, 25)),
        (2023, date(2023, 1, 22)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
    ],
)
def test_tet(year: int, expected: date) -> None:
    assert tet(year) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2023, date(2023, 4, 29)),
        (2024, date(2024, 4, 18)),
        (2025, date(2025, 4, 7)),
        (2026, date(2026, 4, 26)),
        (2027, date(2027, 4, 16)),
    ],
)
def test_hung_kings_day(year: int, expected: date) -> None:
    assert hung_kings_day(year) == expected


@pytest.mark.parametrize(
    ("solar", "lunar"),
    [
        (date(2023, 1, 21), LunarDate(2022, 12, 30)),  # Tết eve 2023: a 30-day month
        (date(2025, 1, 28), LunarDate(2024, 12, 29)),  # Tết eve 2025: a 29-day month
        (date(2023, 3, 22), LunarDate(2023, 2, 1, leap=True)),
        (date(2020, 5, 23), LunarDate(2020, 4, 1, leap=True)),
        (date(2025, 7, 25), LunarDate(2025, 6, 1, leap=True)),
        (date(2033, 12, 22), LunarDate(2033, 11, 1, leap=True)),
        (date(2024, 9, 17), LunarDate(2024, 8, 15)),  # Mid-Autumn 2024
    ],
)
def test_known_conversions(solar: date, lunar: LunarDate) -> None:
    assert solar_to_lunar(solar) == lunar
    assert lunar_to_solar(*lunar) == solar


@pytest.mark.parametrize(
    ("year", "month", "day", "leap"),
    [
        (2024, 2, 1, True),  # 2024 has no leap month
        (2023, 3, 1, True),  # 2023's leap month is the 2nd
        (2024, 12, 30, False),  # the 12th month of Giáp Thìn had 29 days
        (2024, 13, 1, False),
        (2024, 1, 0, False),
    ],
)
def test_nonexistent_lunar_dates_are_rejected(year: int, month: int, day: int, leap: bool) -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(year, month, day, leap)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)))
def test_round_trip(d: date) -> None:
    assert lunar_to_solar(*solar_to_lunar(d)) == d


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)))
def test_consecutive_days_advance_the_lunar_day(d: date) -> None:
    today, tomorrow = solar_to_lunar(d), solar_to_lunar(date.fromordinal(d.toordinal() + 1))
    assert tomorrow.day == today.day + 1 or (tomorrow.day == 1 and today.day in (29, 30))


def test_a_day_just_before_a_late_new_moon_is_the_30th_not_day_zero() -> None:
    # The month estimate runs one month late here; found by the round-trip property test.
    assert solar_to_lunar(date(2062, 4, 9)) == LunarDate(2062, 2, 30)
    assert lunar_to_solar(2062, 2, 30) == date(2062, 4, 9)
