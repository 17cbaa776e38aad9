"""The PAKN mailbox and the intake topic, end to end: intake, router and notifier on the
real broker and PostgreSQL, the citizen's receipt e-mail caught by a real SMTP server."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

import aiosmtplib
import pytest
from sqlmodel import col, select

from schemas.topics import Topics
from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from tests.conftest import free_port
from tests.integration.conftest import running, three_services
from tests.integration.samples import submission_event
from tests.support import MailSink, RunningService, eventually, produce

PAKN = "pakn@gialai.gov.vn"
CITIZEN = "hoa.nguyen@example.com"
CALLER = "binh.tran@example.com"
TEXT = (
    "Kính gửi Văn phòng UBND tỉnh,\n"
    "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù hợp "
    "thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức cho phù hợp.\n"
    "Họ và tên: Nguyễn Thị Hoa\n"
    "Địa chỉ: 45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai\n"
    "Số điện thoại: 0905 123 456\n"
)


def letter() -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Nguyen Thi Hoa <{CITIZEN}>"
    message["To"] = PAKN
    message["Subject"] = "Kiến nghị về hạn mức đất ở"
    message["Message-ID"] = "<kien-nghi-1@example.com>"
    message.set_content(TEXT)
    message.add_attachment(
        b"%PDF-1.4 scan", maintype="application", subtype="pdf", filename="đơn.pdf"
    )
    return message


async def test_a_mail_and_a_topic_item_get_codes_and_their_senders_get_receipts(
    kafka: str, topics: Topics, smtp: tuple[int, MailSink], tmp_path: Path
) -> None:
    smtp_port, sink = smtp
    mailbox_port = free_port()
    intake, router, notifier = await three_services(
        kafka,
        topics,
        smtp_port=smtp_port,
        attachment_dir=tmp_path / "files",
        mailbox_port=mailbox_port,
        pakn_email=PAKN,
    )
    async with running(kafka, intake, router, notifier):
        await _until_listening(mailbox_port)
        await _send(letter(), mailbox_port)
        await _send(letter(), mailbox_port)  # the sending server delivers it again
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await _send(letter(), mailbox_port, to="someone.else@gialai.gov.vn")
        await produce(
            kafka, topics.intake, [submission_event("CALL-77", email=CALLER, phone="0914 777 888")]
        )

        async def receipts() -> list[object]:
            ready = _receipts(sink, CITIZEN) and _receipts(sink, CALLER)
            return [*_receipts(sink, CITIZEN), *_receipts(sink, CALLER)] if ready else []

        await eventually(receipts, what="the receipts of the mail and of the topic item")
    cases = await _cases(intake)
    by_channel = {case.channel: case for case in cases}
    assert sorted(by_channel) == ["email", "hotline"] and len(cases) == 2
    mailed = by_channel["email"]
    assert (mailed.channel_ref, mailed.email, mailed.name) == (
        "kien-nghi-1@example.com", CITIZEN, "Nguyễn Thị Hoa",
    )  # fmt: skip
    assert mailed.title == "Kiến nghị về hạn mức đất ở" and mailed.status == "accepted"
    for address, case in ((CITIZEN, mailed), (CALLER, by_channel["hotline"])):
        # One receipt each: the notifier's; intake does not send a second one.
        (receipt,) = _receipts(sink, address)
        assert case.tracking_code in str(receipt["Subject"])
    async with intake.db.session() as session:
        (attachment,) = (await session.exec(select(IntakeAttachment))).all()
        raws = (await session.exec(select(RawPayload).order_by(col(RawPayload.id)))).all()
    assert attachment.case_id == mailed.id and attachment.filename == "đơn.pdf"
    mail_raw = next(raw for raw in raws if raw.source == "smtp")
    assert b"Message-ID: <kien-nghi-1@example.com>" in mail_raw.body
    assert [raw.source for raw in raws].count("smtp") == 1  # the re-delivery is one item


async def test_a_mail_that_cannot_be_read_is_kept_for_the_office(
    kafka: str, topics: Topics, pg_url: str, tmp_path: Path
) -> None:
    port = free_port()
    intake = IntakeService(
        IntakeSettings(
            database_url=pg_url,
            kafka_bootstrap=kafka,
            topic_namespace=topics.namespace,
            attachment_dir=tmp_path / "files",
            mailbox_port=port,
            pakn_email=PAKN,
        )
    )
    junk = b"From: x@example.com\r\nMessage-ID: <junk@x>\r\n\r\n" + b"\xff" * 30
    async with RunningService(intake, bootstrap=kafka):
        await _until_listening(port)
        await aiosmtplib.send(
            junk, sender="x@example.com", recipients=[PAKN], hostname="127.0.0.1", port=port
        )

        async def kept() -> list[RawPayload]:
            async with intake.db.session() as session:
                return list((await session.exec(select(RawPayload))).all())

        (raw,) = await eventually(kept, what="the archived mail")
    assert raw.body.rstrip(b"\r\n").endswith(b"\xff" * 30)
    # Text that is no text is no crash: the mail is an item, refused with a reason.
    (case,) = await _cases(intake)
    assert raw.status == "registered" and raw.case_id == case.id and case.status == "refused"


def _receipts(sink: MailSink, address: str) -> list[Message]:
    return [m for m in sink.to(address) if "Đã tiếp nhận" in str(m["Subject"])]


async def _send(message: EmailMessage, port: int, *, to: str = PAKN) -> None:
    # Long header lines: Python's folding of encoded words drops the spaces between them.
    raw = message.as_bytes(policy=policy.SMTP.clone(max_line_length=998))
    await aiosmtplib.send(
        raw, sender=CITIZEN, recipients=[to], hostname="127.0.0.1", port=port, timeout=10
    )


async def _until_listening(port: int) -> None:
    async def answers() -> bool:
        try:
            smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=2)
            await smtp.connect()
            await smtp.quit()
        except (OSError, aiosmtplib.SMTPException):
            return False
        return True

    await eventually(answers, what="the PAKN mailbox to listen", timeout_s=10)


async def _cases(intake: IntakeService) -> list[IntakeCase]:
    async with intake.db.session() as session:
        return list((await session.exec(select(IntakeCase))).all())
