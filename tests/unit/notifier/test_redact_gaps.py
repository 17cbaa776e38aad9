"""Redaction gaps of issue 10 (item 8): e-mail addresses spelt out, tax codes."""

from __future__ import annotations

import pytest

from services.text.redaction import Kind, KnownPersonalData, leaked, redact

NOBODY = KnownPersonalData()


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        (
            "Liên hệ nguyenvan [at] example [dot] com nhé",
            "nguyenvan [at] example [dot] com",
            Kind.EMAIL,
        ),
        ("mail: an.le(at)gmail(dot)com.vn, cảm ơn", "an.le(at)gmail(dot)com.vn", Kind.EMAIL),
        ("gửi về an {at} yahoo {dot} com", "an {at} yahoo {dot} com", Kind.EMAIL),
        ("thư: hoa [a còng] gmail [chấm] com", "hoa [a còng] gmail [chấm] com", Kind.EMAIL),
        ("email hoa a còng gmail chấm com giúp", "hoa a còng gmail chấm com", Kind.EMAIL),
        ("email name at example dot com", "name at example dot com", Kind.EMAIL),
        ("Công ty, mã số thuế: 0101234567-001, địa chỉ", "0101234567-001", Kind.TAX_CODE),
        ("MST 0101234567 cấp ngày 1/1/2020", "0101234567", Kind.TAX_CODE),
        ("Mã số thuế là 0101 234 567 nhé", "0101 234 567", Kind.TAX_CODE),
        ("mã số doanh nghiệp 4100258461", "4100258461", Kind.TAX_CODE),
        ("chi nhánh 0101234567-001 đã đóng", "0101234567-001", Kind.TAX_CODE),
        ("MST: 0101234567 - 002.", "0101234567 - 002", Kind.TAX_CODE),
    ],
)
def test_spelt_out_emails_and_tax_codes_are_redacted(text: str, value: str, kind: Kind) -> None:
    result = redact(text, known=NOBODY)
    assert leaked(result.text, [value]) == []
    assert kind in {f.kind for f in result.findings}


@pytest.mark.parametrize(
    "text",
    [
        "Quyết định số 1234/QĐ-UBND ngày 12/3/2024 của UBND tỉnh",
        "diện tích 0,5 ha, giá 1.200.000 đồng",
        "nộp tại bộ phận một cửa (tầng 1) trước 17 giờ",
        "xem tại trang dichvucong.gialai.gov.vn mục thủ tục",
        "gặp cán bộ ở xã chấm công hằng ngày",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text, known=NOBODY).text == text


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact("MST 0101234567-001, mail an [at] example [dot] com", known=NOBODY).text
    assert redact(once, known=NOBODY).text == once
