"""The PAKN mailbox's handler on a SQLite register: what it takes, keeps and answers."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from services.intake.channels.email_listener import Mailbox
from tests.unit.intake.http_support import PDF, Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]
TEXT = (
    "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ tại huyện Chư Sê yêu cầu quá nhiều giấy tờ.\n"
    "Họ và tên: Nguyễn Thị Hoa\nĐịa chỉ: 45 Lê Lợi, phường Hội Thương, TP Pleiku\n"
)


def mail(*attachments: tuple[str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "Hoa <hoa@example.com>"
    message["To"] = "pakn@gialai.gov.vn"
    message["Subject"] = "Kiến nghị"
    message["Message-ID"] = "<m-1@example.com>"
    message.set_content(TEXT)
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes(policy=policy.SMTP)


def mailbox(intake: Intake) -> Mailbox:
    return Mailbox(receiver=intake.service.receiver, settings=intake.service.settings)


async def test_only_the_published_address_is_taken(intake: Intake) -> None:
    box, envelope = mailbox(intake), SimpleNamespace(rcpt_tos=[])
    refused = await box.handle_RCPT(None, None, envelope, "other@gialai.gov.vn", [])  # type: ignore[arg-type]
    taken = await box.handle_RCPT(None, None, envelope, "PAKN@gialai.gov.vn", [])  # type: ignore[arg-type]
    assert refused.startswith("550") and taken.startswith("250")
    assert envelope.rcpt_tos == ["PAKN@gialai.gov.vn"]


async def test_a_mail_delivered_twice_is_one_item_and_one_archived_payload(
    intake: Intake,
) -> None:
    box = mailbox(intake)
    await box.receive(mail(("scan.pdf", PDF)), envelope_from="hoa@example.com")
    await box.receive(mail(("scan.pdf", PDF)), envelope_from="hoa@example.com")
    (case,) = await intake.cases()
    assert (case.channel, case.channel_ref, case.email) == (
        "email",
        "m-1@example.com",
        "hoa@example.com",
    )
    assert case.attachments == ["scan.pdf"] and len(await intake.attachments()) == 1
    (raw,) = await intake.raws()
    assert raw.source == "smtp" and raw.status == "registered"


async def test_a_refused_attachment_does_not_lose_the_mail(intake: Intake) -> None:
    sent = mail(("virus.pdf", b"MZ\x90 program"), ("ok.pdf", PDF))
    await mailbox(intake).receive(sent)
    (case,) = await intake.cases()
    assert case.attachments == ["ok.pdf"]
    refused = case.extra["attachments_refused"]
    assert isinstance(refused, list) and "virus.pdf" in refused[0]
    assert (await intake.raws())[0].body == sent  # the original stays whole


async def test_a_database_away_asks_the_sending_server_to_retry(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = mailbox(intake)

    async def away(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT", None, ConnectionError("database away"))

    monkeypatch.setattr(box.receiver, "archive", away)
    envelope = SimpleNamespace(original_content=mail(), content=mail(), mail_from="hoa@example.com")
    answer = await box.handle_DATA(None, None, envelope)  # type: ignore[arg-type]
    assert answer.startswith("451")
