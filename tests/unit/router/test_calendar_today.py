"""The calendar for today: legal deadlines across the official days off of 2024–2026, 2027
from the rule until an administrator loads the notice, and the source shown for each year.

Every expected date below was counted by hand on the published schedules (the day of
receipt not counted, Saturdays worked in a swap counted).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.router.domain.calendar import (
    RULE_SOURCE,
    DayOff,
    HolidayCalendar,
    YearSource,
    YearTable,
    default_year,
    load_calendar,
)
from services.router.domain.deadlines import compute_deadlines

CAL = load_calendar()
ICT = timezone(timedelta(hours=7))


def _at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 9, 30, tzinfo=ICT)


@pytest.mark.parametrize(
    ("received", "classify", "forward", "answer"),
    [
        # Tết 2026, Sat 14 – Sun 22 Feb: received Friday 13 Feb, the 5-working-day
        # forwarding limit is Fri 27 Feb (23, 24, 25, 26, 27 Feb).
        (_at(2026, 2, 13), date(2026, 2, 25), date(2026, 2, 27), date(2026, 3, 6)),
        (_at(2026, 2, 12), date(2026, 2, 24), date(2026, 2, 26), date(2026, 3, 5)),
        # Received during Tết: Mon 23 Feb is day 1.
        (_at(2026, 2, 17), date(2026, 2, 25), date(2026, 2, 27), date(2026, 3, 6)),
        # New Year 2026: 1 and 2 Jan off, Sat 10 Jan worked.
        (_at(2025, 12, 31), date(2026, 1, 7), date(2026, 1, 9), date(2026, 1, 15)),
        # National Day 2026: Sat 22 Aug worked, 31 Aug – 2 Sep off.
        (_at(2026, 8, 21), date(2026, 8, 25), date(2026, 8, 27), date(2026, 9, 8)),
        (_at(2026, 8, 27), date(2026, 9, 4), date(2026, 9, 8), date(2026, 9, 15)),
        # Vietnamese Culture Day, Tue 24 Nov 2026.
        (_at(2026, 11, 20), date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 7)),
        # 30/4–1/5 2025: Sat 26 Apr worked (day 1), 30 Apr – 4 May off (Fri 2 May swapped).
        (_at(2025, 4, 25), date(2025, 4, 29), date(2025, 5, 6), date(2025, 5, 13)),
        # National Day 2025: Sat 30 Aug – Tue 2 Sep.
        (_at(2025, 8, 29), date(2025, 9, 5), date(2025, 9, 9), date(2025, 9, 16)),
        # Tết 2025: Sat 25 Jan – Sun 2 Feb.
        (_at(2025, 1, 24), date(2025, 2, 5), date(2025, 2, 7), date(2025, 2, 14)),
        # Tết 2024: Thu 8 – Wed 14 Feb.
        (_at(2024, 2, 7), date(2024, 2, 19), date(2024, 2, 21), date(2024, 2, 28)),
        # National Day 2024: Sat 31 Aug – Tue 3 Sep.
        (_at(2024, 8, 30), date(2024, 9, 6), date(2024, 9, 10), date(2024, 9, 17)),
        # 2027 from the rule: Tết Thu 4 – Wed 10 Feb.
        (_at(2027, 2, 3), date(2027, 2, 15), date(2027, 2, 17), date(2027, 2, 24)),
        # 2027 from the rule: 30 Apr (Fri), 1 May (Sat) given back on Mon 3 May.
        (_at(2027, 4, 29), date(2027, 5, 6), date(2027, 5, 10), date(2027, 5, 17)),
    ],
)
def test_deadlines_across_the_days_off(
    received: datetime, classify: date, forward: date, answer: date
) -> None:
    due = compute_deadlines(received, calendar=CAL)
    assert (due.classify, due.forward, due.answer) == (classify, forward, answer)


def test_an_official_2027_notice_replaces_the_rule() -> None:
    # A hypothetical notice that moves Tết one day later than the rule.
    notice = YearTable(
        year=2027,
        source="Thông báo thử nghiệm",
        official=True,
        days_off=tuple(
            DayOff(date=date(2027, 2, d), name="Tết Âm lịch") for d in (5, 8, 9, 10, 11)
        ),
    )
    loaded = CAL.with_year(notice)
    assert CAL.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert loaded.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 4)
    assert loaded.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 12)
    assert loaded.source_of(2027).kind == "official"
    assert CAL.source_of(2027).kind == "rule"


@pytest.mark.parametrize(
    ("year", "kind", "documents"),
    [
        (2023, "official", ["8056/VPCP-KGVX"]),
        (2024, "official", ["5015/TB-LĐTBXH", "2450/VPCP-KGVX"]),
        (2025, "official", ["8726/VPCP-KGVX", "6150/TB-LĐTBXH"]),
        (2026, "official", ["12729/VPCP-KGVX", "9441/TB-BNV", "28/2026/QH16"]),
        (2027, "rule", ["Bộ luật Lao động 2019"]),
        (2031, "rule", ["Bộ luật Lao động 2019"]),
    ],
)
def test_the_source_of_each_year(year: int, kind: str, documents: list[str]) -> None:
    source = CAL.source_of(year)
    assert (source.year, source.kind) == (year, kind)
    prefix = (
        "Lịch chính thức: " if kind == "official" else "Theo quy tắc, chờ thông báo chính thức: "
    )
    assert source.label.startswith(prefix)
    assert all(document in source.label for document in documents)


def test_source_labels_of_a_provisional_and_a_loaded_year() -> None:
    provisional = default_year(2027).model_copy(update={"official": False, "source": "dự kiến"})
    assert HolidayCalendar([provisional]).source_of(2027).label == (
        "Lịch tạm tính, chờ thông báo chính thức: dự kiến (bảng lịch kèm hệ thống)"
    )
    loaded = YearSource(
        year=2027,
        kind="official",
        source="Thông báo 1/TB-BNV",
        loaded_by="admin.vpub",
        loaded_at=datetime(2026, 12, 1, 20, 5, tzinfo=UTC),  # 03:05 on 2 Dec in Vietnam
    )
    assert loaded.label == (
        "Lịch chính thức: Thông báo 1/TB-BNV (do admin.vpub nạp lúc 03:05 ngày 02/12/2026)"
    )
    rule = CAL.source_of(2027)
    assert rule.label == f"Theo quy tắc, chờ thông báo chính thức: {RULE_SOURCE}"


def test_the_years_shown() -> None:
    assert list(CAL.shown_years(date(2026, 12, 2))) == [2023, 2024, 2025, 2026, 2027]
    assert list(CAL.shown_years(date(2028, 1, 5)))[-2:] == [2028, 2029]
    assert list(HolidayCalendar().shown_years(date(2026, 3, 1))) == [2026, 2027]
