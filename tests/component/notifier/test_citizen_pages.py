"""Issue 14 as a citizen reads it from a notifier on a migrated SQLite database: a case's page
and its answer letter, and the published channels (page and JSON); the titles, next steps and
the letter itself: tests/unit/notifier/test_citizen_pages.py."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

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
