from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.submission import Channel, Submission
from services.intake.domain.duplicates import (
    channel_key,
    fingerprint,
    is_same_letter,
    similarity,
)

RECEIVED = datetime(2023, 5, 8, 8, 0, tzinfo=timezone(timedelta(hours=7)))
LETTER = (
    "Kính gửi UBND tỉnh Gia Lai, Sở Công Thương. Tôi là tiểu thương kinh doanh tại chợ trung "
    "tâm thị xã Ayun Pa hơn 20 năm. Theo quy định về phát triển và quản lý chợ do UBND tỉnh "
    "ban hành, khi chuyển đổi mô hình quản lý chợ sang doanh nghiệp, tiểu thương phải ký hợp "
    "đồng thuê điểm kinh doanh mới và nộp trước tiền thuê nhiều năm. Số tiền quá lớn so với khả "
    "năng của tiểu thương, nhiều người đã phải bỏ sạp. Kính đề nghị sửa quy định cho tiểu thương "
    "được nộp tiền thuê theo năm hoặc theo quý, và có cơ chế ưu tiên cho người đã kinh doanh lâu "
    "năm. Tôi xin chân thành cảm ơn."
)
# The same letter keyed in by the post clerk: no diacritics in places, two typos, no salutation.
TYPED = (
    "Toi la tieu thuong kinh doanh tai cho trung tâm thị xã Ayun Pa hơn 20 năm. Theo quy định "
    "về phát triển và quản lý chợ do UBND tỉnh ban hành, khi chuyển đổi mô hình quản lý chợ sang "
    "doanh nghiệp, tiểu thương phải ký hợp đồng thuê điểm kinh doanh mới và nộp trươc tiền thuê "
    "nhiều năm. Số tiền quá lớn so với khả năng của tiểu thương, nhiều người đã phải bỏ sạp. Kính "
    "đề nghị sửa quy đinh cho tiểu thương được nộp tiền thuê theo năm hoặc theo quý, và có cơ chế "
    "ưu tiên cho người đã kinh doanh lâu năm. Tôi xin chân thành cảm ơn."
)
OTHER = (
    "Tôi là tiểu thương tại chợ trung tâm thị xã Ayun Pa. Ban quản lý chợ thu phí vệ sinh mỗi "
    "tháng nhưng không cấp biên lai, rác ở khu hàng cá để qua đêm rất hôi. Kính đề nghị thị xã "
    "kiểm tra việc thu phí và bố trí thu gom rác hằng ngày. Tôi xin chân thành cảm ơn."
)


def letter(**fields: object) -> Submission:
    base: dict[str, object] = {
        "channel": "email",
        "received_at": RECEIVED,
        "name": "Cao Thị Hiền",
        "address": "150 Trần Hưng Đạo, phường Đoàn Kết, thị xã Ayun Pa, tỉnh Gia Lai",
        "phone": "0978 236 041",
        "email": "hien.cao@gmail.com",
        "content": LETTER,
    }
    return Submission.model_validate(base | fields)


def test_channel_key() -> None:
    assert channel_key(letter(channel_ref=" HL-12 ")) == "email:HL-12"
    assert channel_key(letter(channel_ref="HL-12")) == channel_key(letter(channel_ref="HL-12"))
    assert channel_key(letter(channel="post", channel_ref="HL-12")) == "post:HL-12"
    assert channel_key(letter()) is None
    assert channel_key(letter(channel_ref="  ")) is None


POST = {"channel": "post", "email": "", "content": TYPED}
CASES = [
    ("same letter by post, phone written differently", {**POST, "phone": "+84 978.236.041"},
     True),
    ("by post without phone: name and shorter address", {**POST, "phone": "",
     "name": "CAO THI HIEN", "address": "150 Trần Hưng Đạo, Đoàn Kết, Ayun Pa"}, True),
    ("same e-mail address", {"phone": "", "address": "", "name": ""}, True),
    ("another letter from the same person", {**POST, "content": OTHER}, False),
    ("the same text from someone else", {**POST, "phone": "0905 111 222",
     "name": "Nguyễn Văn Bình", "address": "thôn 2, xã Ia Sao, thị xã Ayun Pa"}, False),
    ("same name, another address", {**POST, "phone": "", "address": "thôn 5, xã Ia Rbol"},
     False),
    ("31 days later", {**POST, "received_at": RECEIVED + timedelta(days=31)}, False),
    ("30 days earlier", {**POST, "received_at": RECEIVED - timedelta(days=30)}, True),
    ("empty text", {**POST, "content": ""}, False),
]  # fmt: skip


@pytest.mark.parametrize(("change", "same"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_is_same_letter(change: dict[str, object], same: bool) -> None:
    a, b = fingerprint(letter()), fingerprint(letter(**change))
    assert is_same_letter(a, b) is same
    assert is_same_letter(b, a) is same


def test_thresholds_are_parameters() -> None:
    a, b = fingerprint(letter()), fingerprint(letter(**POST))
    assert 0.8 <= similarity(a, b) < 1.0
    assert not is_same_letter(a, b, min_similarity=0.99)
    later = fingerprint(letter(received_at=RECEIVED + timedelta(days=40)))
    assert is_same_letter(a, later, max_days=60)


def test_fingerprints_are_stable_values() -> None:
    assert fingerprint(letter()) == fingerprint(letter())
    assert hash(fingerprint(letter())) == hash(fingerprint(letter()))


contents = st.text(st.characters(codec="utf-8"), max_size=400)


@given(contents, contents, st.integers(-60, 60))
def test_same_letter_is_symmetric(x: str, y: str, days: int) -> None:
    a = fingerprint(letter(content=x))
    b = fingerprint(letter(content=y, received_at=RECEIVED + timedelta(days=days)))
    assert is_same_letter(a, b) is is_same_letter(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0


@given(contents.filter(lambda t: any(ch.isalnum() for ch in t)), st.sampled_from(Channel))
def test_a_letter_matches_itself_from_any_channel(text: str, channel: Channel) -> None:
    assert is_same_letter(
        fingerprint(letter(content=text)), fingerprint(letter(content=text, channel=channel))
    )
