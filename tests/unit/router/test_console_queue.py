"""The queue: sorted by the deadline that binds now, overdue and due-soon marked, filtered
(the page on SQLite: tests/component/router/test_console_queue.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.router.console.queue import (
    FilterError,
    QueueFilters,
    paginate,
    parse_filters,
    row_of,
)
from services.router.domain.calendar import load_calendar
from services.router.models import RoutedCase

CALENDAR = load_calendar()


def _case(
    case_id: str, *, status: str = "routed", agency: str = "STNMT", **dues: date
) -> RoutedCase:
    return RoutedCase(
        case_id=case_id,
        tracking_code=case_id.upper(),
        channel="web",
        received_at=datetime(2023, 3, 6, 1, tzinfo=UTC),
        agency=agency,
        status=status,
        case_class="regulation",
        kind="kien_nghi",
        rule_id="r",
        rules_version="v",
        confidence=1.0,
        due_classify=dues.get("classify", date(2023, 3, 9)),
        due_forward=dues.get("forward", date(2023, 3, 13)),
        due_answer=dues.get("answer", date(2023, 3, 20)),
        calendar_version="c",
    )


def test_the_binding_deadline_and_its_mark() -> None:
    today = date(2023, 3, 13)  # a Monday
    routed = row_of(_case("a"), today=today, calendar=CALENDAR, due_soon_days=2)
    assert (routed.stage, routed.due, routed.mark) == ("forward", date(2023, 3, 13), "due_soon")
    taken = row_of(_case("b", status="taken"), today=today, calendar=CALENDAR, due_soon_days=2)
    assert (taken.stage, taken.mark) == ("answer", "on_time")
    late = _case("c", status="taken", answer=date(2023, 3, 10))
    assert row_of(late, today=today, calendar=CALENDAR, due_soon_days=2).mark == "overdue"
    triage = row_of(_case("d", agency="TRIAGE"), today=today, calendar=CALENDAR, due_soon_days=2)
    assert (triage.stage, triage.mark) == ("classify", "overdue")
    paused = row_of(
        _case("e", status="waiting_info"), today=today, calendar=CALENDAR, due_soon_days=2
    )
    assert paused.due is None and paused.mark is None


def test_rows_are_sorted_by_binding_deadline_with_stopped_clocks_last() -> None:
    today = date(2023, 3, 6)
    cases = [
        _case("paused", status="waiting_info"),
        _case("later", status="taken", answer=date(2023, 3, 24)),
        _case("sooner", status="taken", answer=date(2023, 3, 8)),
        _case("routed"),  # forward 13 March
    ]
    rows = [row_of(c, today=today, calendar=CALENDAR, due_soon_days=2) for c in cases]
    page = paginate(rows, page=1, size=3)
    assert [r.case.case_id for r in page.rows] == ["sooner", "routed", "later"]
    assert (page.total, page.pages) == (4, 2)
    assert [r.case.case_id for r in paginate(rows, page=2, size=3).rows] == ["paused"]


def test_filters_are_read_from_the_query_and_bad_ones_explained() -> None:
    filters = parse_filters(
        {
            "tinh_trang": "taken",
            "kenh": "hotline",
            "tu_ngay": "2023-03-01",
            "den_ngay": "2023-03-31",
        }
    )
    assert filters == QueueFilters(
        status="taken",
        channel="hotline",
        received_from=date(2023, 3, 1),
        received_to=date(2023, 3, 31),
    )
    for bad in (
        {"kenh": "fax"},
        {"tu_ngay": "31/03/2023"},
        {"trang": "0"},
        {"tu_ngay": "2023-04-01", "den_ngay": "2023-03-01"},
    ):
        with pytest.raises(FilterError):
            parse_filters(bad)
