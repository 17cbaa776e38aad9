"""The register use case, on the in-memory store (the SQL one keeps the same contract:
tests/unit/intake/store_contract.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.memory_store import MemoryStorage
from services.intake.models import IntakeCase
from services.intake.register import register_many, register_submission

TOPICS = Topics("unit")
LETTER = {
    "channel": "post",
    "channel_ref": "CV-12",
    "received_at": "2023-05-08T08:00:00+07:00",
    "name": "Rơ Mah Hlim",
    "address": "làng Bi, xã Ia Băng, huyện Đak Đoa, tỉnh Gia Lai",
    "phone": "0386.123.456",
    "title": "Thủ tục cấp phép khai thác nước ngầm quá phức tạp",
    "content": (
        "Quy định hiện hành về cấp giấy phép khai thác nước dưới đất cho hộ gia đình tưới cà phê "
        "yêu cầu quá nhiều giấy tờ, phải đi lại nhiều lần; đề nghị tỉnh đơn giản hóa thủ tục, "
        "cho phép nộp hồ sơ trực tuyến và rút ngắn thời gian giải quyết xuống 10 ngày."
    ),
}


@pytest.fixture
def db() -> MemoryStorage:
    return MemoryStorage()


async def _register(db: MemoryStorage, **changes: str) -> IntakeCase:
    submission = Submission.model_validate({**LETTER, **changes})
    async with db.transaction() as uow:
        return (await register_submission(uow, submission=submission, topics=TOPICS)).case


async def _events(db: MemoryStorage) -> list[dict[str, Any]]:
    assert {staged.topic for staged in db.outbox} <= {TOPICS.case_events}
    return [staged.event.model_dump(mode="json") for staged in db.outbox]


async def test_an_admissible_letter_is_registered_with_a_code_and_accepted(
    db: MemoryStorage,
) -> None:
    case = await _register(db)
    assert case.status == "accepted" and case.phone == "0386123456"
    events = await _events(db)
    assert [e["event_type"] for e in events] == ["case.accepted"]
    assert events[0]["case"]["tracking_code"] == case.tracking_code


async def test_the_same_channel_message_twice_is_one_item(db: MemoryStorage) -> None:
    first, again = await _register(db), await _register(db)
    assert again.id == first.id and len(await _events(db)) == 1


async def test_the_same_letter_by_email_days_later_is_linked_to_the_first_case(
    db: MemoryStorage,
) -> None:
    first = await _register(db)
    copy = await _register(
        db,
        channel="email",
        channel_ref="msg-1@mail",
        received_at="2023-05-11T20:00:00+07:00",
        content=LETTER["content"] + " Trân trọng.",
    )
    assert copy.id != first.id and copy.status == "refused"
    assert copy.reason == "duplicate" and copy.duplicate_of == first.id
    refused = (await _events(db))[1]
    assert refused["event_type"] == "case.refused" and first.tracking_code in str(
        refused["message_vi"]
    )


async def test_an_anonymous_item_is_registered_and_refused_with_its_reason(
    db: MemoryStorage,
) -> None:
    case = await _register(db, channel_ref="CV-13", name="ẩn danh", phone="", address="")
    assert case.status == "refused" and case.reason == "missing_contact" and case.tracking_code


class _Asking:
    """A unit of work that counts the questions the register asks of its cases."""

    def __init__(self, uow: Any) -> None:
        self.asked: Counter[str] = Counter()
        self.cases, self.outbox = self, uow.outbox
        self._cases = uow.cases

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._cases, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.asked[name] += 1
            return await method(*args, **kwargs)

        return counted


async def test_the_register_asks_as_many_questions_for_many_items_as_for_one(
    db: MemoryStorage,
) -> None:
    many = [
        Submission.model_validate(
            {**LETTER, "channel_ref": f"CV-{i}" if i % 2 == 0 else None, "phone": f"0905{i:06d}"}
        )
        for i in range(40)
    ]
    asked = []
    for submissions in ([many[0]], many[1:]):
        async with db.transaction() as uow:
            asking = _Asking(uow)
            done = await register_many(asking, submissions=submissions, topics=TOPICS)
        assert all(d.created for d in done)
        asked.append(asking.asked)
    each_once = dict.fromkeys(
        ("by_channel_refs", "taken_codes", "letter_candidates", "repeat_candidates", "add"), 1
    )
    assert asked[1] == each_once and set(asked[0].values()) == {1}


async def test_the_items_of_one_call_see_each_other(db: MemoryStorage) -> None:
    letter = Submission.model_validate(LETTER)
    copy = Submission.model_validate({**LETTER, "channel": "email", "channel_ref": "m-1@mail"})
    async with db.transaction() as uow:
        first, second, again = await register_many(
            uow, submissions=[letter, copy, letter], topics=TOPICS
        )
    assert (first.created, second.created, again.created) == (True, True, False)
    assert second.case.duplicate_of == first.case.id and again.case.id == first.case.id
    assert [e["event_type"] for e in await _events(db)] == ["case.accepted", "case.refused"]


async def test_a_unit_of_work_that_fails_registers_nothing(db: MemoryStorage) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as uow:
            await register_submission(
                uow, submission=Submission.model_validate(LETTER), topics=TOPICS
            )
            raise RuntimeError("the caller's later step failed")
    assert await _events(db) == []
    assert (await _register(db)).status == "accepted"  # its channel message was not kept
