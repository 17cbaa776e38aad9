"""The register use case on a migrated SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.models import IntakeCase
from services.intake.register import register_submission
from services.kit.db import Database
from services.kit.outbox import OutboxMessage
from tests.unit.databases import migrated_copy

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
async def db(tmp_path: Path) -> Database:
    return Database(migrated_copy(tmp_path, "intake"))


async def _register(db: Database, **changes: str) -> IntakeCase:
    submission = Submission.model_validate({**LETTER, **changes})
    async with db.transaction() as session:
        return (await register_submission(session, submission=submission, topics=TOPICS)).case


async def _events(db: Database) -> list[dict[str, object]]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert {r.topic for r in rows} <= {TOPICS.case_events}
    return [json.loads(r.payload) for r in rows]


async def test_an_admissible_letter_is_registered_with_a_code_and_accepted(db: Database) -> None:
    case = await _register(db)
    assert case.status == "accepted" and case.phone == "0386123456"
    events = await _events(db)
    assert [e["event_type"] for e in events] == ["case.accepted"]
    assert events[0]["case"]["tracking_code"] == case.tracking_code  # type: ignore[index]


async def test_the_same_channel_message_twice_is_one_item(db: Database) -> None:
    first, again = await _register(db), await _register(db)
    assert again.id == first.id and len(await _events(db)) == 1


async def test_the_same_letter_by_email_days_later_is_linked_to_the_first_case(
    db: Database,
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


async def test_an_anonymous_item_is_registered_and_refused_with_its_reason(db: Database) -> None:
    case = await _register(db, channel_ref="CV-13", name="ẩn danh", phone="", address="")
    assert case.status == "refused" and case.reason == "missing_contact" and case.tracking_code
