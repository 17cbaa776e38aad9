"""E-mail on real Kafka, PostgreSQL and SMTP: every template to the right person, a
temporary refusal retried into exactly one mail, a permanent one recorded and left alone,
and a restart in the middle of a delivery that never doubles the mail."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from email.message import Message as EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import update
from sqlmodel import col, select

from schemas.events import CaseEvent
from schemas.topics import Topics
from services.kit.columns import utc_now
from services.notifier.models import Delivery
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from tests.conftest import free_port
from tests.support import STAFF_SECRET, MailSink, RunningService, eventually, office_pass, produce
from tests.unit.notifier.builders import HOA, accepted, code, lifecycle
from tests.unit.notifier.reference_data import packaged_directory_event

HOA_MAIL = "hoa.nguyen@example.com"
STNMT, SXD, VPUB = "pakn.stnmt@gialai.gov.vn", "pakn.sxd@gialai.gov.vn", "pakn.vpub@gialai.gov.vn"


def _notifier(
    pg_url: str, kafka: str, topics: Topics, port: int, **changes: Any
) -> NotifierService:
    settings: dict[str, Any] = {
        "database_url": pg_url,
        "kafka_bootstrap": kafka,
        "topic_namespace": topics.namespace,
        "smtp_port": port,
        "mail_poll_s": 0.1,
        "mail_backoff_s": 0.2,
        "public_base_url": "https://pakn.gialai.gov.vn",
        "staff_secret": STAFF_SECRET,
    }
    return NotifierService(NotifierSettings(**{**settings, **changes}))


async def _publish(kafka: str, topics: Topics, *events: CaseEvent) -> None:
    for event in events:  # keyed by case: one case's events stay in order
        value = event.model_dump_json().encode()
        await produce(kafka, topics.case_events, [value], key=event.correlation_id.encode())


async def _router_started(kafka: str, topics: Topics, service: NotifierService) -> None:
    """The router's directory on the reference topic, received before the case events (a
    transfer event without names takes them from it)."""
    event = packaged_directory_event()
    await produce(
        kafka, topics.reference_data, [event.model_dump_json().encode()], key=b"directory"
    )

    async def received() -> bool:
        await service.reference.refresh()
        return not service.directory.empty

    await eventually(received, what="the router's directory in the notifier")


async def _deliveries(service: NotifierService) -> list[Delivery]:
    async with service.db.session() as session:
        return list((await session.exec(select(Delivery))).all())


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    html = message.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    assert text is not None and html is not None, "multipart/alternative with both parts"
    return text.get_content(), html.get_content()


# What each mail must say, by subject keyword: (recipient, words in both parts)
EXPECTED = {
    "Đã tiếp nhận": (HOA_MAIL, ["Mã tra cứu", "https://pakn.gialai.gov.vn/tra-cuu/"]),
    "Chuyển xử lý phản ánh": (STNMT, ["Sở Tài nguyên và Môi trường", "08/02/2023"]),
    "đã được chuyển đến Sở Tài nguyên": (HOA_MAIL, ["để xem xét, trả lời", "08/02/2023"]),
    "Đề nghị bổ sung": (HOA_MAIL, ["Xin cho biết số thửa đất.", "20/01/2023"]),
    "Gia hạn": (HOA_MAIL, ["Cần lấy ý kiến Sở Xây dựng", "01/03/2023"]),
    # Reminders and escalations come in the recipient's digest of the day (issue 14).
    "sắp đến hạn": (STNMT, ["còn 2 ngày làm việc", "02/03/2023"]),
    "quá hạn": (VPUB, ["Sở Tài nguyên và Môi trường", "02/03/2023"]),
    "được chuyển sang Sở Xây dựng": (HOA_MAIL, ["Thuộc lĩnh vực xây dựng", "Sở Tài nguyên"]),
    "Chuyển xử lý phản ánh, kiến nghị mã": (SXD, ["Sở Xây dựng", "Hạn trả lời"]),
    "Trả lời phản ánh": (HOA_MAIL, ["sẽ sửa quy định", "Luật Đất đai 2013"]),
}


async def test_every_template_reaches_its_recipient_with_its_content(
    kafka: str, topics: Topics, pg_url: str, smtp: tuple[int, MailSink]
) -> None:
    port, sink = smtp
    tc = code()
    service = _notifier(pg_url, kafka, topics, port)
    async with RunningService(service, bootstrap=kafka):
        await _router_started(kafka, topics, service)
        await _publish(kafka, topics, *lifecycle("case-mail", tc))

        async def all_sent() -> list[Delivery]:
            rows = await _deliveries(service)
            return rows if len(rows) == 10 and {r.status for r in rows} == {"sent"} else []

        async def others_sent() -> list[Delivery]:
            rows = await _deliveries(service)
            sent = [r for r in rows if r.status == "sent"]
            return rows if len(rows) == 10 and len(sent) == 8 else []

        await eventually(others_sent, what="the eight e-mails sent at once, the digests waiting")
        async with service.db.transaction() as session:  # the digest hour comes
            await session.exec(
                update(Delivery)  # type: ignore[call-overload]
                .where(col(Delivery.template) == "digest")
                .values(next_attempt_at=utc_now())
            )
        await eventually(all_sent, what="the ten e-mails of the case, recorded as sent")
    assert len(sink.received) == 10
    by_recipient = [(e.rcpt_tos, m) for e, m in zip(sink.envelopes, sink.received, strict=True)]
    for keyword, (recipient, words) in EXPECTED.items():
        matches = [(to, m) for to, m in by_recipient if keyword in str(m["Subject"])]
        assert matches, keyword
        to, message = next((to, m) for to, m in matches if recipient in to)
        assert to == [recipient] and str(message["To"]) == recipient
        assert "pakn@gialai.gov.vn" in str(message["From"])
        text, html = _parts(message)
        assert tc in str(message["Subject"]) or (tc in text and tc in html)
        for word in words:
            assert word in text and word in html, (keyword, word)
    assert len({str(m["Message-ID"]) for m in sink.received}) == 10


async def test_a_451_then_acceptance_delivers_exactly_one_mail(
    kafka: str, topics: Topics, pg_url: str, smtp: tuple[int, MailSink]
) -> None:
    port, sink = smtp
    sink.refusals.append("451 4.3.0 try later")
    service = _notifier(pg_url, kafka, topics, port)
    async with RunningService(service, bootstrap=kafka):
        await _publish(kafka, topics, accepted("case-451", code(), **HOA))

        async def delivered() -> list[EmailMessage]:
            return sink.to(HOA_MAIL)

        await eventually(delivered, what="the receipt after the retry")
        await asyncio.sleep(1.0)  # a second copy would have come by now
        [row] = await _deliveries(service)
    assert len(sink.received) == 1 and sink.refusals == []
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


async def test_a_550_is_recorded_as_failed_and_never_retried(
    kafka: str, topics: Topics, pg_url: str, smtp: tuple[int, MailSink]
) -> None:
    port, sink = smtp
    sink.refusals += ["550 5.1.1 mailbox unavailable", "550 5.1.1 mailbox unavailable"]
    service = _notifier(pg_url, kafka, topics, port)
    async with RunningService(service, bootstrap=kafka):
        await _publish(kafka, topics, accepted("case-550", code(), **HOA))

        async def failed() -> list[Delivery]:
            return [row for row in await _deliveries(service) if row.status == "failed"]

        [row] = await eventually(failed, what="the delivery recorded as failed")
        await asyncio.sleep(1.0)  # five backoff periods: a retry would have consumed a refusal
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service.web()), base_url="http://t"
        ) as http:
            office = (await http.get("/van-phong/thu-dien-tu", cookies=office_pass())).text
        [row] = await _deliveries(service)
    assert row.attempts == 1 and "550" in (row.last_error or "")
    assert len(sink.refusals) == 1 and sink.received == []
    assert "Không gửi được" in office and "h***@example.com" in office and HOA_MAIL not in office


async def _held(gate: threading.Event) -> None:
    """Wait while `gate` is set; the test's thread sets and clears it, the server's loop waits."""
    while gate.is_set():  # noqa: ASYNC110 - a threading.Event: asyncio.Event is not thread-safe
        await asyncio.sleep(0.05)


class StallingSink(MailSink):
    """Keeps the message, then stalls before its 250 while `stall` is set: the moment a
    crash leaves the outcome unknown to the sender."""

    def __init__(self) -> None:
        super().__init__()
        self.stall = threading.Event()
        self.stall_rcpt = threading.Event()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        await _held(self.stall_rcpt)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await _held(self.stall)
        return reply


@pytest.fixture
def stalling_smtp() -> Iterator[tuple[int, StallingSink]]:
    port, sink = free_port(), StallingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, sink
    sink.stall.clear()
    sink.stall_rcpt.clear()
    controller.stop()


async def test_a_restart_during_data_never_sends_twice(
    kafka: str, topics: Topics, pg_url: str, stalling_smtp: tuple[int, StallingSink]
) -> None:
    port, sink = stalling_smtp
    sink.stall.set()
    first = _notifier(pg_url, kafka, topics, port, mail_lease_s=1.0)
    async with RunningService(first, bootstrap=kafka):
        await _publish(kafka, topics, accepted("case-crash", code(), **HOA))

        async def on_the_server() -> list[EmailMessage]:
            return sink.received

        await eventually(on_the_server, what="the message on the server, its 250 not yet sent")
    # The notifier is gone mid-DATA; a new one starts on the same database.
    sink.stall.clear()
    second = _notifier(pg_url, kafka, topics, port, mail_lease_s=1.0)
    async with RunningService(second, bootstrap=kafka):

        async def settled() -> list[Delivery]:
            return [r for r in await _deliveries(second) if r.status == "uncertain"]

        [row] = await eventually(settled, what="the abandoned delivery marked uncertain")
        await asyncio.sleep(1.0)
    assert len(sink.received) == 1, "the restarted notifier must not send it again"
    assert row.attempts == 0 and "DATA" in (row.last_error or "")


async def test_a_restart_before_data_sends_exactly_once(
    kafka: str, topics: Topics, pg_url: str, stalling_smtp: tuple[int, StallingSink]
) -> None:
    port, sink = stalling_smtp
    sink.stall_rcpt.set()
    first = _notifier(pg_url, kafka, topics, port, mail_lease_s=1.0)
    async with RunningService(first, bootstrap=kafka):
        await _publish(kafka, topics, accepted("case-early", code(), **HOA))

        async def claimed() -> list[Delivery]:
            return [r for r in await _deliveries(first) if r.status == "claimed"]

        await eventually(claimed, what="the delivery claimed, stuck before DATA")
    sink.stall_rcpt.clear()
    second = _notifier(pg_url, kafka, topics, port, mail_lease_s=1.0)
    async with RunningService(second, bootstrap=kafka):

        async def sent() -> list[Delivery]:
            return [r for r in await _deliveries(second) if r.status == "sent"]

        await eventually(sent, what="the delivery sent by the restarted notifier")
        await asyncio.sleep(0.5)
    assert len(sink.received) == 1


class CountingSink(MailSink):
    """Also counts the connections the mails came over."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set[Any] = set()

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.peers.add(session.peer)
        envelope.mail_from = address
        return "250 OK"


async def test_forty_receipts_go_out_once_each_over_a_few_reused_connections(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    port, sink = free_port(), CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        service = _notifier(pg_url, kafka, topics, port, smtp_connections=3)
        async with RunningService(service, bootstrap=kafka):
            values = [
                accepted(f"case-pool-{i}", code(), **HOA).model_dump_json().encode()
                for i in range(40)
            ]
            await produce(kafka, topics.case_events, values)

            async def all_sent() -> list[Delivery]:
                rows = await _deliveries(service)
                return rows if len(rows) == 40 and {r.status for r in rows} == {"sent"} else []

            await eventually(all_sent, what="forty receipts recorded as sent")
            await asyncio.sleep(0.5)  # a second copy would have come by now
    finally:
        controller.stop()
    ids = [str(m["Message-ID"]) for m in sink.received]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert 1 <= len(sink.peers) <= 3
