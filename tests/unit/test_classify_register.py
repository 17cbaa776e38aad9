"""`pakn classify` decides duplicates with the intake's own register use case (on the
in-memory store), so the dry run follows every rule the running register has."""

from __future__ import annotations

from typing import Any

from schemas.submission import Submission
from services.classify import Register
from services.intake.domain.admissibility import RefusalReason

FORM = {
    "channel": "web",
    "received_at": "2024-11-02T09:00:00+07:00",
    "name": "Nguyễn Văn An",
    "address": "thôn 2, xã Ia Grai, tỉnh Gia Lai",
    "phone": "0905 111 222",
    "content": (
        "Thủ tục đăng ký hộ kinh doanh tại xã yêu cầu nộp bản sao có chứng thực dù đã có bản "
        "điện tử; đề nghị bỏ yêu cầu này để giảm giấy tờ cho người dân."
    ),
}
DUPLICATE = (False, RefusalReason.DUPLICATE)


def outcomes(*items: dict[str, Any]) -> list[tuple[bool, RefusalReason | None]]:
    register = Register()
    found = [register.outcome(Submission.model_validate(item)) for item in items]
    return [(accepted is not None, reason) for accepted, reason in found]


def test_a_form_sent_twice_on_one_day_is_a_duplicate_a_day_later_is_not() -> None:
    again = {**FORM, "received_at": "2024-11-02T09:01:00+07:00"}
    next_day = {**FORM, "received_at": "2024-11-03T09:05:00+07:00"}
    assert outcomes(FORM, again, next_day) == [(True, None), DUPLICATE, (True, None)]


def test_the_same_channel_message_twice_is_a_duplicate() -> None:
    letter = {**FORM, "channel": "post", "channel_ref": "CV-1"}
    other = {**letter, "channel_ref": "CV-2"}  # numbered apart: the office's own say-so
    assert outcomes(letter, letter, other) == [(True, None), DUPLICATE, (True, None)]


def test_the_same_letter_by_another_channel_within_the_window_is_a_duplicate() -> None:
    by_post = {**FORM, "channel": "post", "channel_ref": "CV-1"}
    by_email = {**FORM, "channel": "email", "channel_ref": "m-1"}
    late = {**by_email, "channel_ref": "m-2", "received_at": "2024-12-09T09:00:00+07:00"}
    assert outcomes(by_post, by_email, late) == [(True, None), DUPLICATE, (True, None)]


def test_a_refusal_keeps_its_reason() -> None:
    anonymous = {**FORM, "name": "ẩn danh", "phone": "", "address": ""}
    assert outcomes(anonymous) == [(False, RefusalReason.MISSING_CONTACT)]
