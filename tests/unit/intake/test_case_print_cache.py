"""The register's fingerprints of earlier cases are kept between calls (services/intake/
register.py `case_print`); a kept one must never stand for a case whose fields changed."""

from __future__ import annotations

from schemas.submission import Submission
from services.intake.case_record import as_submission, new_case
from services.intake.domain.admissibility import assess
from services.intake.domain.duplicates import fingerprint
from services.intake.domain.normalise import normalise_submission
from services.intake.models import IntakeCase
from services.intake.register import case_print

LETTER = {
    "channel": "post",
    "received_at": "2023-05-08T08:00:00+07:00",
    "name": "Rơ Mah Hlim",
    "address": "làng Bi, xã Ia Băng, huyện Đak Đoa",
    "phone": "0386123456",
    "content": (
        "Quy định cấp giấy phép khai thác nước dưới đất cho hộ gia đình yêu cầu quá nhiều giấy "
        "tờ; đề nghị tỉnh đơn giản hóa thủ tục và cho nộp hồ sơ trực tuyến."
    ),
}
OTHER_TEXT = "Đường liên thôn 3 xuống cấp, xe không đi được; đề nghị xã sửa chữa trước mùa mưa."


def a_case(**changes: str) -> IntakeCase:
    item = normalise_submission(Submission.model_validate({**LETTER, **changes}))
    return new_case(item, assess(item), duplicate_of=None)


def fresh(case: IntakeCase) -> object:
    return fingerprint(as_submission(case))


def test_a_kept_fingerprint_is_the_fresh_one() -> None:
    case = a_case()
    assert case_print(case) == fresh(case)
    assert case_print(case) is case_print(case)  # worked out once


def test_a_case_whose_text_changed_is_read_again() -> None:
    case = a_case()
    before = case_print(case)
    case.content = OTHER_TEXT
    after = case_print(case)
    assert after == fresh(case)
    assert after.shingles != before.shingles


def test_another_case_under_the_same_id_is_read_again() -> None:
    """Another store (a fresh dry run, a test) may hand out a case with an id seen before."""
    first = a_case()
    case_print(first)
    second = a_case(content=OTHER_TEXT, phone="0905111222")
    second.id = first.id
    assert case_print(second) == fresh(second)
    assert case_print(second).phone == "0905111222"
    assert case_print(first) == fresh(first)  # and back again
