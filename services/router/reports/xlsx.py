"""The report as an Excel workbook (openpyxl): one sheet of key figures, one per breakdown.

Numbers are stored as numbers (an agency sums them again in its own tables); percentages
and averages rounded to one decimal.

openpyxl is imported when a workbook is made, not with this module: the report page uses
`summary_rows` and the router's process should not hold openpyxl (~25 MiB) until someone
downloads a workbook (issue 12)."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from services.router.reports.figures import AgencyLine, Count, Report

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | None
RECEIVED_ALL = "Tổng số nhận được trong kỳ (được tiếp nhận và không được tiếp nhận)"
ACCEPTED = "Số phản ánh, kiến nghị tiếp nhận trong kỳ (được chấp nhận xử lý)"
REFUSED = "Số không được tiếp nhận trong kỳ"
REFUSALS_SHEET = "Không tiếp nhận"
REASON_HEADING = "Lý do không tiếp nhận"


def title_of(report: Report) -> str:
    return f"Báo cáo tình hình tiếp nhận, xử lý phản ánh, kiến nghị — {report.scope_name}"


def summary_rows(report: Report) -> list[tuple[str, Cell]]:
    """The key figures, in the order of the province's form (the PDF uses them too)."""
    t = report.total
    rows: list[tuple[str, Cell]] = []
    if report.is_province:
        rows.append((RECEIVED_ALL, report.received_all))
    rows.append((ACCEPTED, t.received))
    if report.is_province:
        rows.append((REFUSED, report.refused))
    rows += [
        ("Số đã trả lời trong kỳ", t.answered),
        ("— trong đó trả lời đúng hạn", t.on_time),
        ("— trong đó trả lời quá hạn", t.late),
        ("Tỷ lệ trả lời đúng hạn (%)", _round(t.on_time_percent)),
        ("Số ngày làm việc trung bình để trả lời", _round(t.average_days)),
        (f"Đang xử lý tại ngày {report.made_on:%d/%m/%Y}", t.open_now),
        (f"— trong đó đã quá hạn trả lời tại ngày {report.made_on:%d/%m/%Y}", t.overdue_now),
    ]
    if report.is_province:
        rows.append(("Số lượt chuyển xử lý giữa các cơ quan trong kỳ", t.transferred_in))
    else:
        rows.append(("Số hồ sơ cơ quan đã chuyển đi trong kỳ", t.transferred_out))
        rows.append(("Số hồ sơ cơ quan khác chuyển đến trong kỳ", t.transferred_in))
    return rows


AGENCY_HEADERS = (
    "Mã",
    "Cơ quan",
    "Tiếp nhận",
    "Đã trả lời",
    "Đúng hạn",
    "Quá hạn",
    "Tỷ lệ đúng hạn (%)",
    "Số ngày làm việc TB",
    "Đang xử lý",
    "Đang quá hạn",
    "Chuyển đi",
    "Nhận chuyển đến",
)


def agency_row(s: AgencyLine) -> tuple[Cell, ...]:
    return (
        s.code,
        s.name,
        s.received,
        s.answered,
        s.on_time,
        s.late,
        _round(s.on_time_percent),
        _round(s.average_days),
        s.open_now,
        s.overdue_now,
        s.transferred_out,
        s.transferred_in,
    )


def workbook(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tổng hợp"
    sheet.append([title_of(report)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Kỳ báo cáo: {report.period.label}"])
    sheet.append([f"Lập ngày {report.made_on:%d/%m/%Y}"])
    sheet.append([])
    _header(sheet, ("Chỉ tiêu", "Số liệu"))
    for label, value in summary_rows(report):
        sheet.append([label, value])
    sheet.append([])
    sheet.append([report.refusals_note])
    sheet["A" + str(sheet.max_row)].alignment = Alignment(wrap_text=True)
    _widths(sheet, (70, 14))

    if report.is_province:
        _counts(book, REFUSALS_SHEET, REASON_HEADING, report.refused_by_reason, unit="Số văn bản")
    _counts(book, "Theo kênh", "Kênh tiếp nhận", report.by_channel)
    _counts(book, "Theo lĩnh vực", "Lĩnh vực", report.by_field)
    _counts(book, "Theo loại", "Nhóm — loại", report.by_class)
    lines = book.create_sheet("Theo cơ quan")
    _header(lines, AGENCY_HEADERS)
    for s in report.lines:
        lines.append(list(agency_row(s)))
    if report.is_province:
        total = agency_row(report.total)
        lines.append(["", *total[1:]])
        for cell in lines[lines.max_row]:
            cell.font = Font(bold=True)
    _widths(lines, (10, 48, *(12,) * 10))
    _counts(book, "Theo văn bản", "Văn bản quy định", report.by_regulation)
    moves = book.create_sheet("Chuyển xử lý")
    _header(moves, ("Từ cơ quan", "Đến cơ quan", "Số hồ sơ"))
    for m in report.transfers:
        moves.append([m.from_name, m.to_name, m.count])
    _widths(moves, (48, 48, 12))

    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _counts(
    book: Workbook,
    title: str,
    heading: str,
    rows: list[Count],
    unit: str = "Số phản ánh, kiến nghị",
) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    _header(sheet, (heading, unit))
    for row in rows:
        sheet.append([row.label, row.count])
    sheet.append(["Cộng", sum(row.count for row in rows)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    _widths(sheet, (70, 22))


def _header(sheet: Worksheet, names: tuple[str, ...]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(list(names))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
