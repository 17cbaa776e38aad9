"""Per-agency statistics on the legal calendar, and their page with a chart and a table."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from schemas.events import CaseEscalated
from services.notifier.domain.stats import CaseFacts, agency_stats, bars, province_total
from services.router.domain.calendar import load_calendar
from tests.unit.notifier.builders import (
    accepted,
    answered,
    apply,
    client,
    code,
    migrated_notifier,
    routed,
)

CALENDAR = load_calendar()


def _row(
    agency: str,
    received: date,
    answered_on: date | None,
    on_time: bool | None,
    overdue: bool = False,
) -> CaseFacts:
    return CaseFacts(agency, f"Cơ quan {agency}", received, answered_on, on_time, overdue)


def test_average_counts_working_days_only() -> None:
    # Received Wed 18 Jan 2023; Tết 20–26 Jan: answered Wed 1 Feb = 5 working days later.
    rows = [
        _row("STNMT", date(2023, 1, 18), date(2023, 2, 1), True),
        _row("STNMT", date(2023, 1, 18), date(2023, 2, 8), False),  # 10 working days
        _row("STNMT", date(2023, 1, 18), None, None, overdue=True),
        _row("STNMT", date(2023, 3, 1), None, None),
        _row("SXD", date(2023, 3, 1), date(2023, 3, 2), True),
    ]
    [stnmt, sxd] = agency_stats(rows, calendar=CALENDAR)
    assert (stnmt.received, stnmt.answered, stnmt.on_time, stnmt.overdue) == (4, 2, 1, 2)
    assert (stnmt.open, stnmt.open_in_time, stnmt.on_time_percent) == (2, 1, 50)
    assert stnmt.average_days == 7.5 and sxd.average_days == 1.0
    total = province_total(rows, calendar=CALENDAR)
    assert (total.received, total.answered, total.overdue) == (5, 3, 2)
    assert total.average_days == round((5 + 10 + 1) / 3, 1)


def test_bars_are_proportional_to_the_busiest_agency() -> None:
    lines = agency_stats(
        [_row("A", date(2023, 3, 1), date(2023, 3, 2), True)] * 2
        + [_row("B", date(2023, 3, 1), None, None)],
        calendar=CALENDAR,
    )
    first, second = bars(lines, width=300)
    assert first.on_time == 300 and second.open_in_time == 150 and second.y > first.y


async def test_the_page_has_a_chart_with_a_table_alternative(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    a, b = code(), code()
    await apply(
        service,
        accepted("a", a, title="Đất đai"),
        routed("a", a),
        answered("a", a, "Đã trả lời.", answered_on=date(2023, 2, 1)),
        accepted("b", b, title="Xây dựng", received_at=accepted("x", a).case.received_at),
        routed("b", b, agency="SXD", agency_name="Sở Xây dựng"),
        CaseEscalated(
            correlation_id="b",
            case_id="b",
            tracking_code=b,
            agency="SXD",
            stage="answer",
            due=date(2023, 2, 8),
        ),
    )
    async with client(service) as http:
        page = (await http.get("/thong-ke")).text
        filtered = await http.get("/thong-ke", params={"tu_ngay": "2024-01-01"})
        bad = await http.get("/thong-ke", params={"tu_ngay": "2024-13-01"})
    assert '<svg role="img" aria-labelledby="bieu-do-ten bieu-do-mo-ta"' in page
    assert '<title id="bieu-do-ten">' in page and '<desc id="bieu-do-mo-ta">' in page
    # Today, Sở Tài nguyên và Môi trường's cases count for Sở Nông nghiệp và Môi trường.
    assert (
        '<th scope="row"><a href="/tra-loi?co_quan=SNNMT">Sở Nông nghiệp và Môi trường</a></th>'
        in page
    )
    row = re.search(r"Sở Xây dựng</a></th>((?:\s*<td[^>]*>[^<]*</td>)+)", page)
    assert row is not None and re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))[:5] == [
        "1",
        "0",
        "0",
        "1",
        "1",
    ]
    assert (
        "5,0" in page
    )  # STNMT (now SNNMT): 18 Jan → 1 Feb 2023 is 5 working days (Tết in between)
    assert "<script" not in page
    assert "Chưa có phản ánh" in filtered.text and bad.status_code == 400
    await service.db.dispose()
