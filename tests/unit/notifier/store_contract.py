"""What every adapter of the notifier's ports (services/notifier/ports.py) must do, as scenarios.

Each scenario takes a `StoreUnderTest` (an empty store and a way to look inside it) and runs
on the in-memory fake (tests/unit/notifier/test_store_contract.py), on SQLite
(tests/component/notifier/test_store_contract.py) and on PostgreSQL
(tests/integration/test_notifier_store_pg.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from services.notifier.models import (
    Contact,
    Delivery,
    DigestEntry,
    PublicCase,
    PublicTransfer,
    Redaction,
)
from services.notifier.ports import Attempt, DigestState, LineText, Storage

T = TypeVar("T", bound=SQLModel)
RECEIVED = datetime.fromisoformat("2023-01-18T09:30:00+07:00")
NOW = datetime.fromisoformat("2023-03-03T07:30:00+07:00")


@dataclass
class StoreUnderTest:
    storage: Storage
    rows: Callable[[type[Any]], Awaitable[Sequence[Any]]]  # every row of a table, by id/key


Scenario = Callable[[StoreUnderTest], Awaitable[None]]


def public(case_id: str, **changes: Any) -> PublicCase:
    values: dict[str, Any] = {
        "case_id": case_id,
        "tracking_code": f"GL-{case_id.upper()}",
        "channel": "web",
        "received_at": RECEIVED,
        "status": "received",
        "title": "Tiêu đề",
        "content": "Nội dung",
        "search_text": "tieu de noi dung",
    }
    return PublicCase(**{**values, **changes})


def mail(event_id: str, recipient: str = "hoa@example.com", **changes: Any) -> Delivery:
    values: dict[str, Any] = {
        "event_id": event_id,
        "case_id": "c1",
        "recipient": recipient,
        "template": "receipt",
        "subject": "Đã tiếp nhận",
        "body_text": "Kính gửi",
        "next_attempt_at": NOW - timedelta(minutes=1),
    }
    return Delivery(**{**values, **changes})


def line(digest_id: int, event_id: str, text: str = "GL-1 — hạn") -> DigestEntry:
    return DigestEntry(
        digest_id=digest_id, event_id=event_id, case_id="c1", recipient_name="VP", text=text
    )


async def stage(store: StoreUnderTest, *deliveries: Delivery) -> list[int]:
    async with store.storage.transaction() as uow:
        return [await uow.deliveries.insert(delivery) for delivery in deliveries]


async def by_id(store: StoreUnderTest, delivery_id: int) -> Delivery:
    (found,) = [row for row in await store.rows(Delivery) if row.id == delivery_id]
    assert isinstance(found, Delivery)
    return found


# --- the public projection ---------------------------------------------------------------


async def a_public_case_is_read_back_and_its_saved_changes_kept(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.cases.add(public("c1"))
    async with store.storage.transaction() as uow:
        got = await uow.cases.get("c1")
        assert await uow.cases.get("nope") is None
        assert got is not None
        got.status, got.missed, got.due_answer = "routed", ["answer"], date(2023, 2, 8)
        uow.cases.save(got)
    async with store.storage.transaction() as uow:
        again = await uow.cases.get("c1")
    assert again is not None
    assert again.model_dump(exclude={"updated_at"}) == public(
        "c1", status="routed", missed=["answer"], due_answer=date(2023, 2, 8)
    ).model_dump(exclude={"updated_at"})
    assert again.received_at == RECEIVED and again.received_at.utcoffset() is not None


async def a_case_projected_twice_is_refused_and_leaves_no_trace(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.cases.add(public("c1"))
        uow.contacts.add(Contact(case_id="c1", name="Hoa"))
    for duplicate in (public("c1", status="refused"), public("c3", tracking_code="GL-C1")):
        with pytest.raises(IntegrityError):
            async with store.storage.transaction() as uow:
                uow.cases.add(public("c2"))
                uow.contacts.add(Contact(case_id="c2"))
                uow.cases.add(duplicate)
    with pytest.raises(IntegrityError):
        async with store.storage.transaction() as uow:
            uow.contacts.add(Contact(case_id="c1", name="Bình"))
    async with store.storage.transaction() as uow:
        assert await uow.cases.get("c2") is None and await uow.contacts.get("c2") is None
        assert await uow.cases.get("c3") is None
        first, who = await uow.cases.get("c1"), await uow.contacts.get("c1")
    assert first is not None and first.status == "received"
    assert who is not None and who.name == "Hoa"


async def a_raising_transaction_keeps_nothing(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.cases.add(public("c1"))
    with pytest.raises(RuntimeError):
        async with store.storage.transaction() as uow:
            case = await uow.cases.get("c1")
            assert case is not None
            case.status = "answered"
            uow.cases.save(case)
            uow.transfers.add(_transfer("c1"))
            uow.redactions.add(_redaction("c1"))
            uow.deliveries.add(mail("e1"))
            raise RuntimeError("the use case failed half-way")
    async with store.storage.transaction() as uow:
        kept = await uow.cases.get("c1")
        assert not await uow.deliveries.staged("e1", "hoa@example.com")
    assert kept is not None and kept.status == "received"
    for table in (PublicTransfer, Redaction, Delivery):
        assert await store.rows(table) == []


def _transfer(case_id: str, hop: int = 2) -> PublicTransfer:
    return PublicTransfer(
        case_id=case_id,
        hop=hop,
        from_agency="STNMT",
        from_agency_name="Sở Tài nguyên và Môi trường",
        to_agency="SXD",
        to_agency_name="Sở Xây dựng",
        reason="Thuộc lĩnh vực xây dựng",
        transferred_on=date(2023, 2, 1),
    )


def _redaction(case_id: str, field: str = "content") -> Redaction:
    return Redaction(case_id=case_id, field=field, kind="phone", start=3, end=15)


async def transfers_and_the_redaction_log_are_kept_in_order(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.transfers.add(_transfer("c1", hop=2))
        uow.transfers.add(_transfer("c1", hop=3))
        uow.redactions.add(_redaction("c1", "content"))
        uow.redactions.add(_redaction("c1", "answer"))
    transfers, redactions = await store.rows(PublicTransfer), await store.rows(Redaction)
    assert [(t.case_id, t.hop, t.to_agency_name) for t in transfers] == [
        ("c1", 2, "Sở Xây dựng"),
        ("c1", 3, "Sở Xây dựng"),
    ]
    assert [(r.field, r.kind, r.start, r.end) for r in redactions] == [
        ("content", "phone", 3, 15),
        ("answer", "phone", 3, 15),
    ]
    assert all(row.id is not None for row in [*transfers, *redactions])


# --- the deliveries ----------------------------------------------------------------------


async def one_mail_per_event_and_recipient(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        assert not await uow.deliveries.staged("e1", "hoa@example.com")
        uow.deliveries.add(mail("e1"))
        uow.deliveries.add(mail("e1", "stnmt@gialai.gov.vn"))
        uow.deliveries.add(mail("e2"))
    with pytest.raises(IntegrityError):
        async with store.storage.transaction() as uow:
            uow.deliveries.add(mail("e3"))
            uow.deliveries.add(mail("e1", subject="lần hai"))
    async with store.storage.transaction() as uow:
        assert await uow.deliveries.staged("e1", "hoa@example.com")
        assert await uow.deliveries.staged("e1", "stnmt@gialai.gov.vn")
        assert not await uow.deliveries.staged("e3", "hoa@example.com")
        assert not await uow.deliveries.staged("e2", "stnmt@gialai.gov.vn")
    rows = await store.rows(Delivery)
    assert [(d.event_id, d.recipient, d.subject) for d in rows] == [
        ("e1", "hoa@example.com", "Đã tiếp nhận"),
        ("e1", "stnmt@gialai.gov.vn", "Đã tiếp nhận"),
        ("e2", "hoa@example.com", "Đã tiếp nhận"),
    ]


async def due_deliveries_are_the_pending_ones_whose_time_came(store: StoreUnderTest) -> None:
    later = NOW + timedelta(seconds=1)
    ids = await stage(
        store,
        mail("e1"),
        mail("e2", next_attempt_at=later),
        mail("e3", status="sent"),
        mail("e4", next_attempt_at=NOW),
        mail("e5"),
    )
    async with store.storage.transaction() as uow:
        assert await uow.deliveries.due(NOW, limit=50) == [ids[0], ids[3], ids[4]]
        assert await uow.deliveries.due(NOW, limit=2) == [ids[0], ids[3]]
        assert await uow.deliveries.due(later, limit=50) == [ids[0], ids[1], ids[3], ids[4]]


async def a_pending_delivery_is_claimed_once(store: StoreUnderTest) -> None:
    first, failed = await stage(store, mail("e1"), mail("e2", status="failed"))
    async with store.storage.transaction() as uow:
        claimed = await uow.deliveries.claim(first, token="t1", at=NOW)
        assert await uow.deliveries.claim(first, token="t2", at=NOW) is None
        assert await uow.deliveries.claim(failed, token="t2", at=NOW) is None
        assert await uow.deliveries.claim(first + failed + 1, token="t2", at=NOW) is None
    assert claimed is not None and claimed.id == first
    assert (claimed.status, claimed.claim_token, claimed.claimed_at) == ("claimed", "t1", NOW)
    assert (claimed.event_id, claimed.body_text) == ("e1", "Kính gửi")
    stored = await by_id(store, first)
    assert (stored.status, stored.claim_token, stored.claimed_at) == ("claimed", "t1", NOW)
    assert (await by_id(store, failed)).status == "failed"


async def a_round_claims_the_pending_ones_at_once_and_gives_back_its_own(
    store: StoreUnderTest,
) -> None:
    first, taken, failed, last = await stage(
        store, mail("e1"), mail("e2"), mail("e3", status="failed"), mail("e4")
    )
    later = NOW + timedelta(minutes=1)
    async with store.storage.transaction() as uow:
        assert await uow.deliveries.claim(taken, token="other", at=NOW) is not None
        claimed = await uow.deliveries.claim_many([last, failed, taken, first], token="t1", at=NOW)
    assert [d.id for d in claimed] == [first, last]  # id order; not another's, not failed
    assert {(d.status, d.claim_token, d.claimed_at) for d in claimed} == {("claimed", "t1", NOW)}
    async with store.storage.transaction() as uow:
        assert await uow.deliveries.mark_sending(first, token="t1", at=later)
        await uow.deliveries.release([first, taken, last], token="t1")
    sending, other, released = [await by_id(store, i) for i in (first, taken, last)]
    assert (sending.status, sending.claimed_at) == ("sending", later)  # the lease runs anew
    assert (other.status, other.claim_token) == ("claimed", "other")
    assert (released.status, released.claim_token) == ("pending", None)


async def a_claim_in_a_raising_transaction_is_given_back(store: StoreUnderTest) -> None:
    (first,) = await stage(store, mail("e1"))
    with pytest.raises(RuntimeError):
        async with store.storage.transaction() as uow:
            assert await uow.deliveries.claim(first, token="t1", at=NOW) is not None
            raise RuntimeError("the database went away")
    stored = await by_id(store, first)
    assert (stored.status, stored.claim_token) == ("pending", None)


async def only_the_claims_holder_marks_it_sending_and_records_it(store: StoreUnderTest) -> None:
    first, second = await stage(store, mail("e1"), mail("e2"))
    async with store.storage.transaction() as uow:
        await uow.deliveries.claim(first, token="t1", at=NOW)
        await uow.deliveries.claim(second, token="t2", at=NOW)
    async with store.storage.transaction() as uow:
        assert not await uow.deliveries.mark_sending(first, token="t2")
        assert await uow.deliveries.mark_sending(first, token="t1")
        assert not await uow.deliveries.mark_sending(first, token="t1")  # not claimed now
        sent = Attempt(status="sent", error=None, attempts=1, sent_at=NOW)
        await uow.deliveries.record(first, token="t2", attempt=sent)  # not its claim
    assert (await by_id(store, first)).status == "sending"
    retry_at = NOW + timedelta(minutes=5)
    async with store.storage.transaction() as uow:
        await uow.deliveries.record(first, token="t1", attempt=sent)
        again = Attempt(status="pending", error="451 thử lại", attempts=3, retry_at=retry_at)
        await uow.deliveries.record(second, token="t2", attempt=again)
    done, back = await by_id(store, first), await by_id(store, second)
    assert (done.status, done.attempts, done.sent_at, done.last_error) == ("sent", 1, NOW, None)
    assert done.claim_token == "t1" and done.next_attempt_at == NOW - timedelta(minutes=1)
    assert (back.status, back.attempts, back.last_error) == ("pending", 3, "451 thử lại")
    assert (back.claim_token, back.next_attempt_at, back.sent_at) == (None, retry_at, None)


async def stale_claims_go_back_and_stale_sending_becomes_uncertain(
    store: StoreUnderTest,
) -> None:
    old, fresh = NOW - timedelta(minutes=10), NOW - timedelta(minutes=1)
    ids = await stage(store, *(mail(f"e{i}") for i in range(4)))
    async with store.storage.transaction() as uow:
        for delivery_id, at in zip(ids, (old, fresh, old, fresh), strict=True):
            await uow.deliveries.claim(delivery_id, token=f"t{delivery_id}", at=at)
        for delivery_id in ids[2:]:
            await uow.deliveries.mark_sending(delivery_id, token=f"t{delivery_id}")
    cutoff = NOW - timedelta(minutes=5)
    async with store.storage.transaction() as uow:
        await uow.deliveries.release_claims(claimed_before=cutoff)
        await uow.deliveries.abandon_sending(claimed_before=cutoff, error="mất giữa chừng")
    rows = [await by_id(store, delivery_id) for delivery_id in ids]
    assert [(d.status, d.claim_token, d.last_error) for d in rows] == [
        ("pending", None, None),
        ("claimed", f"t{ids[1]}", None),
        ("uncertain", f"t{ids[2]}", "mất giữa chừng"),
        ("sending", f"t{ids[3]}", None),
    ]


# --- the digests -------------------------------------------------------------------------


def digest(
    event_id: str = "digest-overdue-20230303", recipient: str = "vp@gialai.gov.vn"
) -> Delivery:
    return mail(event_id, recipient, template="digest", subject="", body_text="")


async def a_digests_lines_come_back_in_order_and_an_event_once(store: StoreUnderTest) -> None:
    first, other = await stage(store, digest(), digest(recipient="stnmt@gialai.gov.vn"))
    async with store.storage.transaction() as uow:
        uow.digests.add_line(line(first, "e2", "hai"))
        uow.digests.add_line(line(first, "e1", "một"))
        uow.digests.add_line(line(other, "e2", "khác"))
    for broken in (line(first, "e2", "lại"), line(first + other + 1, "e3")):
        with pytest.raises(IntegrityError):
            async with store.storage.transaction() as uow:
                uow.digests.add_line(line(first, "e4", "bốn"))
                uow.digests.add_line(broken)  # an event twice in a digest; a line of none
    async with store.storage.transaction() as uow:
        assert await uow.digests.lines(first) == [LineText("VP", "hai"), LineText("VP", "một")]
        assert await uow.digests.lines(other) == [LineText("VP", "khác")]
        assert await uow.digests.holds(recipient="vp@gialai.gov.vn", event_id="e1")
        assert await uow.digests.holds(recipient="stnmt@gialai.gov.vn", event_id="e2")
        assert not await uow.digests.holds(recipient="stnmt@gialai.gov.vn", event_id="e1")
        assert not await uow.digests.holds(recipient="vp@gialai.gov.vn", event_id="e4")


async def a_digest_is_found_by_its_key_and_recipient(store: StoreUnderTest) -> None:
    (first,) = await stage(store, digest())
    async with store.storage.transaction() as uow:
        assert await uow.digests.share_locked(
            event_id="digest-overdue-20230303", recipient="vp@gialai.gov.vn"
        ) == DigestState(first, "pending")
        assert (
            await uow.digests.share_locked(
                event_id="digest-overdue-20230304", recipient="vp@gialai.gov.vn"
            )
            is None
        )
        assert (
            await uow.digests.share_locked(
                event_id="digest-overdue-20230303", recipient="stnmt@gialai.gov.vn"
            )
            is None
        )
        await uow.deliveries.claim(first, token="t1", at=NOW)
        assert await uow.digests.share_locked(
            event_id="digest-overdue-20230303", recipient="vp@gialai.gov.vn"
        ) == DigestState(first, "claimed")


async def a_savepoint_that_raises_takes_back_its_own_work_only(store: StoreUnderTest) -> None:
    (first,) = await stage(store, digest())
    async with store.storage.transaction() as uow:
        uow.cases.add(public("c1"))
        uow.digests.add_line(line(first, "e1"))
        with pytest.raises(IntegrityError):
            async with uow.savepoint():
                again = await uow.deliveries.insert(mail("e9"))
                uow.digests.add_line(line(again, "e2"))
                await uow.deliveries.insert(digest())  # that digest exists
        async with uow.savepoint():
            kept = await uow.deliveries.insert(digest("digest-overdue-20230304"))
            uow.digests.add_line(line(kept, "e3"))
    rows = await store.rows(Delivery)
    assert [d.event_id for d in rows] == ["digest-overdue-20230303", "digest-overdue-20230304"]
    assert [(e.digest_id, e.event_id) for e in await store.rows(DigestEntry)] == [
        (first, "e1"),
        (kept, "e3"),
    ]
    async with store.storage.transaction() as uow:
        assert await uow.cases.get("c1") is not None


async def a_claimed_digest_saved_keeps_its_rendering(store: StoreUnderTest) -> None:
    (first,) = await stage(store, digest())
    async with store.storage.transaction() as uow:
        claimed = await uow.deliveries.claim(first, token="t1", at=NOW)
        assert claimed is not None
        claimed.subject, claimed.body_text, claimed.body_html = "Quá hạn", "1 mục", "<p>1</p>"
        uow.deliveries.save(claimed)
    stored = await by_id(store, first)
    assert (stored.status, stored.subject, stored.body_text, stored.body_html) == (
        "claimed",
        "Quá hạn",
        "1 mục",
        "<p>1</p>",
    )


SCENARIOS: list[Scenario] = [
    a_public_case_is_read_back_and_its_saved_changes_kept,
    a_case_projected_twice_is_refused_and_leaves_no_trace,
    a_raising_transaction_keeps_nothing,
    transfers_and_the_redaction_log_are_kept_in_order,
    one_mail_per_event_and_recipient,
    due_deliveries_are_the_pending_ones_whose_time_came,
    a_pending_delivery_is_claimed_once,
    a_round_claims_the_pending_ones_at_once_and_gives_back_its_own,
    a_claim_in_a_raising_transaction_is_given_back,
    only_the_claims_holder_marks_it_sending_and_records_it,
    stale_claims_go_back_and_stale_sending_becomes_uncertain,
    a_digests_lines_come_back_in_order_and_an_event_once,
    a_digest_is_found_by_its_key_and_recipient,
    a_savepoint_that_raises_takes_back_its_own_work_only,
    a_claimed_digest_saved_keeps_its_rendering,
]
