"""Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's astronomical algorithm.

Months start on the day of the new moon and the winter solstice falls in month 11,
both reckoned in Vietnam's time zone (UTC+7). The zone matters: it is why Vietnam's
Tết differs from China's in some years (1985, 2007). The approximations of the moon's
and the sun's positions are accurate to minutes, ample for whole days, in the range
used here (roughly 1900–2199); dates before 1968, when the North used UTC+8, are
computed in UTC+7 all the same.

Only the Gregorian calendar is handled: `date.toordinal()` gives the Julian day number.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import NamedTuple

__all__ = ["LunarDate", "hung_kings_day", "lunar_to_solar", "solar_to_lunar", "tet"]

TIME_ZONE_HOURS = 7.0
_JDN_OFFSET = 1_721_425  # Julian day number of date.fromordinal(0)
_SYNODIC_MONTH = 29.530588853
_NEW_MOON_EPOCH = 2_415_021.076998695  # first new moon of 1900, the series' k = 0
_DR = math.pi / 180


class LunarDate(NamedTuple):
    year: int
    month: int
    day: int
    leap: bool = False


def _jdn(d: date) -> int:
    return d.toordinal() + _JDN_OFFSET


def _from_jdn(jdn: int) -> date:
    return date.fromordinal(jdn - _JDN_OFFSET)


def _new_moon(k: int) -> float:
    """Julian date (UT) of the k-th new moon after the one of 1 Jan 1900."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jd = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _DR)
    m = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * _DR
    mpr = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * _DR
    f = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * _DR
    c1 = (0.1734 - 0.000393 * t) * math.sin(m) + 0.0021 * math.sin(2 * m)
    c1 += -0.4068 * math.sin(mpr) + 0.0161 * math.sin(2 * mpr) - 0.0004 * math.sin(3 * mpr)
    c1 += 0.0104 * math.sin(2 * f) - 0.0051 * math.sin(m + mpr) - 0.0074 * math.sin(m - mpr)
    c1 += 0.0004 * math.sin(2 * f + m) - 0.0004 * math.sin(2 * f - m)
    c1 += -0.0006 * math.sin(2 * f + mpr) + 0.0010 * math.sin(2 * f - mpr)
    c1 += 0.0005 * math.sin(2 * mpr + m)
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd + c1 - delta_t


def _sun_longitude(jd: float) -> float:
    """Apparent longitude of the sun in radians, in [0, 2π)."""
    t = (jd - 2_451_545.0) / 36525
    t2 = t * t
    m = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * _DR
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(m)
    dl += (0.019993 - 0.000101 * t) * math.sin(2 * m) + 0.000290 * math.sin(3 * m)
    return ((l0 + dl) * _DR) % (2 * math.pi)


def _new_moon_day(k: int) -> int:
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE_HOURS / 24)


def _sun_sector(day_number: int) -> int:
    """Which of the 12 solar terms' sectors (0–11) the sun is in at local midnight."""
    return math.floor(_sun_longitude(day_number - 0.5 - TIME_ZONE_HOURS / 24) / math.pi * 6)


@lru_cache(maxsize=512)
def _month11_start(year: int) -> int:
    """Julian day number of the first day of the lunar month holding the winter solstice."""
    off = _jdn(date(year, 12, 31)) - 2_415_021
    k = math.floor(off / _SYNODIC_MONTH)
    start = _new_moon_day(k)
    if _sun_sector(start) >= 9:
        start = _new_moon_day(k - 1)
    return start


@lru_cache(maxsize=512)
def _leap_month_offset(a11: int) -> int:
    """Months after month 11 until the first month without a major solar term (the leap)."""
    k = math.floor((a11 - _NEW_MOON_EPOCH) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def solar_to_lunar(d: date) -> LunarDate:
    """The lunar date of a Gregorian date, in Vietnam's time zone."""
    day_number = _jdn(d)
    k = math.floor((day_number - _NEW_MOON_EPOCH) / _SYNODIC_MONTH)
    month_start = _new_moon_day(k + 1)
    while month_start > day_number:  # the estimate of k can be one month late near a new moon
        k -= 1
        month_start = _new_moon_day(k + 1)
    a11 = _month11_start(d.year)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _month11_start(d.year - 1)
    else:
        lunar_year = d.year + 1
        b11 = _month11_start(d.year + 1)
    diff = (month_start - a11) // 29
    month, leap = diff + 11, False
    if b11 - a11 > 365:  # thirteen months between the two solstice months: one is leap
        leap_diff = _leap_month_offset(a11)
        if diff >= leap_diff:
            month, leap = diff + 10, diff == leap_diff
    if month > 12:
        month -= 12
    if month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_year, month, day_number - month_start + 1, leap)


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """The Gregorian date of a lunar date; ValueError if that lunar date does not exist."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError(f"no lunar date {day}/{month}/{year}")
    if month < 11:
        a11, b11 = _month11_start(year - 1), _month11_start(year)
    else:
        a11, b11 = _month11_start(year), _month11_start(year + 1)
    k = math.floor(0.5 + (a11 - _NEW_MOON_EPOCH) / _SYNODIC_MONTH)
    off = (month - 11) % 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11)
        # The leap month repeats the number of the month before it.
        if leap and month != (leap_off + 9) % 12 + 1:
            raise ValueError(f"lunar year {year} has no leap month {month}")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"lunar year {year} has no leap month")
    result = _from_jdn(_new_moon_day(k + off) + day - 1)
    # Day 30 of a 29-day month would silently spill into the next month.
    if solar_to_lunar(result) != LunarDate(year, month, day, leap):
        raise ValueError(f"lunar month {month}/{year} has no day {day}")
    return result


def tet(year: int) -> date:
    """Lunar New Year's day (mùng 1 Tết) falling in the given Gregorian year."""
    return lunar_to_solar(year, 1, 1)


def hung_kings_day(year: int) -> date:
    """Giỗ Tổ Hùng Vương, the 10th day of the 3rd lunar month."""
    return lunar_to_solar(year, 3, 10)
