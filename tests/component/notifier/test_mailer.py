"""The mailer hands each staged e-mail over at most once, retries what may pass, and says
honestly when it cannot know (a crash or a broken connection during DATA)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from services.kit.columns import utc_now
from services.notifier.mail import stage
from services.notifier.mailer import Mailer, build_message
from services.notifier.messages import Receipt
from services.notifier.models import Delivery
from services.notifier.service import NotifierService
from services.notifier.transports import (
    PermanentMailError,
    TransientMailError,
    UncertainMailError,
    wire_bytes,
)
from tests.unit.notifier.builders import RecordingTransport, migrated_notifier

FAST = {"mail_backoff_s": 0.01, "mail_poll_s": 0.05}


async def _stage(service: NotifierService, count: int = 1) -> None:
    async with service.db.transaction() as session:
        for i in range(count):
            await stage(
                session,
                event_id=f"event-{i}",
                case_id="case-1",
                recipient=f"nguoi{i}@example.com",
                message=Receipt(
                    tracking_code="GL-2222-2222",
                    received_at="09:30 18/01/2023",
                    hotline="0269 3 822 333",
                    status_url="http://pakn.test/tra-cuu/GL-2222-2222",
                ),
            )


async def _rows(service: NotifierService) -> list[Delivery]:
    async with service.db.session() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


def _mailer(service: NotifierService, transport: Any) -> Mailer:
    return Mailer(db=service.db, transport=transport, settings=service.settings)


async def _make_due(service: NotifierService) -> None:
    async with service.db.transaction() as session:
        for row in (await session.exec(select(Delivery))).all():
            row.next_attempt_at = utc_now() - timedelta(seconds=1)
            session.add(row)


async def test_a_delivery_is_sent_once_with_both_parts(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    transport = RecordingTransport()
    mailer = _mailer(service, transport)
    assert await mailer.run_once() == 1
    assert await mailer.run_once() == 0
    [row] = await _rows(service)
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    [message] = transport.sent
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in message.iter_parts())
    assert "GL-2222-2222" in text and "GL-2222-2222" in html
    assert "Nguyễn Văn A" not in text + html  # a receipt carries no text the sender typed
    assert (
        message["Message-ID"] == build_message(row, sender=service.settings.mail_from)["Message-ID"]
    )
    await service.db.dispose()


async def test_a_transient_refusal_is_retried_later_then_sent_once(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    transport = RecordingTransport([TransientMailError("451 4.3.0 try later")])
    mailer = _mailer(service, transport)
    before = utc_now()  # not the clock after the run: under load the backoff may have passed
    await mailer.run_once()
    [row] = await _rows(service)
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > before
    assert row.last_error == "451 4.3.0 try later"
    await _make_due(service)
    await mailer.run_once()
    [row] = await _rows(service)
    assert row.status == "sent" and row.attempts == 2 and len(transport.sent) == 1
    await service.db.dispose()


async def test_a_permanent_refusal_is_recorded_and_never_retried(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    transport = RecordingTransport([PermanentMailError("550 5.1.1 no such user")])
    mailer = _mailer(service, transport)
    await mailer.run_once()
    await _make_due(service)
    assert await mailer.run_once() == 0
    [row] = await _rows(service)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "550 5.1.1 no such user")
    assert transport.sent == []
    await service.db.dispose()


async def test_an_uncertain_attempt_is_not_retried(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    mailer = _mailer(service, RecordingTransport([UncertainMailError("timeout after DATA")]))
    await mailer.run_once()
    await _make_due(service)
    assert await mailer.run_once() == 0
    assert [r.status for r in await _rows(service)] == ["uncertain"]
    await service.db.dispose()


async def test_retries_stop_after_the_last_attempt(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, mail_max_attempts=2, **FAST)
    await _stage(service)
    errors: list[Exception] = [TransientMailError("421 busy"), TransientMailError("421 busy")]
    mailer = _mailer(service, RecordingTransport(errors))
    await mailer.run_once()
    await _make_due(service)
    await mailer.run_once()
    [row] = await _rows(service)
    assert row.status == "failed" and row.attempts == 2 and "421 busy" in (row.last_error or "")
    await service.db.dispose()


async def _abandon(service: NotifierService, status: str) -> None:
    """What a crash leaves behind: a claim nobody will finish."""
    async with service.db.transaction() as session:
        for row in (await session.exec(select(Delivery))).all():
            row.status, row.claim_token = status, "dead-mailer"
            row.claimed_at = utc_now() - timedelta(seconds=service.settings.mail_lease_s + 1)
            session.add(row)


async def test_a_crash_before_data_is_retried(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    await _abandon(service, "claimed")
    transport = RecordingTransport()
    await _mailer(service, transport).run_once()
    assert [r.status for r in await _rows(service)] == ["sent"] and len(transport.sent) == 1
    await service.db.dispose()


async def test_a_crash_during_data_is_never_resent(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    await _abandon(service, "sending")
    transport = RecordingTransport()
    await _mailer(service, transport).run_once()
    [row] = await _rows(service)
    assert row.status == "uncertain" and "DATA" in (row.last_error or "")
    assert transport.sent == []
    await service.db.dispose()


class SlowTransport(RecordingTransport):
    async def send(self, message: Any, *, point_of_no_return: Any) -> None:
        await asyncio.sleep(0.01)
        await super().send(message, point_of_no_return=point_of_no_return)


async def test_two_mailers_never_send_the_same_delivery(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service, count=12)
    transport = SlowTransport()
    first, second = _mailer(service, transport), _mailer(service, transport)
    await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    recipients = [str(m["To"]) for m in transport.sent]
    assert sorted(recipients) == sorted(f"nguoi{i}@example.com" for i in range(12))
    assert {r.status for r in await _rows(service)} == {"sent"}
    await service.db.dispose()


async def test_a_mailer_whose_claim_was_taken_over_sends_nothing(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    late_transport, transport = RecordingTransport(), RecordingTransport()
    late, other = _mailer(service, late_transport), _mailer(service, transport)
    [row] = await _rows(service)
    assert row.id is not None
    claimed = await late._claim(row.id)  # then it stalls past its lease…
    assert claimed is not None
    await _abandon(service, "claimed")
    await other.run_once()  # …another mailer takes over and sends
    await late._deliver(claimed)  # the late one wakes up: its claim is gone
    assert len(transport.sent) == 1 and late_transport.sent == []
    assert [r.status for r in await _rows(service)] == ["sent"]
    await service.db.dispose()


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
    wire = wire_bytes(build_message(delivery, sender=sender))
    parsed = message_from_bytes(wire, policy=default)
    assert str(parsed["Subject"]) == subject and str(parsed["From"]) == sender
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998
    assert wire.isascii()  # bodies are base64/quoted-printable: no 8BITMIME needed
    plain = parsed.get_body(preferencelist=("plain",))
    assert plain is not None and plain.get_content().startswith("Kính gửi bà,")


async def test_an_accepted_mail_waits_for_the_database_to_record_it_as_sent(
    tmp_path: Path,
) -> None:
    """A database outage right after the server's 250 must not turn a sent mail uncertain."""
    from sqlalchemy.exc import OperationalError

    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    mailer = _mailer(service, RecordingTransport())
    real_update, outage = mailer._update, {"left": 2}

    async def update_during_outage(delivery_id: int, *conditions: Any, **values: Any) -> int:
        if values.get("status") == "sent" and outage["left"]:
            outage["left"] -= 1
            raise OperationalError("UPDATE", {}, ConnectionRefusedError(111, "refused"))
        return await real_update(delivery_id, *conditions, **values)

    mailer._update = update_during_outage  # type: ignore[method-assign]
    with_fast_backoff = asyncio.wait_for(mailer.run_once(), timeout=10)
    assert await with_fast_backoff == 1
    [row] = await _rows(service)
    assert row.status == "sent" and outage["left"] == 0
    await service.db.dispose()


async def test_a_database_outage_before_data_gives_the_claim_back_at_once(
    tmp_path: Path,
) -> None:
    """Not after the 5-minute lease: nothing reached the server, so it goes out next round."""
    from sqlalchemy.exc import OperationalError

    service = await migrated_notifier(tmp_path, **FAST)
    await _stage(service)
    transport = RecordingTransport()
    mailer = _mailer(service, transport)
    real_mark, outage = mailer._mark_sending, {"left": 1}

    async def mark_during_outage(delivery: Delivery) -> None:
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("UPDATE", {}, ConnectionRefusedError(111, "refused"))
        await real_mark(delivery)

    mailer._mark_sending = mark_during_outage  # type: ignore[method-assign]
    assert await mailer.run_once() == 1
    [row] = await _rows(service)
    assert row.status == "pending" and row.attempts == 0 and transport.sent == []
    assert await mailer.run_once() == 1
    [row] = await _rows(service)
    assert row.status == "sent" and len(transport.sent) == 1
    await service.db.dispose()
