"""The quarterly and on-demand reports (issue 14): the figures against the cases in the
database, the XLSX and the PDF read back, and who may see which report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from services.router.models import OPEN_STATUSES, RoutedCase, RoutingHop
from services.router.reports import pdf, xlsx
from services.router.reports.figures import NO_REGULATION, Report, compute
from services.router.reports.period import PeriodError, days, quarter_of
from tests.unit.router.console_support import Console

TODAY = date(2026, 5, 20)  # in the second quarter: the first one is over
REG = "Quyết định số 22/2016/QĐ-UBND"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# (case id, agency, channel, class, kind, regulation, received, status, closed, due_answer)
CASES = [
    # Answered on time: received Mon 5 Jan, answered Mon 12 Jan = 6 working days (Saturday
    # 10 Jan 2026 is worked in exchange for Friday 2 Jan).
    ("c1", "STNMT", "web", "regulation", "kien_nghi", REG, "2026-01-05T09:00+07:00",
     "answered", "2026-01-12T10:00+07:00", date(2026, 1, 19)),
    # Answered late: 2 Mar to 20 Mar = 14 working days, due 16 Mar.
    ("c2", "STNMT", "email", "behaviour", "phan_anh", f" {REG} ", "2026-03-02T08:00+07:00",
     "answered", "2026-03-20T15:00+07:00", date(2026, 3, 16)),
    # Transferred from STNMT to STP, in hand and overdue now.
    ("c3", "STP", "hotline", "regulation", "phan_anh", "", "2026-03-10T10:00+07:00",
     "taken", None, date(2026, 3, 24)),
    # The last minutes of the quarter (in UTC it is still 31 March, 16:30).
    ("c4", "STP", "post", "regulation", "kien_nghi", "", "2026-03-31T23:30+07:00",
     "routed", None, date(2026, 6, 30)),
    # The first minutes of the second quarter (in UTC still 31 March, 17:30): not in Q1.
    ("c5", "STNMT", "web", "regulation", "kien_nghi", "", "2026-04-01T00:30+07:00",
     "routed", None, date(2026, 4, 15)),
    # Still in the triage queue, overdue.
    ("c6", "TRIAGE", "web", "regulation", "phan_anh", "", "2026-02-10T08:00+07:00",
     "routed", None, date(2026, 2, 24)),
    # Answered in the last quarter of 2025, received before: in no figure of Q1 2026.
    ("c7", "STNMT", "web", "regulation", "phan_anh", "", "2025-12-01T08:00+07:00",
     "answered", "2025-12-05T08:00+07:00", date(2025, 12, 15)),
]  # fmt: skip


async def _seed(console: Console) -> None:
    async with console.router.service.db.transaction() as session:
        for cid, agency, channel, cls, kind, reg, received, status, closed, due in CASES:
            received_at = _at(received)
            session.add(
                RoutedCase(
                    case_id=cid,
                    tracking_code=f"GL-{cid.upper()}",
                    channel=channel,
                    received_at=received_at,
                    title=f"Phản ánh {cid}",
                    regulation=reg,
                    agency=agency,
                    status=status,
                    case_class=cls,
                    kind=kind,
                    rule_id="test",
                    rules_version="test",
                    confidence=1.0,
                    due_classify=due,
                    due_forward=due,
                    due_answer=due,
                    calendar_version="test",
                    updated_at=_at(closed) if closed else received_at,
                )
            )
        session.add(
            RoutingHop(
                case_id="c3",
                hop=2,
                agency="STP",
                from_agency="STNMT",
                rule_id="transfer",
                reason="Thuộc thẩm quyền Sở Tư pháp",
                step="transfer",
                at=_at("2026-03-11T09:00+07:00"),
            )
        )
        session.add(  # a triage decision is not a transfer
            RoutingHop(
                case_id="c1",
                hop=2,
                agency="STNMT",
                from_agency="TRIAGE",
                rule_id="assign",
                step="assign",
                at=_at("2026-01-06T09:00+07:00"),
            )
        )


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path, today=TODAY)
    await _seed(harness)
    yield harness
    await harness.close()


async def _report(console: Console, agency: str | None, period: object = None) -> Report:
    service = console.router.service
    async with service.db.session() as session:
        return await compute(
            session,
            agency=agency,
            period=period or quarter_of(2026, 1),  # type: ignore[arg-type]
            today=TODAY,
            calendar=service.core.calendar,
            agencies=service.core.agencies,
            name_of=console.app.state.console.agency_label,
        )


def test_periods() -> None:
    q1 = quarter_of(2026, 1)
    assert (q1.start, q1.end, q1.label) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        "Quý I năm 2026 (từ ngày 01/01/2026 đến ngày 31/03/2026)",
    )
    assert quarter_of(2024, 4).end == date(2024, 12, 31)
    assert days(date(2026, 4, 1), date(2026, 6, 30)).quarter == 2  # a whole quarter is named
    assert days(date(2026, 4, 1), date(2026, 6, 29)).quarter is None
    begin, until = q1.utc_bounds()
    assert begin == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert until == datetime(2026, 3, 31, 17, tzinfo=UTC)
    for bad in ((2026, 5), (1999, 1)):
        with pytest.raises(PeriodError):
            quarter_of(*bad)
    with pytest.raises(PeriodError):
        days(date(2026, 2, 1), date(2026, 1, 1))


async def test_the_province_figures_match_the_database(console: Console) -> None:
    report = await _report(console, None)
    t = report.total
    assert report.scope_name == "Toàn tỉnh" and report.is_province
    # Straight from the table: what the report must agree with.
    begin, until = quarter_of(2026, 1).utc_bounds()
    async with console.router.service.db.session() as session:
        rows = (await session.exec(select(RoutedCase))).all()
    received = [c for c in rows if begin <= c.received_at < until]
    assert t.received == len(received) == 5  # c1, c2, c3, c4, c6
    assert {c.case_id for c in received} == {"c1", "c2", "c3", "c4", "c6"}
    assert (t.answered, t.on_time, t.late) == (2, 1, 1)
    assert t.answer_days == [6, 14] and t.average_days == 10.0
    assert t.on_time_percent == 50.0
    open_now = [c for c in rows if c.status in OPEN_STATUSES]
    assert t.open_now == len(open_now) == 4  # c3, c4, c5, c6: "now", whatever the period
    assert t.overdue_now == sum(c.due_answer < TODAY for c in open_now) == 3
    assert t.transferred_in == 1  # one transfer; the triage assignment is not one

    channels = {row.key: row.count for row in report.by_channel}
    assert channels == {"web": 2, "portal": 0, "email": 1, "hotline": 1, "post": 1}
    classes = {row.key: row.count for row in report.by_class}
    assert classes == {
        "regulation/phan_anh": 2,
        "regulation/kien_nghi": 2,
        "behaviour/phan_anh": 1,
        "behaviour/kien_nghi": 0,
    }
    fields = {row.label: row.count for row in report.by_field}
    assert fields["Đất đai"] == 2 and fields["Hộ tịch"] == 2  # STNMT's and STP's first field
    assert sum(fields.values()) == 5
    regulations = [(row.label, row.count) for row in report.by_regulation]
    assert regulations == [(REG, 2), (NO_REGULATION, 3)]  # spaces around a name ignored

    lines = {s.code: s for s in report.lines}
    assert lines["TRIAGE"] == report.lines[-1]  # the triage queue comes last
    stnmt, stp = lines["STNMT"], lines["STP"]
    assert (stnmt.received, stnmt.answered, stnmt.on_time, stnmt.late) == (2, 2, 1, 1)
    assert (stnmt.open_now, stnmt.overdue_now, stnmt.transferred_out) == (1, 1, 1)
    assert (stp.received, stp.open_now, stp.overdue_now, stp.transferred_in) == (2, 2, 1, 1)
    assert [(m.from_agency, m.to_agency, m.count) for m in report.transfers] == [
        ("STNMT", "STP", 1)
    ]


async def test_an_agency_report_holds_its_own_cases_only(console: Console) -> None:
    report = await _report(console, "STP")
    assert report.scope_name == "Sở Tư pháp"
    assert [s.code for s in report.lines] == ["STP"]
    t = report.total
    assert (t.received, t.answered, t.open_now, t.overdue_now) == (2, 0, 2, 1)
    assert (t.transferred_out, t.transferred_in) == (0, 1)
    assert {row.key: row.count for row in report.by_channel if row.count} == {
        "hotline": 1,
        "post": 1,
    }
    second = await _report(console, "STNMT", quarter_of(2026, 2))
    assert (second.total.received, second.total.answered, second.total.transferred_out) == (
        1,
        0,
        0,
    )


async def test_the_workbook_reads_back(console: Console) -> None:
    report = await _report(console, None)
    book = load_workbook(BytesIO(xlsx.workbook(report)))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo kênh",
        "Theo lĩnh vực",
        "Theo loại",
        "Theo cơ quan",
        "Theo văn bản",
        "Chuyển xử lý",
    ]
    summary = book["Tổng hợp"]
    assert summary["A1"].value == (
        "Báo cáo tình hình tiếp nhận, xử lý phản ánh, kiến nghị — Toàn tỉnh"
    )
    assert "Quý I năm 2026" in str(summary["A2"].value)
    figures = {row[0]: row[1] for row in summary.iter_rows(min_row=6, values_only=True) if row[0]}
    assert figures["Số phản ánh, kiến nghị tiếp nhận trong kỳ (được chấp nhận xử lý)"] == 5
    assert figures["— trong đó trả lời đúng hạn"] == 1
    assert figures["— trong đó trả lời quá hạn"] == 1
    assert figures["Tỷ lệ trả lời đúng hạn (%)"] == 50.0
    assert figures["Số ngày làm việc trung bình để trả lời"] == 10.0
    assert figures["— trong đó đã quá hạn trả lời tại ngày 20/05/2026"] == 3
    channels = dict(book["Theo kênh"].iter_rows(min_row=2, values_only=True))
    assert channels["Đường dây nóng"] == 1 and channels["Cộng"] == 5
    by_agency = {row[0]: row for row in book["Theo cơ quan"].iter_rows(min_row=2, values_only=True)}
    assert by_agency["STNMT"][2:6] == (2, 2, 1, 1)
    assert by_agency["STP"][8:12] == (2, 1, 0, 1)
    assert by_agency[None][1:3] == ("Toàn tỉnh", 5)
    moves = list(book["Chuyển xử lý"].iter_rows(min_row=2, values_only=True))
    assert moves == [("Sở Tài nguyên và Môi trường", "Sở Tư pháp", 1)]


async def test_the_pdf_reads_back_in_vietnamese(console: Console) -> None:
    report = await _report(console, "STNMT")
    body = pdf.document(report)
    assert body.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for expected in (
        "Báo cáo tình hình tiếp nhận, xử lý phản ánh, kiến nghị — Sở Tài nguyên và Môi trường",
        "Quý I năm 2026",
        "Tiếp nhận theo kênh",
        "Thư điện tử",
        "Đất đai",
        "Tỷ lệ trả lời đúng hạn (%) 50,0%",
        "Số ngày làm việc trung bình để trả lời 10,0",
        "Số hồ sơ cơ quan đã chuyển đi trong kỳ 1",
        REG,
    ):
        assert expected in flat, expected
    assert "Sở Tư pháp" in flat  # where its transfer went, and nothing of STP's own figures
    assert "Hộ tịch" not in flat


def test_the_packaged_font_has_every_vietnamese_letter() -> None:
    """The PDF's font ships in the package (no system font needed) and covers Vietnamese."""
    from fontTools.ttLib import TTFont

    letters = (
        "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
    )
    for name in ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"):
        path = pdf.FONTS / name
        assert path.is_file() and (pdf.FONTS / "LICENSE-DejaVu.txt").is_file()
        cmap = TTFont(path).getBestCmap()
        missing = [c for c in letters + letters.upper() + "—–…%" if ord(c) not in cmap]
        assert not missing, (name, missing)
