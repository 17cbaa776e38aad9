"""Issue 14: what a citizen reads of a case (titles, next steps, no class in triage) and the
answer as an official letter (PDF); the pages served on SQLite:
tests/component/notifier/test_citizen_pages.py."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from pypdf import PdfReader

from schemas.vocabulary import TRIAGE
from services.notifier import citizen_view
from services.notifier.answer_letter import answer_pdf, font_files
from services.notifier.models import PublicCase


def _case(**changes: Any) -> PublicCase:
    fields: dict[str, Any] = {
        "case_id": "c",
        "tracking_code": "GL-2222-2222",
        "channel": "web",
        "received_at": datetime(2023, 1, 18, 2, 30, tzinfo=UTC),
        "status": "routed",
        "agency": "STNMT",
        "agency_name": "Sở Tài nguyên và Môi trường",
        "case_class": "regulation",
        "kind": "kien_nghi",
        "content": "Đề nghị sửa quy định về hạn mức công nhận đất ở cho phù hợp thực tế.",
        "due_classify": date(2023, 1, 30),
        "due_answer": date(2023, 2, 8),
    }
    return PublicCase(**{**fields, **changes})


def test_an_untitled_case_is_titled_by_the_first_words_of_its_question() -> None:
    assert citizen_view.headline(_case(title="Hạn mức đất ở")) == "Hạn mức đất ở"
    words = " ".join(f"từ{n}" for n in range(30))
    headline = citizen_view.headline(_case(title="", content=words))
    assert headline.startswith("từ0 từ1") and headline.endswith("…") and "từ20" not in headline
    short = citizen_view.headline(_case(title="", content="Đề nghị bỏ bản sao."))
    assert short == "Đề nghị bỏ bản sao"
    empty = citizen_view.headline(_case(title="", content=""))
    assert empty == "Phản ánh, kiến nghị tiếp nhận ngày 18/01/2023"
    assert "GL-" not in headline + short + empty


def test_a_case_in_triage_shows_no_class_and_says_what_happens_next() -> None:
    triage = _case(agency=TRIAGE, agency_name="Văn phòng UBND tỉnh")
    assert citizen_view.class_shown(triage) == ""
    steps = " ".join(citizen_view.next_steps(triage))
    assert "30/01/2023" in steps and "08/02/2023" in steps and "cơ quan" in steps
    placed = _case()
    assert citizen_view.class_shown(placed) == "Quy định hành chính — Kiến nghị"
    assert "Sở Tài nguyên và Môi trường" in citizen_view.next_steps(placed)[0]
    assert citizen_view.class_shown(_case(status="refused")) == ""
    assert "PDF" in " ".join(citizen_view.next_steps(_case(status="answered")))


def test_the_answer_letter_has_a_number_a_date_and_a_signer_role() -> None:
    case = _case(status="answered", answered_on=date(2023, 2, 6), answer="Đã tiếp thu.")
    letter = citizen_view.letter_of(case)
    assert letter.number == "GL-2222-2222/TL-STNMT" and letter.day == date(2023, 2, 6)
    assert "Thủ trưởng cơ quan" in letter.signer_role and "Sở Tài nguyên" in letter.signer_role


def test_the_letter_is_a_pdf_with_the_vietnamese_text_whole() -> None:
    assert all(path.is_file() for path in font_files())
    case = _case(
        status="answered",
        title="Hạn mức công nhận đất ở",
        answered_on=date(2023, 2, 6),
        answer="Sở đã tiếp thu, sẽ trình sửa đổi hạn mức trong quý tới.",
        legal_basis="Luật Đất đai 2013",
    )
    data = answer_pdf(
        case, province="Gia Lai", office_name="Văn phòng UBND tỉnh Gia Lai", page_url="http://x"
    )
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: GL-2222-2222/TL-STNMT",
        "Gia Lai, ngày 06 tháng 02 năm 2023",
        "Sở đã tiếp thu, sẽ trình sửa đổi hạn mức trong quý tới.",
        "đề nghị sửa quy định về hạn mức công nhận đất ở",
        "Căn cứ: Luật Đất đai 2013",
        "THỦ TRƯỞNG CƠ QUAN",
    ):
        assert expected.lower() in text.lower(), expected
    assert reader.metadata is not None and "GL-2222-2222" in str(reader.metadata.title)
