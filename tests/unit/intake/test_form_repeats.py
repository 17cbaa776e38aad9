"""Issue 14: the same person sending the same text again by the same channel within a day
gets the first case back (the form's receipt, Post/Redirect/Get, on SQLite:
tests/component/intake/test_form_repeats.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.domain.duplicates import fingerprint, is_repeat
from services.intake.memory_store import MemoryStorage
from services.intake.register import register_many, register_submission

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
