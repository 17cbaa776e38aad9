"""The answer as a letter to download (`/tra-cuu/{code}/van-ban.pdf`): an A4 PDF laid out
like an official reply (the agency and the national motto, number and date, subject, the
redacted question, the answer, its legal basis, the signer's role), from the public
projection only, so it holds no personal data the public page does not.

Made with fpdf2 (pure Python; LGPL-3.0) in DejaVu Serif, which has every Vietnamese letter:
the copy shipped in `services/notifier/fonts/` (Bitstream Vera licence, LICENSE.txt there),
else Debian's fonts-dejavu-core (Liberation 1.07, Debian's fonts-liberation, lacks most of
them). Without either the route answers 503 and says so.

fpdf2 (with numpy, Pillow and fontTools: ~45 MiB resident) is imported when the first
letter is made, not with this module (issue 12: the notifier's peak memory).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from sqlmodel import select

from schemas.tracking import parse_tracking_code
from services.notifier import public
from services.notifier.citizen_view import letter_of
from services.notifier.errors import NotifierError
from services.notifier.labels import vn_date
from services.notifier.models import PublicCase
from services.notifier.site import Site

if TYPE_CHECKING:
    from fpdf import FPDF

VENDORED = Path(__file__).parent / "fonts"  # DejaVu Serif, with its licence (LICENSE.txt)
FONT_DIRS = (VENDORED, Path("/usr/share/fonts/truetype/dejavu"))
FONTS = ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")  # regular, bold: the first pair found
NO_FONT = (
    "Chưa tạo được văn bản PDF: máy chủ thiếu phông chữ tiếng Việt (fonts-liberation). "
    "Nội dung câu trả lời vẫn xem được trên trang tra cứu."
)
NOT_ANSWERED = "Hồ sơ này chưa có câu trả lời để tải về."
MEDIA_TYPE = "application/pdf"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


class NoFont(NotifierError, RuntimeError):
    """No TrueType font with Vietnamese letters on this machine."""


def font_files(dirs: Sequence[Path] = FONT_DIRS) -> tuple[Path, Path]:
    for folder in dirs:
        regular, bold = (folder / name for name in FONTS)
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise NoFont(NO_FONT)


def _fit(pdf: FPDF, text: str, width: float, *, style: str, largest: float) -> None:
    """The largest size, down to 9 pt, at which `text` fits in `width` (mm)."""
    size = largest
    pdf.set_font("serif", style, size)
    while size > 9 and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font("serif", style, size)


def _text(value: str | None) -> str:
    """NFC (precomposed letters: the font's glyphs), tabs as spaces, no control characters."""
    text = unicodedata.normalize("NFC", (value or "").replace("\t", "    "))
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")


def _date_line(case: PublicCase, province: str) -> str:
    day = case.answered_on
    if day is None:
        return province
    return f"{province}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def answer_pdf(
    case: PublicCase, *, province: str, office_name: str, page_url: str, fonts: Sequence[Path] = ()
) -> bytes:
    """The letter of an answered case, as PDF bytes."""
    from fpdf import FPDF

    regular, bold = fonts or font_files()
    letter = letter_of(case)
    pdf = FPDF(format="A4")
    pdf.set_lang("vi")
    pdf.set_title(letter.subject)
    pdf.set_author(letter.agency)
    pdf.set_subject(f"Trả lời phản ánh, kiến nghị {case.tracking_code}")
    pdf.set_creator("Hệ thống PAKN tỉnh " + province)
    pdf.set_margins(left=25, top=18, right=18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("serif", "", str(regular))
    pdf.add_font("serif", "B", str(bold))
    pdf.add_font("serif", "I", str(regular))  # no italic face shipped: quotes are indented
    pdf.add_page()
    width = pdf.epw
    left_w, right_w = width * 0.42, width * 0.58
    top = pdf.get_y()
    pdf.set_font("serif", "", 12)
    pdf.multi_cell(
        left_w, 6, _text(f"UBND TỈNH {province.upper()}"), align="C", new_x="LEFT", new_y="NEXT"
    )
    _fit(pdf, _text(letter.agency.upper()), (left_w - 2) * 2, style="B", largest=12)
    pdf.multi_cell(left_w, 6, _text(letter.agency.upper()), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("serif", "", 12)
    pdf.multi_cell(left_w, 7, _text(f"Số: {letter.number}"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("serif", "", 10)
    pdf.multi_cell(left_w, 5, _text(letter.subject), align="C", new_x="LEFT", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left_w, top)
    _fit(pdf, MOTTO, right_w - 2, style="B", largest=12)
    pdf.multi_cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_x(pdf.l_margin + left_w)
    pdf.multi_cell(right_w, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_x(pdf.l_margin + left_w)
    pdf.set_font("serif", "I", 12)
    pdf.multi_cell(
        right_w, 7, _text(_date_line(case, province)), align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_y(max(left_end, pdf.get_y()) + 6)

    def para(
        text: str,
        *,
        size: float = 13,
        style: str = "",
        height: float = 6.5,
        indent: float = 0,
        align: str = "J",
        width_of: float = 0,
    ) -> None:
        pdf.set_font("serif", style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(
            width_of or width - indent, height, _text(text), align=align,
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip

    para(f"Kính gửi: Người gửi phản ánh, kiến nghị mã {case.tracking_code}.", align="C")
    pdf.ln(3)
    para(
        f"Ngày {vn_date(public.received_on(case))}, {office_name} tiếp nhận phản ánh, kiến "
        f"nghị mã {case.tracking_code} với nội dung như sau (bản công khai, đã lược bỏ thông "
        "tin cá nhân):"
    )
    pdf.ln(1)
    if case.title:
        para(case.title, size=12, style="B", height=6, indent=8)
    para(case.content, size=12, height=6, indent=8)
    pdf.ln(2)
    para(f"Về nội dung này, {letter.agency} trả lời như sau:")
    pdf.ln(1)
    para(case.answer or "")
    if case.legal_basis:
        pdf.ln(1)
        para(f"Căn cứ: {case.legal_basis}")
    pdf.ln(2)
    para(f"{letter.agency} trả lời để Quý ông/bà được biết.")
    pdf.ln(6)
    block = width * 0.45
    para(f"TM. {letter.agency.upper()}", size=12, style="B", height=6, indent=block, align="C")
    para("THỦ TRƯỞNG CƠ QUAN", size=12, height=6, indent=block, align="C")
    para(
        "(hoặc người được ủy quyền; câu trả lời đã được lãnh đạo cơ quan duyệt trên hệ thống "
        f"ngày {vn_date(case.answered_on)})",
        size=10, height=5, indent=block, align="C",
    )  # fmt: skip
    pdf.ln(8)
    para("Nơi nhận:", size=10, style="B", height=5, align="L")
    for line in ("- Người gửi phản ánh, kiến nghị;", f"- {office_name};", "- Lưu: VT."):
        para(line, size=10, height=5, align="L")
    pdf.ln(4)
    para(
        "Bản công khai tạo từ Hệ thống tiếp nhận, xử lý phản ánh, kiến nghị tỉnh "
        f"{province}; thông tin cá nhân của người gửi đã được lược bỏ. Xem tại: {page_url}",
        size=9, height=4.5, align="L",
    )  # fmt: skip
    return bytes(pdf.output())


async def _answered(service: Site, raw: str) -> PublicCase | None:
    code = parse_tracking_code(raw)
    if code is None:
        return None
    async with service.db.session() as session:
        query = select(PublicCase).where(PublicCase.tracking_code == code)
        case = (await session.exec(query)).first()
    return case if case is not None and case.status == "answered" and case.answer else None


def routes(service: Site) -> APIRouter:
    router = APIRouter()

    @router.get(
        "/tra-cuu/{code}/van-ban.pdf",
        response_class=Response,
        responses={200: {"content": {MEDIA_TYPE: {}}, "description": "the answer letter"}},
    )
    async def answer_letter(code: str) -> Response:
        case = await _answered(service, code)
        if case is None:
            raise HTTPException(status_code=404, detail=NOT_ANSWERED)
        settings = service.settings
        url = f"{settings.public_base_url.rstrip('/')}/tra-cuu/{case.tracking_code}"
        try:
            data = await asyncio.to_thread(
                answer_pdf,
                case,
                province=settings.province_name,
                office_name=settings.office_name,
                page_url=url,
            )
        except NoFont as error:
            raise HTTPException(status_code=503, detail=str(error)) from error
        name = f"tra-loi-{case.tracking_code}.pdf"
        headers = {"Content-Disposition": f'inline; filename="{name}"'}
        return Response(data, media_type=MEDIA_TYPE, headers=headers)

    return router
