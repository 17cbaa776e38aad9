"""Redaction of personal data before publication (domain §6)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.kit.text import fold
from services.text.redaction import (
    Finding,
    Kind,
    KnownPersonalData,
    leaked,
    redact,
    redact_case,
)

NOBODY = KnownPersonalData()
SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "pakn-dev.jsonl"


def public(text: str, known: KnownPersonalData = NOBODY) -> str:
    return redact(text, known=known).text


def kinds(text: str, known: KnownPersonalData = NOBODY) -> set[Kind]:
    return {f.kind for f in redact(text, known=known).findings}


# (text, value that must disappear, kind that must be logged)
FOUND_BY_SHAPE = [
    ("Gọi 0905 123 456 giúp tôi", "0905 123 456", Kind.PHONE),
    ("SĐT: 0386.123.456.", "0386.123.456", Kind.PHONE),
    ("số 0977-148-260 của tôi", "0977-148-260", Kind.PHONE),
    ("máy bàn 0269 3846 117", "0269 3846 117", Kind.PHONE),
    ("máy bàn (0269) 3846117", "(0269) 3846117", Kind.PHONE),
    ("gọi +84 912345678 nhé", "+84 912345678", Kind.PHONE),
    ("gọi (+84) 0912 345 678 nhé", "0912 345 678", Kind.PHONE),
    ("số cũ 0168 123 4567", "0168 123 4567", Kind.PHONE),
    ("gọi 0905123456 2 lần", "0905123456", Kind.PHONE),
    ("Contact +65 6123 4567", "+65 6123 4567", Kind.PHONE),
    ("mail: an.nguyen+pakn@yahoo.com.vn.", "an.nguyen+pakn@yahoo.com.vn", Kind.EMAIL),
    ("CCCD số 064196004821 cấp", "064196004821", Kind.ID_NUMBER),
    ("căn cước 064 196 004 821", "064 196 004 821", Kind.ID_NUMBER),
    ("mang theo 0641 9600 4821", "0641 9600 4821", Kind.ID_NUMBER),
    ("CCCD 064-196-004-821", "064-196-004-821", Kind.ID_NUMBER),
    ("CMND 230456789", "230456789", Kind.ID_NUMBER),
    ("chứng minh nhân dân số 230 456 789", "230 456 789", Kind.ID_NUMBER),
    ("hộ chiếu số C1234567", "C1234567", Kind.ID_NUMBER),
    ("STK 0123 4567 8901 Vietcombank", "0123 4567 8901", Kind.BANK_ACCOUNT),
    ("số tài khoản: 5102205123456", "5102205123456", Kind.BANK_ACCOUNT),
    ("tài khoản Agribank số 5102-205-123456", "5102-205-123456", Kind.BANK_ACCOUNT),
    ("thẻ 9704123412341234", "9704123412341234", Kind.BANK_ACCOUNT),
    ("xe 81B1-234.56 đỗ", "81B1-234.56", Kind.LICENCE_PLATE),
    ("ô tô 81A-123.45 chạy", "81A-123.45", Kind.LICENCE_PLATE),
    ("xe máy 81-B1 23456", "81-B1 23456", Kind.LICENCE_PLATE),
    ("biển số 81c-098.64", "81c-098.64", Kind.LICENCE_PLATE),
    ("xe 81LD-001.23", "81LD-001.23", Kind.LICENCE_PLATE),
]

FOUND_AS_ADDRESS = [
    ("nhà số 12 đường Lê Lợi, phường Hoa Lư", "số 12 đường Lê Lợi"),
    ("ở 131 Nguyễn Huệ, phường An Tân", "131 Nguyễn Huệ"),
    ("ở 214 Hùng Vương, thị trấn Chư Sê", "214 Hùng Vương"),
    ("ở 27/4 Nguyễn Trãi, Pleiku", "27/4 Nguyễn Trãi"),
    ("quán tại số 37 Hùng Vương đêm nào", "số 37 Hùng Vương"),
    ("nhà trong hẻm 12/3 Trần Phú", "hẻm 12/3"),
    ("kiệt 45 đường Lê Duẩn", "kiệt 45"),
    ("thôn 1, xã Song An", "thôn 1"),
    ("thôn Thanh Bình, xã Ia Le", "thôn Thanh Bình"),
    ("làng Ia Nueng, xã Ia Dêr", "làng Ia Nueng"),
    ("Làng Kép, xã Ia Dêr", "Làng Kép"),
    ("buôn Kte, xã Ia Rtô", "buôn Kte"),
    ("plei Ơi, xã Ia Pếch", "plei Ơi"),
    ("tổ 5, phường Chi Lăng", "tổ 5"),
    ("tổ dân phố 11, thị trấn Kbang", "tổ dân phố 11"),
    ("khu phố 3 thị trấn Phú Thiện", "khu phố 3"),
    ("o thon Thanh Son, xa Ia Rsuom", "thon Thanh Son"),
    ("tại làng Kon Lốc 2, xã Kông Lơng Khơng", "Kon Lốc 2"),
    ("trú tại 23 Wừu, phường Ia Kring", "23 Wừu"),
    ("nhà ở đường Hùng Vương, số 14/2.", "số 14/2"),
    ("Nhà tôi số nhà 12, đường Lê Lợi.", "12, đường Lê Lợi"),
    ("ở số 12/4 hẻm 45 Lê Lợi", "12/4"),
]

FOUND_AS_NAME = [
    ("Con tôi là cháu Lê Gia Bảo, sinh ngày 20/12/2022.", "Lê Gia Bảo"),
    ("mẹ CD là bà Rơ Mah H'Plăk, 87 tuổi", "Rơ Mah H'Plăk"),
    ("Người liên hệ: ông Phạm Hữu Lộc, Trưởng phòng", "Phạm Hữu Lộc"),
    ("Người liên hệ: Đoàn Văn Thịnh, điều hành", "Đoàn Văn Thịnh"),
    ("Liên hệ: Ksor Y Thương, điện thoại", "Ksor Y Thương"),
    ("Người gọi xưng tên Nguyễn Văn Hải, gọi từ số máy ẩn", "Nguyễn Văn Hải"),
    ("Toi ten la Nguyen Van Hieu, con toi dau dai hoc", "Nguyen Van Hieu"),
    ("Tôi tố cáo ông Nguyễn Quốc Hưng, công chức địa chính", "Nguyễn Quốc Hưng"),
    ("Cán bộ Trần Thị Bích hướng dẫn sai", "Trần Thị Bích"),
    ("công chức tư pháp Siu Blik trả hồ sơ", "Siu Blik"),
    ("Họ và tên: NGUYỄN VĂN MINH, sinh năm 1980", "NGUYỄN VĂN MINH"),
    ("Tôi là Lâm Thị Ngọc Hân, CCCD số", "Lâm Thị Ngọc Hân"),
    ("hỏi chị Hằng ở bộ phận một cửa", "Hằng"),
    ("ĐTV Trần Thị Bé ghi nhận", "Trần Thị Bé"),
    ("Kính gửi Sở Tư pháp.\nNội dung.\nTrân trọng,\nPhạm Minh Tuấn", "Phạm Minh Tuấn"),
    ("Người viết đơn\n(đã ký)\nKsor H'Bla", "Ksor H'Bla"),
    ("Thank you. Best regards, John Smith", "John Smith"),
    ("Dear Mr Brown, thank you.", "Brown"),
    ("Già làng Đinh Văn Ngơ đã kiến nghị", "Đinh Văn Ngơ"),
    ("trưởng thôn Rơ Mah Thu nói", "Rơ Mah Thu"),
    ("Chị H'Hen Niê ở làng", "H'Hen Niê"),
    ("Toi la Dang Van Khai, o xa Ia Le", "Dang Van Khai"),
    ("ba Truong Thi Dieu phan anh", "Truong Thi Dieu"),
]

# Public information the answer needs; none of it is personal data.
MUST_SURVIVE = [
    "UBND xã Song An",
    "Sở Tài nguyên và Môi trường",
    "Sở Lao động - Thương binh và Xã hội tỉnh Gia Lai",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Chi cục Chăn nuôi và Thú y",
    "Ban Quản lý Khu kinh tế tỉnh",
    "Chủ tịch UBND xã Ia Rtô",
    "xã Ia Le",
    "huyện Chư Pưh",
    "thị xã An Khê",
    "thành phố Pleiku",
    "phường Đoàn Kết",
    "thị trấn Chư Ty, huyện Đức Cơ",
    "xã Nghĩa Hòa",
    "Hà Nội, TP.HCM hoặc Huế",
    "TP Hồ Chí Minh",
    "Nhật Bản, Hàn Quốc, Úc",
    "cửa khẩu quốc tế Lệ Thanh",
    "Quốc lộ 19",
    "Quyết định số 22/2016/QĐ-UBND",
    "Nghị định 123/2015/NĐ-CP",
    "Quyết định 13/2018/QĐ-UBND",
    "văn bản số 8056/VPCP-KGVX",
    "Điều 12 Luật Đất đai 2013",
    "khoản 2 Điều 5",
    "ngày 20/12/2022",
    "từ năm 2010",
    "lúc 7 giờ 45",
    "5 triệu đồng",
    "1.500.000 đồng",
    "100.000.000 đồng",
    "123456789 đồng",
    "1.200 m2",
    "mẫu CT07",
    "Trường THCS Nguyễn Du",
    "đường Lê Lợi",
    "ông Chủ tịch UBND huyện",
    "bà con trong làng",
    "anh em đo đạc",
    "trưởng thôn và hai người làm chứng",
    "Nay Sở đã trả lời",
    "Do Sở chưa trả lời",
    "Hồ sơ nộp tại Bộ phận một cửa",
    "Mã hồ sơ 000.00.12.H21-230118-0001",
    "Bộ Y tế",
    "ĐTV đã ghi nhận",
    "Trường Đại học Nông Lâm",
    "Đoàn Thanh niên",
    "Công ty Cổ phần Hoàng Anh Gia Lai",
    "Sở Giáo dục và Đào tạo",
    "Chi cục Tiêu chuẩn Đo lường Chất lượng",
    "chạy tuyến Pleiku – Buôn Ma Thuột",
    "Phiếu lý lịch tư pháp số 1 tại Sở Tư pháp",
    "giáo viên Tiếng Anh",
]


@pytest.mark.parametrize(("text", "value", "kind"), FOUND_BY_SHAPE)
def test_data_recognised_by_shape_is_removed(text: str, value: str, kind: Kind) -> None:
    assert value not in public(text)
    assert kind in kinds(text)


@pytest.mark.parametrize(("text", "value"), FOUND_AS_ADDRESS)
def test_addresses_below_commune_level_are_removed(text: str, value: str) -> None:
    result = public(text)
    assert value not in result
    assert "[địa chỉ]" in result


@pytest.mark.parametrize(("text", "value"), FOUND_AS_NAME)
def test_names_of_individuals_are_removed(text: str, value: str) -> None:
    result = public(text)
    assert value not in result
    assert "[họ tên]" in result


@pytest.mark.parametrize("phrase", MUST_SURVIVE)
def test_public_information_survives(phrase: str) -> None:
    text = f"Theo phản ánh, {phrase} chưa trả lời."
    assert public(text) == text


def test_communes_and_districts_of_an_address_stay_public() -> None:
    result = public("Tôi ở 42 Nguyễn Văn Cừ, phường Thắng Lợi, thành phố Pleiku, tỉnh Gia Lai.")
    assert result == "Tôi ở [địa chỉ], phường Thắng Lợi, thành phố Pleiku, tỉnh Gia Lai."


ME = KnownPersonalData(
    name="Đinh Thị Mỹ Duyên",
    address="thôn 1, xã Song An, thị xã An Khê, tỉnh Gia Lai",
    phone="0862 357 193",
    email="myduyen2k@gmail.com",
)


@pytest.mark.parametrize(
    "text",
    [
        "Tôi là Đinh Thị Mỹ Duyên.",
        "DINH THI MY DUYEN nộp hồ sơ",
        "dinh thi my duyen nộp hồ sơ",
        "Thị Mỹ Duyên nộp hồ sơ",
        "thi my duyen nộp hồ sơ",
        "cán bộ bảo Mỹ Duyên chờ",
        "cán bộ bảo chị Duyên chờ",
        "cán bộ bảo chị duyen chờ",
        "hôm sau Duyên quay lại",
    ],
)
def test_the_submitters_own_name_is_removed_in_any_spelling(text: str) -> None:
    assert "duyen" not in fold(public(text, ME))


@pytest.mark.parametrize(
    "text", ["gọi 0862357193", "gọi +84 862 357 193", "gọi 0862-357-193", "gọi 086.235.7193"]
)
def test_the_submitters_own_phone_is_removed_in_any_format(text: str) -> None:
    assert public(text, ME) == "gọi [số điện thoại]"


def test_the_submitters_own_email_and_address_parts_are_removed() -> None:
    result = public("Gửi MyDuyen2k@Gmail.com, ở Thôn 1 xã Song An", ME)
    assert result == "Gửi [email], ở [địa chỉ] xã Song An"


def test_the_given_name_alone_is_not_removed_from_place_names() -> None:
    known = KnownPersonalData(name="Nguyễn Văn Đức")
    assert public("UBND huyện Đức Cơ trả lời", known) == "UBND huyện Đức Cơ trả lời"
    assert public("gặp ông Đức ở huyện", known) == "gặp ông [họ tên] ở huyện"


def test_an_organisation_submitting_in_its_own_name_stays_public() -> None:
    known = KnownPersonalData.for_submitter(
        submitter_type="organization",
        name="Công ty TNHH Vận tải Tây Sơn Phát",
        address="Lô C4, Khu công nghiệp Trà Đa",
        phone="0269 3745 168",
    )
    text = "Công ty TNHH Vận tải Tây Sơn Phát ở Lô C4, Khu công nghiệp Trà Đa, ĐT 0269 3745 168"
    assert public(text, known) == (
        "Công ty TNHH Vận tải Tây Sơn Phát ở Lô C4, Khu công nghiệp Trà Đa, ĐT [số điện thoại]"
    )


def test_an_individuals_business_name_is_removed() -> None:
    known = KnownPersonalData.for_submitter(
        submitter_type="individual", name="Lê Thu", organization="Tạp hóa Thu Hà"
    )
    assert public("cửa hàng Tạp hóa Thu Hà bị phạt", known) == "cửa hàng [tên tổ chức] bị phạt"


def test_findings_log_kind_offsets_and_placeholder_but_not_the_value() -> None:
    text = "Tôi là Võ Văn Hòa, SĐT 0914.557.208."
    result = redact(text, known=NOBODY)
    assert result.text == "Tôi là [họ tên], SĐT [số điện thoại]."
    assert result.findings == [
        Finding(Kind.NAME, 7, 17, "[họ tên]"),
        Finding(Kind.PHONE, 23, 35, "[số điện thoại]"),
    ]
    assert [text[f.start : f.end] for f in result.findings] == ["Võ Văn Hòa", "0914.557.208"]


def test_redact_case_covers_title_and_content() -> None:
    known = KnownPersonalData(name="Võ Văn Hòa")
    result = redact_case("Ông Võ Văn Hòa phản ánh", "Gọi 0914 557 208.", known=known)
    assert result.title == "Ông [họ tên] phản ánh"
    assert result.content == "Gọi [số điện thoại]."
    assert [(f.field, f.kind) for f in result.findings] == [
        ("title", Kind.NAME),
        ("content", Kind.PHONE),
    ]


def test_leaked_compares_ignoring_case_diacritics_and_separators() -> None:
    text = "ong VO VAN HOA goi 0914557208"
    assert leaked(text, ["Võ Văn Hòa", "0914.557.208", "thôn 1"]) == ["Võ Văn Hòa", "0914.557.208"]


# --- properties -----------------------------------------------------------------------

WORDS = [
    "tôi",
    "là",
    "ông",
    "bà",
    "anh",
    "chị",
    "cháu",
    "thôn",
    "làng",
    "tổ",
    "số",
    "xã",
    "huyện",
    "Sở",
    "UBND",
    "đề",
    "nghị",
    "phản",
    "ánh",
    "hồ",
    "sơ",
    "ngày",
    "tháng",
    "năm",
    "Nguyễn",
    "Văn",
    "Trần",
    "Thị",
    "Lê",
    "Hòa",
    "Bình",
    "Mai",
    "Hà",
    "Nội",
    "Ksor",
    "Siu",
    "Rơ",
    "Mah",
    "H'Bla",
    "Ia",
    "Le",
    "Chư",
    "Pưh",
    "An",
    "Khê",
    "đường",
    "Lê",
    "Lợi",
    "Hùng",
    "Vương",
    "CCCD",
    "STK",
    "tài",
    "khoản",
    "biển",
    "Trân",
    "trọng",
    "liên",
    "hệ:",
    "Tel.",
    "12",
    "2023",
    "1.500.000",
    "đồng",
    "20/12/2022",
    "81B1",
    "234.56",
    ",",
    ".",
    "(",
    ")",
    "\n",
]
vietnamese_ish = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


def phones() -> st.SearchStrategy[str]:
    def layout(prefix: str, digits: str, cuts: list[int], seps: list[str]) -> str:
        out, last = prefix, 0
        for cut, sep in zip(sorted(set(cuts)), seps, strict=False):
            out += digits[last:cut] + sep
            last = cut
        return out + digits[last:]

    mobile = st.tuples(st.sampled_from("35789"), st.text("0123456789", min_size=8, max_size=8))
    landline = st.tuples(st.just("2"), st.text("0123456789", min_size=9, max_size=9))
    body = st.one_of(mobile, landline).map("".join)
    return st.builds(
        layout,
        st.sampled_from(["0", "+84 ", "+84", "(+84) ", "0084 ", "84 "]),
        body,
        st.lists(st.integers(1, 8), max_size=4),
        st.lists(st.sampled_from([" ", ".", "-", " - "]), min_size=4, max_size=4),
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_redact_never_crashes(text: str) -> None:
    result = redact(text, known=ME)
    assert isinstance(result.text, str)


@settings(max_examples=300, deadline=None)
@given(vietnamese_ish)
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once = public(text, ME)
    assert public(once, ME) == once


@settings(max_examples=300, deadline=None)
@given(vietnamese_ish, phones(), st.integers(0, 40))
def test_a_phone_number_anywhere_is_removed(text: str, phone: str, at: int) -> None:
    words = text.split(" ")
    at = min(at, len(words))
    mixed = " ".join([*words[:at], phone, *words[at:]])
    assert leaked(public(mixed), [phone]) == []


@settings(max_examples=200, deadline=None)
@given(vietnamese_ish)
def test_findings_point_at_the_original_text(text: str) -> None:
    result = redact(text, known=ME)
    rebuilt, cursor = "", 0
    for f in result.findings:
        rebuilt += text[cursor : f.start] + f.replacement
        cursor = f.end
    assert rebuilt + text[cursor:] == result.text


# --- the labelled sample ---------------------------------------------------------------


def _sample_lines() -> list[dict[str, Any]]:
    if not SAMPLES.exists():
        pytest.fail(f"sample file not found: {SAMPLES} (it lives in ../shared)")
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line]


def _known(item: dict[str, Any]) -> KnownPersonalData:
    return KnownPersonalData.for_submitter(
        submitter_type=item.get("submitter_type") or "individual",
        name=item.get("name") or "",
        organization=item.get("organization") or "",
        address=item.get("address") or "",
        phone=item.get("phone") or "",
        email=item.get("email") or "",
    )


def test_no_personal_data_of_the_sample_survives() -> None:
    leaks = {}
    for item in _sample_lines():
        result = redact_case(item.get("title") or "", item["content"], known=_known(item))
        found = leaked(f"{result.title}\n{result.content}", item["expected"]["pii"])
        if found:
            leaks[item["id"]] = found
    assert leaks == {}


def test_the_sample_keeps_its_public_facts() -> None:
    facts = re.compile(
        r"\d+/\d{4}/[^\s,.;]+|ngày \d{1,2}/\d{1,2}(?:/\d{4})?|(?:xã|huyện) [A-ZĐ]\w+"
    )
    for item in _sample_lines():
        result = redact_case("", item["content"], known=_known(item))
        for fact in facts.findall(item["content"]):
            assert fact in result.content, (item["id"], fact)
