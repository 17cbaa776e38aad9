"""The report as a PDF (fpdf2, pure Python): A4 landscape, the key figures, bar charts of
the refusal reasons (the province's) and of the channels, and the tables of the breakdowns.

Vietnamese needs a font with its letters: DejaVu Sans Condensed is packaged beside this
module (`fonts/`, with its licence), so the PDF is the same on any machine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from services.router.reports.figures import Count, Report, decimal, percent
from services.router.reports.xlsx import REASON_HEADING, summary_rows, title_of

MEDIA_TYPE = "application/pdf"
FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
BAR = (46, 125, 50)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, style="", fname=str(FONTS / "DejaVuSansCondensed.ttf"))
        self.add_font(FAMILY, style="B", fname=str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 5, f"{self.footer_text} — trang {self.page_no()}/{{nb}}", align="C")


def document(report: Report) -> bytes:
    title = title_of(report)
    pdf = _Document(footer_text=f"PAKN tỉnh Gia Lai — {report.scope_name}")
    pdf.set_title(title)
    pdf.set_author("Hệ thống PAKN tỉnh Gia Lai")
    pdf.set_lang("vi")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FAMILY, style="B", size=14)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.cell(0, 6, f"Kỳ báo cáo: {report.period.label}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, f"Lập ngày {report.made_on:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    _heading(pdf, "I. Số liệu tổng hợp")
    summary = [(label, _shown(label, value)) for label, value in summary_rows(report)]
    _table(pdf, ("Chỉ tiêu", "Số liệu"), summary, widths=(150, 30))
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5, report.refusals_note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    _heading(pdf, "II. Tiếp nhận theo kênh")
    _bars(pdf, report.by_channel)
    _counts(pdf, "Kênh tiếp nhận", report.by_channel)
    _heading(pdf, "III. Không được tiếp nhận, theo lý do")
    if report.is_province:
        _bars(pdf, report.refused_by_reason)
        _counts(pdf, REASON_HEADING, report.refused_by_reason, unit="Số văn bản")
    else:
        _text(pdf, report.refusals_note)
    _heading(pdf, "IV. Tiếp nhận theo lĩnh vực")
    _counts(pdf, "Lĩnh vực (lĩnh vực chính của cơ quan phụ trách)", report.by_field)
    _heading(pdf, "V. Tiếp nhận theo nhóm và loại")
    _counts(pdf, "Nhóm — loại", report.by_class)

    _heading(pdf, "VI. Kết quả xử lý theo cơ quan")
    headers = (
        "Cơ quan",
        "Tiếp nhận",
        "Đã trả lời",
        "Đúng hạn",
        "Quá hạn",
        "Tỷ lệ đúng hạn",
        "Ngày làm việc TB",
        "Đang xử lý",
        "Đang quá hạn",
        "Chuyển đi",
        "Chuyển đến",
    )
    lines = [*report.lines, report.total] if report.is_province else report.lines
    rows = [
        (
            s.name,
            str(s.received),
            str(s.answered),
            str(s.on_time),
            str(s.late),
            percent(s.on_time_percent),
            decimal(s.average_days),
            str(s.open_now),
            str(s.overdue_now),
            str(s.transferred_out),
            str(s.transferred_in),
        )
        for s in lines
    ]
    _table(pdf, headers, rows, widths=(75, *(18.2,) * 10), numbers_from=1)

    _heading(pdf, "VII. Theo văn bản quy định được phản ánh")
    _counts(pdf, "Văn bản quy định", report.by_regulation)
    _heading(pdf, "VIII. Chuyển xử lý giữa các cơ quan")
    moves = [(m.from_name, m.to_name, str(m.count)) for m in report.transfers]
    if moves:
        _table(
            pdf,
            ("Từ cơ quan", "Đến cơ quan", "Số hồ sơ"),
            moves,
            widths=(115, 115, 30),
            numbers_from=2,
        )
    else:
        _text(pdf, "Không có hồ sơ nào được chuyển trong kỳ.")
    return bytes(pdf.output())


def _shown(label: str, value: str | int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return percent(value) if "%" in label else decimal(value)
    return str(value)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, style="B", size=11)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")


def _text(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def _counts(
    pdf: FPDF, heading: str, rows: list[Count], unit: str = "Số phản ánh, kiến nghị"
) -> None:
    data = [(row.label, str(row.count)) for row in rows]
    data.append(("Cộng", str(sum(row.count for row in rows))))
    _table(pdf, (heading, unit), data, widths=(200, 40))


def _table(
    pdf: FPDF,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float],
    numbers_from: int = 1,
) -> None:
    pdf.set_font(FAMILY, size=9)
    align = tuple("LEFT" if i < numbers_from else "RIGHT" for i in range(len(headers)))
    with pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align="LEFT",
        text_align=align,
        headings_style=HEADINGS,
        line_height=5,
    ) as table:
        heading = table.row()
        for name in headers:
            heading.cell(name)
        for data in rows:
            row = table.row()
            for value in data:
                row.cell(value)
    pdf.ln(2)


def _bars(pdf: FPDF, rows: list[Count]) -> None:
    """Horizontal bars, one per row, proportional to the largest count."""
    largest = max((row.count for row in rows), default=0) or 1
    pdf.set_font(FAMILY, size=9)
    label_w, full_w, pitch = 70.0, 150.0, 6.0
    if pdf.will_page_break(pitch * len(rows) + 4):
        pdf.add_page()
    x0, y = pdf.l_margin, pdf.get_y() + 1
    pdf.set_fill_color(*BAR)
    for row in rows:
        pdf.set_xy(x0, y)
        pdf.cell(label_w - 2, pitch - 1, _fitted(pdf, row.label, label_w - 3), align="R")
        width = full_w * row.count / largest
        if width > 0:
            pdf.rect(x0 + label_w, y + 0.5, width, pitch - 2, style="F")
        pdf.set_xy(x0 + label_w + width + 1, y)
        pdf.cell(20, pitch - 1, str(row.count))
        y += pitch
    pdf.set_xy(x0, y + 2)


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    """`text`, shortened with an ellipsis to fit `width` (the table after has it whole)."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
