from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.submission import Channel, Submission
from services.intake.domain.normalise import (
    normalise_email,
    normalise_phone,
    normalise_submission,
)
from services.text.regulations import RegulationRef, find_regulations, parse_regulation

ICT = timezone(timedelta(hours=7))
RECEIVED = datetime(2023, 1, 18, 9, 30, tzinfo=ICT)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0905 123 456", "0905123456"),
        ("0386.123.456", "0386123456"),
        ("+84 912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(+84) 91-234-5678", "0912345678"),
        ("0084 905 123 456", "0905123456"),
        ("912345678", "0912345678"),
        ("0269 3823 456", "02693823456"),
        ("+84 269 3823 456", "02693823456"),
        ("0977-148-260", "0977148260"),
        ("01662 123 456", "0362123456"),  # pre-2018 eleven-digit mobile
        ("0905 123 456 / 0269 3823 456", "0905123456"),
        ("0269 3823 456 hoặc 0905 123 456", "02693823456"),
        ("0905.123.456 - 0269.3823.456", "0905123456"),
    ],
)
def test_phone_forms(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "không có", "0123", "1900 1234", "+1 415 555 1234", "0905 123 45",
     "0105123456", "09051234567", "abc0905123456xyz12"],
)  # fmt: skip
def test_implausible_phones(raw: str) -> None:
    assert normalise_phone(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hongnhung.TT@Gmail.com ", "hongnhung.tt@gmail.com"),
        ("Trần Nhung <nhung@sotp.gialai.gov.vn>", "nhung@sotp.gialai.gov.vn"),
        ("mailto:a.b@x.vn", "a.b@x.vn"),
        ("bad@", None),
        ("a b@x.vn", None),
        ("x@localhost", None),
        ("", None),
    ],
)
def test_email_forms(raw: str, expected: str | None) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "doc_type", "number", "year", "issuer", "level"),
    [
        ("Quyết định số 22/2016/QĐ-UBND", "QĐ", "22", 2016, "UBND", "provincial"),
        ("Nghị định số 123/2015/NĐ-CP", "NĐ", "123", 2015, "CP", "central"),
        ("Thông tư 01/2018/TT-VPCP", "TT", "01", 2018, "VPCP", "central"),
        ("Luật số 62/2020/QH14", "Luật", "62", 2020, "QH14", "central"),
        ("Luật Đất đai năm 2013", "Luật", None, 2013, "QH", "central"),
        ("Nghị quyết của HĐND tỉnh quy định mức thu lệ phí", "NQ", None, None, "HĐND",
         "provincial"),
        ("quyet dinh so 13/2018/qd-ubnd", "QĐ", "13", 2018, "UBND", "provincial"),
        ("Quyết định 45/2019/QĐ-TTg", "QĐ", "45", 2019, "TTg", "central"),
        ("Thông tư 04/2017/TT-BGDĐT", "TT", "04", 2017, "BGDĐT", "central"),
        ("Thông tư liên tịch 15/2020/TTLT-BTC-BNV", "TTLT", "15", 2020, "BTC-BNV", "central"),
        ("Quyết định 1234/QĐ-UBND của UBND huyện Đak Đoa", "QĐ", "1234", None, "UBND",
         "district"),
        ("Luật Khám bệnh, chữa bệnh số 15/2023/QH15", "Luật", "15", 2023, "QH15", "central"),
        ("Nghị quyết số 42/2017/QH14", "NQ", "42", 2017, "QH14", "central"),
        ("Quyết định 88/QĐ-STNMT", "QĐ", "88", None, "STNMT", "provincial"),
        ("Thông tư 02/2023/TT-BTNMT", "TT", "02", 2023, "BTNMT", "central"),
        ("Kế hoạch 15/KH-XYZ", "KH", "15", None, "XYZ", None),
    ],
)  # fmt: skip
def test_parse_regulation(
    raw: str, doc_type: str, number: str | None, year: int | None, issuer: str, level: str
) -> None:
    ref = parse_regulation(raw)
    assert ref == RegulationRef(raw, doc_type, number, year, issuer, level)  # type: ignore[arg-type]


def test_parse_regulation_keeps_the_whole_field_and_takes_the_first_document() -> None:
    raw = "Luật số 62/2020/QH14 sửa đổi, bổ sung một số điều của Luật Xây dựng"
    ref = parse_regulation(raw)
    assert ref is not None
    assert (ref.text, ref.number, ref.issuer) == (raw, "62", "QH14")


@pytest.mark.parametrize("raw", ["", "không rõ", "văn bản của xã", "20/12/2022"])
def test_parse_regulation_without_a_document(raw: str) -> None:
    assert parse_regulation(raw) is None


def test_parse_regulation_of_a_kind_only() -> None:
    ref = parse_regulation("Thông tư hướng dẫn về phí trước bạ")
    assert ref is not None
    assert (ref.doc_type, ref.number, ref.level) == ("TT", None, "central")


def test_find_regulations_in_content_in_reading_order() -> None:
    text = (
        "Theo Nghị định 123/2015/NĐ-CP và Luật Đất đai năm 2013, cùng quyết định phân cấp "
        "của UBND tỉnh; nhà tôi ở số 27/4 Nguyễn Trãi, sinh ngày 20/12/2022, hạng 2/4."
    )
    refs = find_regulations(text)
    assert [(r.doc_type, r.number, r.year, r.level) for r in refs] == [
        ("NĐ", "123", 2015, "central"),
        ("Luật", None, 2013, "central"),
        ("QĐ", None, None, "provincial"),
    ]
    assert refs[0].text == "Nghị định 123/2015/NĐ-CP"


def test_find_regulations_reads_the_issuing_level_from_context() -> None:
    [ref] = find_regulations("phương án thu gom rác do UBND huyện Đak Đoa ban hành")
    assert (ref.issuer, ref.level) == ("UBND", "district")


def test_lower_case_law_is_not_a_named_act() -> None:
    assert find_regulations("theo luật thì phải làm như vậy") == []


def _item(**fields: object) -> Submission:
    base: dict[str, object] = {"channel": "web", "received_at": RECEIVED}
    return Submission.model_validate(base | fields)


def test_normalise_submission_cleans_and_canonicalises() -> None:
    s = _item(
        channel_ref="  HL-01 ",
        name=" Võ  Văn\tHòa ",
        phone="0914.557.208",
        email=" VoHoa@Gmail.com",
        content="  Dòng một  \n\n  dòng\u200b hai ",
        attachments=[" a.pdf ", "  "],
    )
    n = normalise_submission(s)
    assert (n.channel_ref, n.name, n.phone, n.email) == (
        "HL-01", "Võ Văn Hòa", "0914557208", "vohoa@gmail.com"
    )  # fmt: skip
    assert n.content == "Dòng một\ndòng hai"
    assert n.attachments == ["a.pdf"]
    assert n.extra == {"phone_raw": "0914.557.208", "email_raw": " VoHoa@Gmail.com"}


def test_normalise_submission_keeps_an_invalid_contact_in_extra() -> None:
    n = normalise_submission(_item(phone="số máy ẩn", email="không có", extra={"x": 1}))
    assert (n.phone, n.email) == ("", "")
    assert n.extra == {"x": 1, "phone_raw": "số máy ẩn", "email_raw": "không có"}


def test_normalise_submission_adds_nothing_when_already_canonical() -> None:
    s = _item(name="Lê Văn Phúc", phone="0986204117", email="phuc@gmail.com")
    assert normalise_submission(s) == s


_texts = st.text(st.characters(codec="utf-8"), max_size=120)
_phones = st.one_of(
    _texts.map(lambda t: t[:50]), st.from_regex(r"\+?[0-9 .()-]{0,20}", fullmatch=True)
)
submissions = st.builds(
    Submission,
    channel=st.sampled_from(Channel),
    channel_ref=st.one_of(st.none(), _texts),
    received_at=st.just(RECEIVED),
    name=_texts,
    address=_texts,
    phone=_phones,
    email=st.one_of(_texts, st.emails().map(lambda e: f" {e.upper()} ")),
    title=_texts,
    content=st.text(max_size=600),
    regulation=_texts,
    attachments=st.lists(_texts, max_size=3),
)


@given(submissions)
def test_normalise_submission_is_idempotent(s: Submission) -> None:
    once = normalise_submission(s)
    assert normalise_submission(once) == once


@given(st.sampled_from("35789"), st.from_regex(r"[0-9]{8}", fullmatch=True), st.data())
def test_phone_forms_agree(first: str, rest: str, data: st.DataObject) -> None:
    subscriber = first + rest
    sep = data.draw(st.sampled_from(["", " ", ".", "-"]))
    grouped = sep.join([subscriber[:2], subscriber[2:5], subscriber[5:]])
    forms = [f"0{grouped}", f"+84 {grouped}", f"84{subscriber}", f"(+84) {grouped}", subscriber]
    assert {normalise_phone(form) for form in forms} == {"0" + subscriber}


@given(_phones)
def test_normalise_phone_is_a_fixed_point(raw: str) -> None:
    phone = normalise_phone(raw)
    assert phone is None or (phone.isdigit() and phone[0] == "0" and len(phone) in (10, 11))
    assert phone is None or normalise_phone(phone) == phone


@given(st.text(max_size=400))
def test_find_regulations_never_crashes_and_quotes_the_text(text: str) -> None:
    for ref in find_regulations(text):
        assert ref.text
