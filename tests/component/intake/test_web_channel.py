"""The public web form: a tracking code for a good item, a clear error for a bad one, and
the raw payload kept either way."""

from __future__ import annotations

import hashlib
import re

from schemas.tracking import parse_tracking_code
from tests.unit.intake.http_support import GOOD, PDF, Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def code_of(response: object) -> str:
    """The code of the case a sent form redirected to (303 to its receipt)."""
    location = response.headers["location"]  # type: ignore[attr-defined]
    found = re.fullmatch(r"/bien-nhan/(GL-[0-9A-Z-]+)\?moi=1", location)
    assert found, location
    return found.group(1)


def code_in(page: str) -> str:
    found = re.search(r'id="ma-tra-cuu">([^<]+)<', page)
    assert found, page
    return found.group(1)


async def test_the_form_page_is_accessible_vietnamese_and_needs_no_script(intake: Intake) -> None:
    page = (await intake.client.get("/gui-phan-anh")).text
    assert '<html lang="vi">' in page and 'enctype="multipart/form-data"' in page
    for field in ("name", "organization", "address", "phone", "email", "title", "content"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert 'type="file"' in page and "<script" not in page


async def test_a_good_item_with_a_scan_gets_a_code_a_receipt_link_and_a_stored_file(
    intake: Intake,
) -> None:
    files = [("attachments", ("Đơn kiến nghị.pdf", PDF, "application/pdf"))]
    response = await intake.client.post("/gui-phan-anh", data=GOOD, files=files)
    assert response.status_code == 303  # to the receipt: a refresh does not send it again
    code = code_of(response)
    assert parse_tracking_code(code) == code
    receipt = await intake.client.get(response.headers["location"])
    assert code_in(receipt.text) == code and "Đã tiếp nhận phản ánh" in receipt.text
    assert f"https://pakn.gialai.gov.vn/tra-cuu/{code}" in receipt.text
    (case,) = await intake.cases()
    assert (case.tracking_code, case.channel, case.status) == (code, "web", "accepted")
    assert case.attachments == ["Đơn kiến nghị.pdf"] and case.phone == "0905123456"
    (attachment,) = await intake.attachments()
    digest = hashlib.sha256(PDF).hexdigest()
    assert (attachment.case_id, attachment.sha256, attachment.size) == (case.id, digest, len(PDF))
    stored = intake.service.settings.attachment_folder / digest[:2] / f"{digest}.pdf"
    assert stored.read_bytes() == PDF
    (raw,) = await intake.raws()
    assert raw.status == "registered" and raw.case_id == case.id and PDF in raw.body
    (event,) = await intake.events()
    assert event["event_type"] == "case.accepted"
    assert event["case"]["attachments"] == ["Đơn kiến nghị.pdf"]


async def test_missing_fields_are_listed_and_linked_to_their_inputs(intake: Intake) -> None:
    form = {"name": "", "address": "", "email": "x@", "content": " ", "title": "Giữ lại tiêu đề"}
    response = await intake.client.post("/gui-phan-anh", data=form)
    assert response.status_code == 422
    page = response.text
    for anchor in ("#name", "#address", "#email", "#content"):
        assert f'<a href="{anchor}">' in page
    assert re.search(r'id="name"[^>]*aria-describedby="name-loi-1"[^>]*aria-invalid="true"', page)
    assert 'value="Giữ lại tiêu đề"' in page  # what was typed is kept
    assert await intake.cases() == []
    (raw,) = await intake.raws()
    assert raw.status == "failed" and "Họ và tên" in (raw.error or "")


async def test_html_in_every_field_is_stored_as_text_and_escaped_on_every_page(
    intake: Intake,
) -> None:
    fields = ("name", "organization", "address", "title", "content", "regulation")
    form = {**GOOD, **{f: f"{GOOD.get(f, 'Công ty')} {SCRIPT}" for f in fields}}
    response = await intake.client.post("/gui-phan-anh", data=form)
    assert response.status_code == 303, response.text
    response = await intake.client.get(response.headers["location"])
    (case,) = await intake.cases()
    assert case.title.endswith(SCRIPT) and case.name.endswith(SCRIPT)
    proof = {"lien_he": GOOD["phone"]}  # the full receipt, for the submitter
    receipt = (await intake.client.post(f"/bien-nhan/{case.tracking_code}", data=proof)).text
    assert "&lt;script&gt;" in receipt
    refused = await intake.client.post("/gui-phan-anh", data={**form, "email": "x"})
    failures = (await intake.client.get("/noi-bo/loi-tiep-nhan")).text
    for page in (response.text, receipt, refused.text, failures):
        assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in refused.text


async def test_text_that_is_not_utf8_is_refused_and_its_bytes_are_kept(intake: Intake) -> None:
    body = b"name=Nguy%E1%BB%85n&content=Kh%F4ng+ph%E3i+UTF-8"
    response = await intake.client.post(
        "/gui-phan-anh",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and "UTF-8" in response.text
    (raw,) = await intake.raws()
    assert raw.body == body and raw.status == "failed" and "UTF-8" in (raw.error or "")


async def test_an_oversized_body_is_refused_and_its_start_is_kept(intake: Intake) -> None:
    content = "quy định " * 70_000  # ~700 kB, over the ~520 kB this test service allows
    response = await intake.client.post("/gui-phan-anh", data={**GOOD, "content": content})
    assert response.status_code == 413 and "quá lớn" in response.text
    (raw,) = await intake.raws()
    assert raw.status == "failed" and "quá lớn" in (raw.error or "")
    assert 0 < len(raw.body) <= 1024 * 1024 and b"name" in raw.body


async def test_too_long_content_and_a_wrong_phone_get_field_errors(intake: Intake) -> None:
    form = {**GOOD, "content": "x" * 20_001, "phone": "12"}
    page = (await intake.client.post("/gui-phan-anh", data=form)).text
    assert '<a href="#content">Nội dung: quá dài.</a>' in page
    assert '<a href="#phone">Số điện thoại: không đúng dạng' in page


async def test_bad_attachments_are_refused_with_the_reason_and_nothing_registered(
    intake: Intake,
) -> None:
    cases = {
        "quá lớn": [("attachments", ("to.pdf", PDF + b"\0" * 5000, "application/pdf"))],
        "không thuộc định dạng": [("attachments", ("x.pdf", b"MZ\x90 exe", "application/pdf"))],
        "không khớp": [("attachments", ("anh.png", PDF, "image/png"))],
        "tối đa 2 tệp": [("attachments", (f"{i}.pdf", PDF, "application/pdf")) for i in range(3)],
    }
    for why, files in cases.items():
        response = await intake.client.post("/gui-phan-anh", data=GOOD, files=files)
        assert response.status_code == 422 and why in response.text, why
        assert '<a href="#attachments">' in response.text
    assert await intake.cases() == [] and await intake.attachments() == []
    assert [raw.status for raw in await intake.raws()] == ["failed"] * len(cases)


async def test_the_receipt_shows_code_date_and_channel_but_nothing_the_sender_wrote(
    intake: Intake,
) -> None:
    response = await intake.client.post("/gui-phan-anh", data=GOOD)
    code = code_of(response)
    receipt = await intake.client.get(f"/bien-nhan/{code.lower().replace('-', ' ')}")
    assert receipt.status_code == 200
    page = receipt.text
    assert code in page and "Cổng thông tin" in page
    assert GOOD["title"] not in page  # a code is public: the title is for the submitter
    assert "@media print" in page and '<html lang="vi">' in page
    assert f"https://pakn.gialai.gov.vn/tra-cuu/{code}" in page
    settings = intake.service.settings
    for published in (settings.hotline_number, settings.pakn_email, settings.pakn_postal_address):
        assert published in page
    for private in (
        "Nguyễn Thị Hoa",
        "0905",
        "45 Lê Lợi",
        "Hội Thương",
        "hoa.nguyen",
        "hạn mức công nhận",
    ):
        assert private not in page


async def test_an_unknown_code_has_no_receipt(intake: Intake) -> None:
    for code in ("GL-2345-6789", "not-a-code"):
        response = await intake.client.get(f"/bien-nhan/{code}")
        assert response.status_code == 404 and "Không có hồ sơ" in response.text


async def test_the_office_sees_failed_payloads_and_can_download_the_original(
    intake: Intake,
) -> None:
    await intake.client.post("/api/submissions", content=b"\xff\xfe<b>broken</b>")
    await intake.client.post("/gui-phan-anh", data=GOOD)  # registered: not listed
    page = (await intake.client.get("/noi-bo/loi-tiep-nhan")).text
    assert "Tổng số: 1." in page and "http:/api/submissions" in page
    assert "&lt;b&gt;broken&lt;/b&gt;" in page and "UTF-8" in page
    (raw, _) = await intake.raws()
    original = await intake.client.get(f"/noi-bo/loi-tiep-nhan/{raw.id}/ban-goc")
    assert original.content == b"\xff\xfe<b>broken</b>"
    assert (await intake.client.get("/noi-bo/loi-tiep-nhan/999/ban-goc")).status_code == 404
