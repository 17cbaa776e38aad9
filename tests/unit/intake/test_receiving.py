"""Every channel's way in (services/intake/receiving.py) on the in-memory store: the raw
payload kept first, then the item registered with its files, the payload pointing at its case."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.attachments import AttachmentStore, CheckedFile
from services.intake.memory_store import MemoryStorage
from services.intake.models import RawPayload
from services.intake.receiving import Receiver, register_delivered
from services.kit.db import Database

TOPICS = Topics("unit")
ITEM = {
    "channel": "email",
    "channel_ref": "<m-1@example.com>",
    "received_at": "2023-05-08T08:00:00+07:00",
    "name": "Nguyễn Thị Hoa",
    "email": "hoa@example.com",
    "content": "Đề nghị cho nộp hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ trực tuyến toàn trình.",
}
PDF = CheckedFile(filename="don.pdf", kind="pdf", data=b"%PDF-1.4\n%%EOF\n")


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def receiver(storage: MemoryStorage, tmp_path: Path) -> Receiver:
    return Receiver(
        storage=storage,
        db=Database("sqlite+aiosqlite://"),  # the pages' database: not used here
        topics=TOPICS,
        store=AttachmentStore(tmp_path / "files"),
    )


async def test_a_payload_is_kept_once_per_reference(receiver: Receiver) -> None:
    first = await receiver.archive("mailbox", b"From: hoa", ref="<m-1@example.com>")
    again = await receiver.archive("mailbox", b"From: hoa", ref="<m-1@example.com>")
    assert (first.new, again.new) == (True, False) and again.raw.id == first.raw.id
    unnamed = [await receiver.archive("web", b"{}") for _ in range(2)]
    assert all(a.new for a in unnamed) and unnamed[0].raw.id != unnamed[1].raw.id
    failed = await receiver.archive("web", b"{", error="không đọc được\x00")
    assert (failed.raw.status, failed.raw.error) == ("failed", "không đọc được")


async def test_an_item_is_registered_with_its_files_and_its_payload_points_at_it(
    receiver: Receiver, storage: MemoryStorage
) -> None:
    raw = (await receiver.archive("mailbox", b"From: hoa", ref="m-1")).raw
    done = await receiver.register(raw, Submission.model_validate(ITEM), [PDF])
    assert done.created
    found = await receiver.case_by_code(done.case.tracking_code)
    assert found is not None and found.id == done.case.id
    (attachment,) = storage.tables.attachments
    assert (attachment.case_id, attachment.raw_id, attachment.sha256) == (
        done.case.id,
        raw.id,
        PDF.sha256,
    )
    assert receiver.store.path_of(PDF.sha256, "pdf").read_bytes() == PDF.data
    assert raw.id is not None
    kept = storage.tables.raws[raw.id]
    assert (kept.status, kept.case_id) == ("registered", done.case.id)
    # The same message delivered again: the same case, its files not linked twice.
    other = (await receiver.archive("mailbox", b"From: hoa", ref="m-1-again")).raw
    again = await receiver.register(other, Submission.model_validate(ITEM), [PDF])
    assert not again.created and again.case.id == done.case.id
    assert len(storage.tables.attachments) == 1 and len(storage.outbox) == 1


async def test_an_unreadable_payload_is_marked_failed_or_discarded(
    receiver: Receiver, storage: MemoryStorage
) -> None:
    raw = (await receiver.archive("web", b"x" * 100)).raw
    await receiver.fail(raw, "Thiếu nội dung.", keep_bytes=10)
    assert raw.id is not None
    kept = storage.tables.raws[raw.id]
    assert (kept.status, kept.error, kept.body) == ("failed", "Thiếu nội dung.", b"x" * 10)
    await receiver.discard(raw)
    assert raw.id not in storage.tables.raws
    registered = (await receiver.archive("web", b"{}")).raw
    await receiver.register(registered, Submission.model_validate(ITEM))
    await receiver.discard(registered)
    assert registered.id in storage.tables.raws  # a registered payload is kept


async def test_an_item_from_the_intake_topic_points_its_archived_payload_at_its_case(
    receiver: Receiver, storage: MemoryStorage
) -> None:
    event = SubmissionReceived(
        correlation_id="producer-42", submission=Submission.model_validate(ITEM)
    )
    raw = RawPayload(source="pakn.intake", source_ref="0:7", body=b"{}", event_id=event.event_id)
    async with storage.transaction() as uow:  # as the pipeline's archive step keeps it
        uow.raws.add(raw)
    async with storage.transaction() as uow:
        done = await register_delivered(uow, event=event, topics=TOPICS)
    assert raw.id is not None
    kept = storage.tables.raws[raw.id]
    assert (kept.status, kept.case_id) == ("registered", done.case.id)
    (staged,) = storage.outbox
    assert staged.event.correlation_id == "producer-42" and staged.key == done.case.id
