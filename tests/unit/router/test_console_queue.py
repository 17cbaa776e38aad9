"""The queue: sorted by the deadline that binds now, overdue and due-soon marked, filtered."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

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
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import DISTRICT, LAND_RULE

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


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path, today=date(2023, 3, 17))
    await harness.accept("land", {**LAND_RULE, "regulation": "QĐ 22/2016/QĐ-UBND"})
    await harness.accept("dist", DISTRICT)
    yield harness
    await harness.close()


async def test_the_queue_page_marks_overdue_cases_and_filters(console: Console) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = await supervisor.get("/can-bo/?co_quan=*")
    assert page.status_code == 200
    # Received Monday 6 March; on Friday 17 March the 5-day forwarding deadline (13th) passed.
    assert page.text.count("13/03/2023 — Quá hạn") == 2
    assert '<th scope="col">Hạn đang áp dụng</th>' in page.text
    only_land = (await supervisor.get("/can-bo/?co_quan=*&van_ban=22/2016")).text
    assert "GL-LAND" in only_land and "GL-DIST" not in only_land
    by_channel = (await supervisor.get("/can-bo/?co_quan=*&kenh=hotline")).text
    assert "GL-LAND" not in by_channel and "Không có hồ sơ nào" in by_channel
    by_date = (await supervisor.get("/can-bo/?co_quan=*&tu_ngay=2023-03-07")).text
    assert "GL-LAND" not in by_date
    behaviour = (await supervisor.get("/can-bo/?co_quan=*&loai=behaviour")).text
    assert "GL-DIST" in behaviour and "GL-LAND" not in behaviour
    bad = await supervisor.get("/can-bo/?co_quan=*&tu_ngay=hôm-qua")
    assert bad.status_code == 400 and "không đúng dạng ngày" in bad.text


async def test_user_text_is_escaped_and_private_pages_are_not_cached_or_framed(
    console: Console,
) -> None:
    hostile = '<script>alert("x")</script>'
    await console.accept(
        "xss", {**LAND_RULE, "title": hostile + " hạn mức đất ở"}, name=f"<b>{hostile}</b>"
    )
    officer = await console.officer("cb.stnmt", "STNMT")
    for path in ("/can-bo/", "/can-bo/ho-so/xss"):
        response = await officer.get(path)
        assert hostile not in response.text and "&lt;script&gt;" in response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_the_rule_filter_shows_words_and_keeps_the_ids(console: Console) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = (await supervisor.get("/can-bo/?co_quan=*")).text
    select = re.search(r'<select id="quy_tac" name="quy_tac">(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options == [
        ("", "Tất cả"),
        ("actor.local_authority", "Hành vi hành chính của UBND xã, huyện"),
        ("field.STNMT", "Lĩnh vực quản lý của Sở Tài nguyên và Môi trường"),
    ]
    # The id is what the link carries, as before: a filtered queue, the rule chosen.
    only_land = (await supervisor.get("/can-bo/?co_quan=*&quy_tac=field.STNMT")).text
    assert "GL-LAND" in only_land and "GL-DIST" not in only_land
    assert '<option value="field.STNMT" selected>Lĩnh vực quản lý của' in only_land
