"""What every adapter of the intake's ports (services/intake/ports.py) must do, as scenarios.

Each scenario takes a `StoreUnderTest` (an empty store and a way to look inside it) and
runs on the in-memory fake and on SQLite (tests/unit/intake/test_store_contract.py), and on
PostgreSQL (tests/integration/test_intake_store_pg.py, marked `integration`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.exc import IntegrityError

from schemas.events import CaseRefused
from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.case_record import event_of
from services.intake.domain.admissibility import RefusalReason, refuse
from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.ports import LetterQuery, RawMark, RepeatQuery, Storage
from services.intake.register import register_submission

VIETNAM = timezone(timedelta(hours=7))
T0 = datetime(2023, 5, 8, 8, 0, tzinfo=VIETNAM)
TOPICS = Topics("contract")


@dataclass
class StoreUnderTest:
    storage: Storage
    outbox_keys: Callable[[], Awaitable[list[str]]]  # the keys of the staged events, in order
    attachment_hashes: Callable[[], Awaitable[list[str]]]


Scenario = Callable[[StoreUnderTest], Awaitable[None]]


def case(**changes: Any) -> IntakeCase:
    values: dict[str, Any] = {
        "id": uuid4().hex,
        "tracking_code": f"GL-{uuid4().hex[:8].upper()}",
        "channel": "post",
        "received_at": T0,
        "submitter_type": "individual",
        "status": "accepted",
    }
    return IntakeCase(**{**values, **changes})


def raw(ref: str, source: str = "web", **changes: Any) -> RawPayload:
    return RawPayload(source=source, source_ref=ref, body=b"{}", **changes)


def letters(**changes: Any) -> LetterQuery:
    values: dict[str, Any] = {
        "phones": frozenset(),
        "emails": frozenset(),
        "names": frozenset(),
        "since": T0 - timedelta(days=30),
        "limit": 50,
    }
    return LetterQuery(**{**values, **changes})


def repeats(**changes: Any) -> RepeatQuery:
    values: dict[str, Any] = {
        "phones": frozenset(),
        "emails": frozenset(),
        "channels": frozenset({"web"}),
        "since": T0 - timedelta(days=1),
        "until": T0 + timedelta(days=1),
        "limit": 50,
    }
    return RepeatQuery(**{**values, **changes})


async def add(store: StoreUnderTest, *cases: IntakeCase) -> None:
    async with store.storage.transaction() as uow:
        await uow.cases.add(list(cases))


def ids(cases: list[IntakeCase]) -> list[str]:
    return [c.id for c in cases]


# --- the register ---------------------------------------------------------------------------


async def cases_are_found_by_channel_message_and_code(store: StoreUnderTest) -> None:
    letter, email = case(channel_ref="CV-1"), case(channel="email", channel_ref="CV-1")
    await add(store, letter, email, case())
    async with store.storage.transaction() as uow:
        found = await uow.cases.by_channel_refs({("post", "CV-1"), ("hotline", "CV-1")})
        assert ids(found) == [letter.id]
        assert await uow.cases.by_channel_refs(set()) == []
        assert await uow.cases.taken_codes({letter.tracking_code, "GL-FREE"}) == {
            letter.tracking_code
        }
        by_code = await uow.cases.by_code(email.tracking_code)
        assert by_code is not None and by_code.id == email.id
        assert await uow.cases.by_code("GL-NONE") is None


async def a_channel_message_or_a_code_twice_is_refused(store: StoreUnderTest) -> None:
    first = case(channel_ref="CV-1")
    await add(store, first)
    for again in (case(channel_ref="CV-1"), case(tracking_code=first.tracking_code)):
        with pytest.raises(IntegrityError):
            await add(store, case(channel_ref="CV-2"), again)
    async with store.storage.transaction() as uow:  # nothing of the refused ones is kept
        assert await uow.cases.by_channel_refs({("post", "CV-2")}) == []
        await uow.cases.add([case(channel="email", channel_ref="CV-1"), case(channel_ref=None)])


async def letter_candidates_share_a_contact_and_come_earliest_first(
    store: StoreUnderTest,
) -> None:
    by_phone = case(  # found by its name too: once
        phone="0905111222", name_folded="nguyen van an", received_at=T0 + timedelta(days=2)
    )
    by_email = case(email="an@example.com", received_at=T0 + timedelta(days=1))
    by_name = case(name_folded="nguyen van an", received_at=T0)
    copy = case(phone="0905111222", duplicate_of=by_phone.id, status="refused")
    stranger = case(phone="0914000111", email="binh@example.com", name_folded="tran binh")
    await add(store, by_phone, by_email, by_name, copy, stranger)
    query = letters(
        phones=frozenset({"0905111222"}),
        emails=frozenset({"an@example.com"}),
        names=frozenset({"nguyen van an"}),
    )
    async with store.storage.transaction() as uow:
        assert ids(await uow.cases.letter_candidates(query)) == [
            by_name.id,
            by_email.id,
            by_phone.id,
        ]
        limited = letters(phones=query.phones, emails=query.emails, names=query.names, limit=2)
        assert ids(await uow.cases.letter_candidates(limited)) == [by_name.id, by_email.id]
        assert await uow.cases.letter_candidates(letters()) == []


async def letter_candidates_keep_to_the_window_and_other_channels(
    store: StoreUnderTest,
) -> None:
    since = T0 - timedelta(days=30)
    on_the_edge = case(phone="0905111222", received_at=since.astimezone(UTC))
    too_early = case(phone="0905111222", received_at=since - timedelta(seconds=1))
    by_email = case(phone="0905111222", channel="email")
    await add(store, on_the_edge, too_early, by_email)
    phones = frozenset({"0905111222"})
    async with store.storage.transaction() as uow:
        found = await uow.cases.letter_candidates(letters(phones=phones, since=since))
        assert ids(found) == [on_the_edge.id, by_email.id]
        others = letters(phones=phones, since=since, other_channel_than="post")
        assert ids(await uow.cases.letter_candidates(others)) == [by_email.id]


async def repeat_candidates_are_by_the_same_channel_within_the_bounds(
    store: StoreUnderTest,
) -> None:
    first = case(channel="web", phone="0905111222", received_at=T0 - timedelta(days=1))
    later = case(channel="web", email="an@example.com", received_at=T0 + timedelta(days=1))
    outside = case(channel="web", phone="0905111222", received_at=T0 + timedelta(days=2))
    by_post = case(channel="post", phone="0905111222")
    by_name = case(channel="web", name_folded="nguyen van an")
    copy = case(channel="web", phone="0905111222", duplicate_of=first.id, status="refused")
    await add(store, later, first, outside, by_post, by_name, copy)
    query = repeats(phones=frozenset({"0905111222"}), emails=frozenset({"an@example.com"}))
    async with store.storage.transaction() as uow:
        assert ids(await uow.cases.repeat_candidates(query)) == [first.id, copy.id, later.id]
        one = repeats(phones=query.phones, emails=query.emails, limit=1)
        assert ids(await uow.cases.repeat_candidates(one)) == [first.id]


async def the_register_use_case_runs_on_the_store(store: StoreUnderTest) -> None:
    letter = Submission.model_validate(
        {
            "channel": "post",
            "channel_ref": "CV-12",
            "received_at": T0.isoformat(),
            "name": "Rơ Mah Hlim",
            "phone": "0386 123 456",
            "content": "Đề nghị đơn giản hóa thủ tục cấp phép khai thác nước dưới đất.",
        }
    )
    done = []
    for _ in range(2):
        async with store.storage.transaction() as uow:
            done.append(await register_submission(uow, submission=letter, topics=TOPICS))
    assert [d.created for d in done] == [True, False] and done[0].case.id == done[1].case.id
    assert await store.outbox_keys() == [done[0].case.id]


# --- the raw archive ------------------------------------------------------------------------


async def a_payload_is_archived_found_changed_and_removed(store: StoreUnderTest) -> None:
    kept, taken = raw("r-1", event_id="ev-1"), raw("r-2")
    async with store.storage.transaction() as uow:
        uow.raws.add(kept)
        uow.raws.add(taken)
    assert kept.id is not None and taken.id is not None and kept.id != taken.id
    kept.status, kept.error, kept.body = "failed", "không đọc được", b"{"
    async with store.storage.transaction() as uow:
        uow.raws.save(kept)
        taken.status = "registered"
        uow.raws.save(taken)
    async with store.storage.transaction() as uow:
        found = await uow.raws.find("web", "r-1")
        assert found is not None and (found.status, found.error, found.body) == (
            "failed",
            "không đọc được",
            b"{",
        )
        by_event = await uow.raws.by_event_id("ev-1")
        assert by_event is not None and by_event.id == kept.id
        assert await uow.raws.find("email", "r-1") is None
        await uow.raws.remove_unregistered(kept.id)
        await uow.raws.remove_unregistered(taken.id)  # registered meanwhile: kept
    async with store.storage.transaction() as uow:
        assert await uow.raws.find("web", "r-1") is None
        assert await uow.raws.find("web", "r-2") is not None


async def a_payload_twice_under_one_reference_is_refused(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.raws.add(raw("r-1"))
    with pytest.raises(IntegrityError):
        async with store.storage.transaction() as uow:
            uow.raws.add(raw("r-2"))
            uow.raws.add(raw("r-1"))
    async with store.storage.transaction() as uow:
        assert await uow.raws.find("web", "r-2") is None
        uow.raws.add(raw("r-1", source="email"))  # another source: another payload


async def payloads_are_archived_and_marked_a_batch_at_a_time(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.raws.add(raw("line-1", source="web"))  # the same ref from another source
        added = await uow.raws.add_many([raw("line-1", "import"), raw("line-2", "import")])
        assert set(added) == {"line-1", "line-2"} and len(set(added.values())) == 2
        assert await uow.raws.add_many([]) == {}
    async with store.storage.transaction() as uow:
        await uow.raws.mark(
            [
                RawMark(added["line-1"], "registered", case_id="c-1"),
                RawMark(added["line-2"], "failed", error="dòng 2: lỗi"),
            ]
        )
    async with store.storage.transaction() as uow:
        states = await uow.raws.states("import", {"line-1", "line-2", "line-3"})
        assert states == {
            "line-1": (added["line-1"], "registered"),
            "line-2": (added["line-2"], "failed"),
        }
        line = await uow.raws.find("import", "line-2")
        assert line is not None and (line.case_id, line.error) == (None, "dòng 2: lỗi")


# --- the unit of work -----------------------------------------------------------------------


async def a_transaction_that_raises_leaves_no_trace(store: StoreUnderTest) -> None:
    first = case(channel_ref="CV-1")
    with pytest.raises(RuntimeError):
        async with store.storage.transaction() as uow:
            await uow.cases.add([first])
            uow.raws.add(raw("r-1"))
            uow.attachments.add(_attachment(first))
            uow.outbox.stage(topic=TOPICS.case_events, key=first.id, event=_refused(first))
            raise RuntimeError("taken back")
    async with store.storage.transaction() as uow:
        assert await uow.cases.by_code(first.tracking_code) is None
        assert await uow.raws.find("web", "r-1") is None
    assert await store.outbox_keys() == [] and await store.attachment_hashes() == []
    await add(store, first)  # its channel message and code are free again


async def a_savepoint_that_raises_takes_back_its_own_part_alone(store: StoreUnderTest) -> None:
    kept, dropped = case(), case()
    async with store.storage.transaction() as uow:
        await uow.cases.add([kept])
        uow.outbox.stage(topic=TOPICS.case_events, key=kept.id, event=_refused(kept))
        with pytest.raises(IntegrityError):
            async with uow.savepoint():
                await uow.cases.add([dropped])
                uow.outbox.stage(topic=TOPICS.case_events, key=dropped.id, event=_refused(dropped))
                uow.attachments.add(_attachment(dropped))
                await uow.cases.add([case(tracking_code=kept.tracking_code)])
        async with uow.savepoint():
            uow.attachments.add(_attachment(kept))
    async with store.storage.transaction() as uow:
        assert await uow.cases.by_code(kept.tracking_code) is not None
        assert await uow.cases.by_code(dropped.tracking_code) is None
    assert await store.outbox_keys() == [kept.id]
    assert await store.attachment_hashes() == [kept.id]


def _attachment(of: IntakeCase) -> IntakeAttachment:
    return IntakeAttachment(
        case_id=of.id, sha256=of.id, filename="a.pdf", media_type="application/pdf", size=1
    )


def _refused(of: IntakeCase) -> CaseRefused:
    event = event_of(of, refuse(RefusalReason.EMPTY_CONTENT, "empty"))
    assert isinstance(event, CaseRefused)
    return event


SCENARIOS: list[Scenario] = [
    cases_are_found_by_channel_message_and_code,
    a_channel_message_or_a_code_twice_is_refused,
    letter_candidates_share_a_contact_and_come_earliest_first,
    letter_candidates_keep_to_the_window_and_other_channels,
    repeat_candidates_are_by_the_same_channel_within_the_bounds,
    the_register_use_case_runs_on_the_store,
    a_payload_is_archived_found_changed_and_removed,
    a_payload_twice_under_one_reference_is_refused,
    payloads_are_archived_and_marked_a_batch_at_a_time,
    a_transaction_that_raises_leaves_no_trace,
    a_savepoint_that_raises_takes_back_its_own_part_alone,
]
