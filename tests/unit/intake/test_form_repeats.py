"""Issue 14: the form answers with its receipt (Post/Redirect/Get), and the same person
sending the same text again by the same channel within a day gets the first case back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.domain.duplicates import fingerprint, is_repeat
from services.intake.memory_store import MemoryStorage
from services.intake.register import register_many, register_submission
from tests.unit.intake.http_support import GOOD, Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]
TOPICS = Topics("unit")
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=7)))
ITEM = {
    "channel": "web",
    "received_at": RECEIVED.isoformat(),
    "name": "Nguyễn Văn An",
    "address": "thôn 2, xã Ia Grai, tỉnh Gia Lai",
    "phone": "0905 111 222",
    "email": "an@example.com",
    "content": (
        "Thủ tục đăng ký hộ kinh doanh tại xã yêu cầu nộp bản sao có chứng thực dù đã có bản "
        "điện tử; đề nghị bỏ yêu cầu này để giảm giấy tờ cho người dân."
    ),
}


def item(**changes: object) -> Submission:
    return Submission.model_validate({**ITEM, **changes})


def test_a_repeat_is_the_same_person_and_text_within_a_day() -> None:
    first = fingerprint(item())
    assert is_repeat(fingerprint(item(received_at=RECEIVED + timedelta(hours=23))), first)
    assert is_repeat(fingerprint(item(phone="", address="")), first)  # the same e-mail
    assert not is_repeat(fingerprint(item(received_at=RECEIVED + timedelta(days=2))), first)
    assert not is_repeat(fingerprint(item(content="Đề nghị công khai lịch tiếp dân.")), first)
    other = item(phone="0914 000 111", email="binh@example.com")  # someone else, same text
    assert not is_repeat(fingerprint(other), first)
    same_name_only = item(phone="0914 000 111", email="")
    assert not is_repeat(fingerprint(same_name_only), first)


@pytest.fixture
def db() -> MemoryStorage:
    return MemoryStorage()


async def _register(db: MemoryStorage, submission: Submission) -> tuple[str, bool]:
    async with db.transaction() as uow:
        done = await register_submission(uow, submission=submission, topics=TOPICS)
    return done.case.tracking_code, done.created


async def test_the_same_form_twice_on_one_day_is_one_case(db: MemoryStorage) -> None:
    code, created = await _register(db, item())
    assert created
    assert await _register(db, item(received_at=RECEIVED + timedelta(minutes=1))) == (code, False)
    later = await _register(db, item(received_at=RECEIVED + timedelta(days=1, minutes=5)))
    assert later[1] and later[0] != code  # a day later: a case of its own
    other_text = await _register(db, item(content="Đề nghị công khai lịch tiếp dân của xã."))
    assert other_text[1]


async def test_a_numbered_message_and_another_channel_are_not_repeats(db: MemoryStorage) -> None:
    code, _ = await _register(db, item())
    # A channel that numbers its messages says itself which ones are the same.
    numbered = await _register(db, item(channel="email", channel_ref="<m1@example.com>"))
    assert numbered[1] and numbered[0] != code
    # The same letter by the post desk: a case of its own, linked as a duplicate (as before).
    async with db.transaction() as uow:
        (by_post,) = await register_many(uow, submissions=[item(channel="post")], topics=TOPICS)
    assert by_post.created and by_post.case.reason == "duplicate"


async def test_repeats_inside_one_batch_are_one_case(db: MemoryStorage) -> None:
    async with db.transaction() as uow:
        done = await register_many(uow, submissions=[item(), item()], topics=TOPICS)
    assert [d.created for d in done] == [True, False]
    assert done[0].case.tracking_code == done[1].case.tracking_code


async def test_the_form_redirects_to_its_receipt_and_a_resend_is_the_same_case(
    intake: Intake,
) -> None:
    first = await intake.client.post("/gui-phan-anh", data=GOOD)
    again = await intake.client.post("/gui-phan-anh", data=GOOD)
    assert (first.status_code, again.status_code) == (303, 303)
    location = first.headers["location"]
    assert location.startswith("/bien-nhan/GL-") and location.endswith("?moi=1")
    assert again.headers["location"] == location and len(await intake.cases()) == 1
    receipt = await intake.client.get(location)
    page = receipt.text
    assert receipt.status_code == 200 and "Tải lại trang này không gửi lại" in page
    assert "3 ngày làm việc" in page and "10 ngày làm việc" in page
    settings = intake.service.settings
    for published in (settings.hotline_number, settings.hotline_hours, settings.pakn_email):
        assert published in page
    assert "/kenh-tiep-nhan" in page and "/gui-phan-anh" in page
    plain = await intake.client.get(location.split("?")[0])  # printed later: no banner
    assert "Tải lại trang này" not in plain.text and "10 ngày làm việc" in plain.text


async def test_a_refused_item_s_receipt_says_why_instead_of_deadlines(intake: Intake) -> None:
    form = {**GOOD, "content": "Tôi tố cáo cán bộ xã nhận hối lộ khi làm thủ tục."}
    sent = await intake.client.post("/gui-phan-anh", data=form)
    assert sent.status_code == 303
    (case,) = await intake.cases()
    page = (await intake.client.get(sent.headers["location"])).text
    if case.status == "refused":
        assert 'id="ly-do"' in page and 'id="thoi-han"' not in page
    else:  # the register may accept it for the office to look at: then the deadlines
        assert 'id="thoi-han"' in page
