"""The mailer hands each staged e-mail over at most once, retries what may pass, and says
honestly when it cannot know (a crash or a broken connection during DATA). On the in-memory
store; the claim's compare-and-set and the rest of the SQL adapter are held to the same
contract in tests/component/notifier/test_store_contract.py."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from services.kit.columns import utc_now
from services.notifier.mailer import Mailer
from services.notifier.memory_store import MemoryDeliveries
from services.notifier.models import Delivery
from services.notifier.outgoing import compose, message_id
from services.notifier.ports import Attempt
from services.notifier.transports import (
    PermanentMailError,
    TransientMailError,
    UncertainMailError,
)
from tests.unit.notifier.builders import RecordingTransport
from tests.unit.notifier.memory_support import (
    RECEIPT,
    MemoryNotifier,
    memory_notifier,
    stage_mails,
)

FAST = {"mail_backoff_s": 0.01, "mail_poll_s": 0.05}


async def _stage(notifier: MemoryNotifier, count: int = 1) -> None:
    await stage_mails(notifier, RECEIPT, *(f"nguoi{i}@example.com" for i in range(count)))


def _mailer(notifier: MemoryNotifier, transport: Any) -> Mailer:
    return notifier.mailer(transport)


def _make_due(notifier: MemoryNotifier) -> None:
    notifier.make_due(utc_now() - timedelta(seconds=1))


async def test_a_delivery_is_sent_once_with_both_parts() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    transport = RecordingTransport()
    mailer = _mailer(notifier, transport)
    assert await mailer.run_once() == 1
    assert await mailer.run_once() == 0
    [row] = notifier.deliveries()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    [message] = transport.sent
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in message.iter_parts())
    assert "GL-2222-2222" in text and "GL-2222-2222" in html
    assert "Nguyễn Văn A" not in text + html  # a receipt carries no text the sender typed
    assert message["Message-ID"] == message_id(row, sender=notifier.settings.mail_from)
    [envelope] = transport.envelopes
    assert (envelope.sender, envelope.recipient) == ("pakn@gialai.gov.vn", row.recipient)


async def test_a_transient_refusal_is_retried_later_then_sent_once() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    transport = RecordingTransport([TransientMailError("451 4.3.0 try later")])
    mailer = _mailer(notifier, transport)
    before = utc_now()  # not the clock after the run: under load the backoff may have passed
    await mailer.run_once()
    [row] = notifier.deliveries()
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > before
    assert row.last_error == "451 4.3.0 try later"
    _make_due(notifier)
    await mailer.run_once()
    [row] = notifier.deliveries()
    assert row.status == "sent" and row.attempts == 2 and len(transport.sent) == 1


async def test_a_permanent_refusal_is_recorded_and_never_retried() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    transport = RecordingTransport([PermanentMailError("550 5.1.1 no such user")])
    mailer = _mailer(notifier, transport)
    await mailer.run_once()
    _make_due(notifier)
    assert await mailer.run_once() == 0
    [row] = notifier.deliveries()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "550 5.1.1 no such user")
    assert transport.sent == []


async def test_an_uncertain_attempt_is_not_retried() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    mailer = _mailer(notifier, RecordingTransport([UncertainMailError("timeout after DATA")]))
    await mailer.run_once()
    _make_due(notifier)
    assert await mailer.run_once() == 0
    assert [r.status for r in notifier.deliveries()] == ["uncertain"]


async def test_retries_stop_after_the_last_attempt() -> None:
    notifier = memory_notifier(mail_max_attempts=2, **FAST)
    await _stage(notifier)
    errors: list[Exception] = [TransientMailError("421 busy"), TransientMailError("421 busy")]
    mailer = _mailer(notifier, RecordingTransport(errors))
    await mailer.run_once()
    _make_due(notifier)
    await mailer.run_once()
    [row] = notifier.deliveries()
    assert row.status == "failed" and row.attempts == 2 and "421 busy" in (row.last_error or "")


def _abandon(notifier: MemoryNotifier, status: str) -> None:
    """What a crash leaves behind: a claim nobody will finish."""
    for row in notifier.deliveries():
        row.status, row.claim_token = status, "dead-mailer"
        row.claimed_at = utc_now() - timedelta(seconds=notifier.settings.mail_lease_s + 1)


async def test_a_crash_before_data_is_retried() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    _abandon(notifier, "claimed")
    transport = RecordingTransport()
    await _mailer(notifier, transport).run_once()
    assert [r.status for r in notifier.deliveries()] == ["sent"] and len(transport.sent) == 1


async def test_a_crash_during_data_is_never_resent() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    _abandon(notifier, "sending")
    transport = RecordingTransport()
    await _mailer(notifier, transport).run_once()
    [row] = notifier.deliveries()
    assert row.status == "uncertain" and "DATA" in (row.last_error or "")
    assert transport.sent == []


class SlowTransport(RecordingTransport):
    async def send(self, message: Any, *, point_of_no_return: Any) -> None:
        await asyncio.sleep(0.01)
        await super().send(message, point_of_no_return=point_of_no_return)


async def test_two_mailers_never_send_the_same_delivery() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier, count=12)
    transport = SlowTransport()
    first, second = _mailer(notifier, transport), _mailer(notifier, transport)
    await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    recipients = [str(m["To"]) for m in transport.sent]
    assert sorted(recipients) == sorted(f"nguoi{i}@example.com" for i in range(12))
    assert {r.status for r in notifier.deliveries()} == {"sent"}


async def test_a_mailer_whose_claim_was_taken_over_sends_nothing() -> None:
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    late_transport, transport = RecordingTransport(), RecordingTransport()
    late, other = _mailer(notifier, late_transport), _mailer(notifier, transport)
    [row] = notifier.deliveries()
    assert row.id is not None
    claimed = await late._claim(row.id)  # then it stalls past its lease…
    assert claimed is not None
    _abandon(notifier, "claimed")
    await other.run_once()  # …another mailer takes over and sends
    await late._deliver(claimed)  # the late one wakes up: its claim is gone
    assert len(transport.sent) == 1 and late_transport.sent == []
    assert [r.status for r in notifier.deliveries()] == ["sent"]


def test_a_long_vietnamese_subject_arrives_with_all_its_spaces() -> None:
    subject = (
        "[PAKN Gia Lai] Phản ánh, kiến nghị mã GL-2222-2222 đã được chuyển đến "
        "Sở Tài nguyên và Môi trường tỉnh Gia Lai để xem xét, trả lời theo thẩm quyền"
    )
    delivery = Delivery(
        id=7, event_id="e1", case_id="c1", recipient="hoa@example.com", template="forwarding",
        subject=subject, body_text="Kính gửi bà,\n" * 40, body_html="<p>Kính gửi</p>",
    )  # fmt: skip
    sender = "Văn phòng UBND tỉnh Gia Lai <pakn@gialai.gov.vn>"
    wire = compose(delivery, sender=sender).data
    parsed = message_from_bytes(wire, policy=default)
    assert str(parsed["Subject"]) == subject and str(parsed["From"]) == sender
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998
    assert wire.isascii()  # bodies are base64/quoted-printable: no 8BITMIME needed
    plain = parsed.get_body(preferencelist=("plain",))
    assert plain is not None and plain.get_content().startswith("Kính gửi bà,")


def _outage() -> OperationalError:
    return OperationalError("UPDATE", {}, ConnectionRefusedError(111, "refused"))


async def test_an_accepted_mail_waits_for_the_database_to_record_it_as_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database outage right after the server's 250 must not turn a sent mail uncertain."""
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    mailer = _mailer(notifier, RecordingTransport())
    real_record, outage = MemoryDeliveries.record, {"left": 2}

    async def record_during_outage(
        self: MemoryDeliveries, delivery_id: int, *, token: str, attempt: Attempt
    ) -> None:
        if attempt.status == "sent" and outage["left"]:
            outage["left"] -= 1
            raise _outage()
        await real_record(self, delivery_id, token=token, attempt=attempt)

    monkeypatch.setattr(MemoryDeliveries, "record", record_during_outage)
    with_fast_backoff = asyncio.wait_for(mailer.run_once(), timeout=10)
    assert await with_fast_backoff == 1
    [row] = notifier.deliveries()
    assert row.status == "sent" and outage["left"] == 0


async def test_a_database_outage_before_data_gives_the_claim_back_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not after the 5-minute lease: nothing reached the server, so it goes out next round."""
    notifier = memory_notifier(**FAST)
    await _stage(notifier)
    transport = RecordingTransport()
    mailer = _mailer(notifier, transport)
    real_mark, outage = MemoryDeliveries.mark_sending, {"left": 1}

    async def mark_during_outage(
        self: MemoryDeliveries, delivery_id: int, *, token: str, at: datetime | None = None
    ) -> bool:
        if outage["left"]:
            outage["left"] -= 1
            raise _outage()
        return await real_mark(self, delivery_id, token=token, at=at)

    monkeypatch.setattr(MemoryDeliveries, "mark_sending", mark_during_outage)
    assert await mailer.run_once() == 1
    [row] = notifier.deliveries()
    assert row.status == "pending" and row.attempts == 0 and transport.sent == []
    assert await mailer.run_once() == 1
    [row] = notifier.deliveries()
    assert row.status == "sent" and len(transport.sent) == 1


async def test_a_round_s_claims_left_by_a_failure_are_given_back_at_once() -> None:
    """A round claims its due mails together; when a failure stops it, the mails not tried
    go back to pending now, and the next round sends them without waiting out a lease."""
    notifier = memory_notifier(**FAST, smtp_connections=1)
    await _stage(notifier, count=3)
    mailer = _mailer(notifier, RecordingTransport([RuntimeError("a bug in the transport")]))
    with pytest.raises(RuntimeError):
        await mailer.run_once()
    first, *rest = notifier.deliveries()
    assert first.status == "claimed"  # the one in hand: its lease will give it back
    assert [(row.status, row.claim_token) for row in rest] == [("pending", None)] * 2
    assert await mailer.run_once() == 2
    assert [row.status for row in notifier.deliveries()] == ["claimed", "sent", "sent"]
