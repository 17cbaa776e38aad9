"""What a citizen reads of a case, in plain words: a title when the submitter gave none,
what happens next, whether a class may be shown, and the answer as an official letter
(its number, date and signer).

Pure functions of the public projection (`PublicCase`: redacted text only), used by the
case page, the answers list and the answer letter (PDF), so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.vocabulary import TRIAGE
from services.notifier import public
from services.notifier.labels import vn_date
from services.notifier.models import PublicCase

HEADLINE_WORDS = 14
HEADLINE_CHARS = 100
# The national PAKN system: a case routed there leaves the province.
NATIONAL = "QG"


def headline(case: PublicCase) -> str:
    """The title as given, else the first words of the (redacted) question, else the day it
    was received: never a bare tracking code."""
    if case.title.strip():
        return case.title.strip()
    words = (case.content or "").split()
    if not words:
        return f"Phản ánh, kiến nghị tiếp nhận ngày {vn_date(public.received_on(case))}"
    whole = " ".join(words)
    shown = " ".join(words[:HEADLINE_WORDS])
    if len(shown) > HEADLINE_CHARS:
        shown = shown[: HEADLINE_CHARS - 1].rsplit(" ", 1)[0]
    cut = shown != whole
    shown = shown.rstrip(" ,.;:-–")
    return shown + ("…" if cut else "")


def in_triage(case: PublicCase) -> bool:
    return case.status in ("received", "routed") and case.agency in (None, "", TRIAGE)


def class_shown(case: PublicCase) -> str:
    """The class and kind, only once an agency has the case: a case waiting in the triage
    queue (or not yet routed, or refused) was not classified."""
    if in_triage(case) or case.status == "refused":
        return ""
    return public.class_vi(case)


def next_steps(case: PublicCase) -> list[str]:
    """What happens next, in plain words, from the case's status and deadlines."""
    due = vn_date(case.due_answer)
    by_answer = f" chậm nhất ngày {due}" if due else ""
    if case.status == "refused":
        steps = ["Phản ánh, kiến nghị này không được tiếp nhận xử lý; lý do ghi ở trên."]
        if public.guidance_vi(case):
            steps.append(f"Quý ông/bà có thể gửi đến: {public.guidance_vi(case)}.")
        return steps
    if case.status == "answered":
        return [
            "Cơ quan có thẩm quyền đã trả lời; câu trả lời ở dưới và có thể tải về dạng văn bản "
            "(PDF).",
            "Nếu chưa đồng ý với câu trả lời, Quý ông/bà có thể gửi phản ánh, kiến nghị mới, "
            "ghi rõ mã tra cứu này.",
        ]
    if case.status == "waiting_info":
        return [
            "Cơ quan xử lý cần Quý ông/bà bổ sung thông tin (đã báo qua thư điện tử, điện "
            "thoại hoặc thư gửi); thời hạn tạm dừng cho đến khi nhận được thông tin bổ sung.",
            "Xin trả lời theo hướng dẫn của cơ quan hoặc gọi đường dây nóng, đọc mã tra cứu.",
        ]
    if in_triage(case):
        classify = vn_date(case.due_classify)
        return [
            "Văn phòng UBND tỉnh đang xem xét nội dung để chọn cơ quan có thẩm quyền xử lý"
            + (f" (hạn phân loại: ngày {classify})." if classify else "."),
            f"Sau đó cơ quan được giao xử lý và trả lời{by_answer}.",
            "Trang này cập nhật ngay khi hồ sơ được chuyển; Quý ông/bà có thể quay lại bất cứ "
            "lúc nào với mã tra cứu.",
        ]
    agency = public.agency_vi(case)
    if case.agency == NATIONAL:
        return [
            f"Nội dung thuộc thẩm quyền của cơ quan trung ương nên đã được chuyển đến {agency}.",
            "Câu trả lời của cơ quan trung ương được công khai trên Hệ thống tiếp nhận, trả lời "
            "phản ánh, kiến nghị quốc gia.",
        ]
    steps = [f"{agency} đang xem xét, xử lý phản ánh, kiến nghị này."]
    steps.append(
        f"Cơ quan sẽ trả lời{by_answer}; câu trả lời được gửi đến Quý ông/bà và công khai tại "
        "trang này (đã xóa thông tin cá nhân)."
    )
    if public.is_overdue(case):
        steps.append("Hồ sơ đã quá hạn: Văn phòng UBND tỉnh đã được báo để đôn đốc cơ quan xử lý.")
    return steps


@dataclass(frozen=True)
class Letter:
    """The answer as an official letter: what its heading and signature say."""

    number: str
    day: date | None
    agency: str
    signer_role: str
    subject: str


def letter_of(case: PublicCase) -> Letter:
    """The letter's number (the tracking code with the answering agency's code, so that it
    is unique and says who answered), its date and its signer: the agency's head or the
    person the head authorised, who approved the answer (the public data names no person)."""
    agency = public.agency_vi(case)
    code = case.agency or "VPUB"
    return Letter(
        number=f"{case.tracking_code}/TL-{code}",
        day=case.answered_on,
        agency=agency,
        signer_role=f"Thủ trưởng cơ quan (hoặc người được ủy quyền) — {agency}",
        subject=f"V/v trả lời phản ánh, kiến nghị mã {case.tracking_code}",
    )
