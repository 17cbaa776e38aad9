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

from schemas.events import CaseRefused
from schemas.vocabulary import REFUSAL_VI
from services.kit.consumer import Pipeline
from services.kit.transport import Message
from services.router.models import OPEN_STATUSES, RefusedItem, RoutedCase
from services.router.reports import pdf, xlsx
from services.router.reports.figures import NO_REGULATION, Report, compute
from services.router.reports.period import PeriodError, days, quarter_of
from tests.component.router.report_seed import (
    REFUSALS,
    REG,
    TODAY,
    add_cases,
    refused_event,
)
from tests.component.router.report_seed import at as _at
from tests.unit.router.console_support import Console


async def refuse(console: Console, event: CaseRefused) -> None:
    """The router reads `event` from its case-event topic, as on Kafka."""
    topic = console.router.topics.case_events
    await console.router._cases(Message(topic=topic, value=event.model_dump_json().encode()))


async def _seed(console: Console) -> None:
    for refusal in REFUSALS:
        await refuse(console, refused_event(*refusal))
    async with console.router.service.db.transaction() as session:
        add_cases(session)


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

    # Refused, by reason: every reason in the vocabulary's order, zeros included.
    refused = {row.key: row.count for row in report.refused_by_reason}
    assert list(refused) == list(REFUSAL_VI)
    assert refused == {
        "missing_contact": 1,
        "not_vietnamese": 0,  # r4 is in the second quarter
        "empty_content": 0,
        "complaint_or_denunciation": 0,
        "duplicate": 2,
        "not_administrative": 0,
    }
    labels = {row.key: row.label for row in report.refused_by_reason}
    assert labels["duplicate"] == "Trùng với một phản ánh, kiến nghị đã tiếp nhận"
    assert report.refused == 3
    assert report.received_all == t.received + report.refused == 8


async def test_an_agency_report_holds_its_own_cases_only(console: Console) -> None:
    report = await _report(console, "STP")
    assert report.scope_name == "Sở Tư pháp"
    # A refused item goes to no agency: the province's report counts it, and says so here.
    assert report.refused_by_reason == [] and report.refused == 0
    assert "báo cáo toàn tỉnh" in report.refusals_note
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
        "Không tiếp nhận",
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
    assert figures["Số không được tiếp nhận trong kỳ"] == 3
    assert figures["Tổng số nhận được trong kỳ (được tiếp nhận và không được tiếp nhận)"] == 8
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
    reasons = list(book["Không tiếp nhận"].iter_rows(values_only=True))
    assert reasons[0] == ("Lý do không tiếp nhận", "Số văn bản")
    assert reasons[1] == ("Thiếu họ tên hoặc thông tin liên hệ của người gửi", 1)
    assert ("Trùng với một phản ánh, kiến nghị đã tiếp nhận", 2) in reasons
    assert ("Không viết bằng tiếng Việt", 0) in reasons
    assert reasons[-1] == ("Cộng", 3)

    agency = load_workbook(BytesIO(xlsx.workbook(await _report(console, "STP"))))
    assert "Không tiếp nhận" not in agency.sheetnames
    notes = [row[0] for row in agency["Tổng hợp"].iter_rows(values_only=True) if row[0]]
    assert any("báo cáo toàn tỉnh" in str(note) for note in notes)


async def test_the_province_pdf_shows_the_refusals_by_reason(console: Console) -> None:
    report = await _report(console, None)
    reader = PdfReader(BytesIO(pdf.document(report)))
    flat = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Tổng số nhận được trong kỳ (được tiếp nhận và không được tiếp nhận) 8",
        "Số không được tiếp nhận trong kỳ 3",
        "III. Không được tiếp nhận, theo lý do",
        "Lý do không tiếp nhận Số văn bản",
        "Thiếu họ tên hoặc thông tin liên hệ của người gửi 1",
        "Trùng với một phản ánh, kiến nghị đã tiếp nhận 2",
        "Là khiếu nại, tố cáo (không thuộc phạm vi phản ánh, kiến nghị) 0",
        "Cộng 3",
    ):
        assert expected in flat, expected


async def test_a_refusal_is_kept_once_per_case(console: Console) -> None:
    """The handler writes one row per case; the same case refused again under another event
    id (a replayed intake event) changes nothing, nor does the same event delivered twice."""
    first = refused_event("r9", "hotline", "empty_content", "2026-02-20T08:00+07:00")
    await refuse(console, first)
    await refuse(console, first)  # redelivered
    again = refused_event("r9", "web", "not_administrative", "2026-02-21T08:00+07:00")
    assert again.event_id != first.event_id
    await refuse(console, again)
    # Twice in one batch (one transaction), under two event ids: one row still.
    pipeline = console.router._cases
    assert isinstance(pipeline, Pipeline)
    twice = [refused_event("r11", "web", "duplicate", "2026-02-23T08:00+07:00") for _ in range(2)]
    topic = console.router.topics.case_events
    await pipeline.consume(
        [Message(topic=topic, value=e.model_dump_json().encode()) for e in twice]
    )
    odd = refused_event("r10", "web", "a_new_reason", "2026-02-22T08:00+07:00")
    await refuse(console, odd)  # a reason the vocabulary does not know yet: shown as its code
    async with console.router.service.db.session() as session:
        row = await session.get(RefusedItem, "r9")
        assert row is not None
        assert (row.channel, row.reason) == ("hotline", "empty_content")
        assert row.received_at == _at("2026-02-20T08:00+07:00")
        assert len((await session.exec(select(RefusedItem))).all()) == len(REFUSALS) + 3
    refused = {row.key: row.count for row in (await _report(console, None)).refused_by_reason}
    assert refused["empty_content"] == 1 and refused["not_administrative"] == 0
    assert refused["duplicate"] == 3  # r2, r3 and r11 once
    assert list(refused)[-1] == "a_new_reason" and refused["a_new_reason"] == 1
    assert console.router.bus.topics.get(console.router.topics.case_events + ".dlq") is None


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
        "III. Không được tiếp nhận, theo lý do",
        "có trong báo cáo toàn tỉnh",
        REG,
    ):
        assert expected in flat, expected
    assert "Lý do không tiếp nhận" not in flat  # the province's figure only
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


def test_every_refusal_reason_has_its_one_label() -> None:
    """The intake's reason codes all have a label in the shared vocabulary, worded as the
    notifier's public pages word them."""
    from services.intake.domain.admissibility import RefusalReason
    from services.notifier.labels import REFUSAL_VI as NOTIFIER_WORDING

    assert set(REFUSAL_VI) == {reason.value for reason in RefusalReason}
    assert dict(REFUSAL_VI) == NOTIFIER_WORDING
