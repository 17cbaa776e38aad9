"""Issue 14: what a citizen reads of a case (titles, next steps, no class in triage), the
answer as an official letter (PDF), and the published channels (page and JSON)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from schemas.vocabulary import TRIAGE
from services.notifier import citizen_view
from services.notifier.answer_letter import answer_pdf, font_files
from services.notifier.models import PublicCase
from tests.unit.notifier.builders import (
    HOA,
    accepted,
    answered,
    apply,
    client,
    code,
    migrated_notifier,
    routed,
)


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


async def test_the_case_page_and_its_letter_for_an_answered_case(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tracking_code = code()
    await apply(
        service,
        accepted("case-1", tracking_code, **{**HOA, "title": ""}),
        routed("case-1", tracking_code, title="", content=HOA["content"]),
        answered("case-1", tracking_code, "Sở đã tiếp thu kiến nghị."),
    )
    async with client(service) as http:
        page = await http.get(f"/tra-cuu/{tracking_code}")
        letter = await http.get(f"/tra-cuu/{tracking_code}/van-ban.pdf")
        missing = await http.get("/tra-cuu/GL-2222-2222/van-ban.pdf")
        answers = await http.get("/tra-loi")
    assert page.status_code == 200
    assert f"{tracking_code}/TL-STNMT" in page.text and "Thủ trưởng cơ quan" in page.text
    assert f'href="/tra-cuu/{tracking_code}/van-ban.pdf"' in page.text
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(letter.content)).pages)
    assert "Sở đã tiếp thu kiến nghị." in text
    for private in (HOA["name"], "0905 123 456", HOA["email"]):
        assert private not in text and private not in page.text
    assert missing.status_code == 404
    assert f"Phản ánh, kiến nghị {tracking_code}" not in answers.text  # titled by its words
    await service.db.dispose()


async def test_a_case_without_an_answer_has_no_letter(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tracking_code = code()
    await apply(service, accepted("case-2", tracking_code, **HOA))
    async with client(service) as http:
        page = await http.get(f"/tra-cuu/{tracking_code}")
        letter = await http.get(f"/tra-cuu/{tracking_code}/van-ban.pdf")
    assert letter.status_code == 404 and "van-ban.pdf" not in page.text
    assert "Việc tiếp theo" in page.text and "Phân loại</dt>" not in page.text
    await service.db.dispose()


async def test_the_published_channels_page_and_json(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, hotline_hours="7h30–17h, thứ Hai–thứ Sáu")
    async with client(service) as http:
        page = await http.get("/kenh-tiep-nhan")
        listed = (await http.get("/kenh-tiep-nhan.json")).json()
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    kinds = {c["kind"]: c for c in listed["channels"]}
    assert set(kinds) == {"web", "email", "hotline", "post"}
    assert kinds["web"]["address"].endswith("/gui-phan-anh")
    assert kinds["hotline"]["hours_vi"] == "7h30–17h, thứ Hai–thứ Sáu"
    assert kinds["email"]["address"] == service.settings.pakn_email
    assert service.settings.office_address in kinds["post"]["address"]
    assert listed["agencies"], "the packaged directory lists today's agencies"
    levels = {row["level"] for row in listed["agencies"]}
    assert "district" not in levels  # today's structure: communes, not districts
    with_mail = [row for row in listed["agencies"] if row["channels"]]
    assert with_mail and all(row["channels"][0]["address"] in page.text for row in with_mail)
    assert "7h30–17h" in page.text and 'href="/kenh-tiep-nhan.json"' in page.text
    await service.db.dispose()
