"""`compose`: the e-mail a receiver reads is the one `EmailMessage` with an SMTP policy
built before (the reference below), in a wire form any SMTP server takes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default

import pytest
from pydantic import ValidationError

from services.notifier.models import Delivery
from services.notifier.outgoing import compose, message_id
from services.notifier.settings import NotifierSettings

SENDER = "Văn phòng UBND tỉnh Gia Lai <pakn@gialai.gov.vn>"
HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "X-PAKN-Case")
LONG = (
    "[PAKN Gia Lai] Phản ánh, kiến nghị mã GL-2222-2222 đã được chuyển đến "
    "Sở Tài nguyên và Môi trường tỉnh Gia Lai để xem xét, trả lời theo thẩm quyền"
)
BODIES = [
    ("Kính gửi bà,\n" * 40, "<p>Kính gửi</p>"),
    ("Một dòng không xuống dòng", None),
    ("Dòng 1\r\nDòng 2\rDòng 3\n\n.\nFrom the office\n   thụt lề  \n", "<p>a</p>\n<p>b</p>"),
    ("x" * 2000 + "\n" + "đ" * 700, None),
]


def delivery(subject: str, text: str, html: str | None) -> Delivery:
    return Delivery(
        id=7, event_id="e1", case_id="c1", recipient="hoa@example.com", template="forwarding",
        subject=subject, body_text=text, body_html=html,
        created_at=datetime(2025, 7, 1, 1, 2, 3, tzinfo=UTC),
    )  # fmt: skip


def reference(row: Delivery) -> EmailMessage:
    """How the mailer built an e-mail until December 2026."""
    message = EmailMessage(policy=SMTP.clone(cte_type="7bit"))
    message["From"] = SENDER
    message["To"] = Address(addr_spec=row.recipient)
    message["Subject"] = row.subject
    message["Date"] = "Tue, 01 Jul 2025 01:02:03 +0000"
    message["Message-ID"] = message_id(row, sender=SENDER)
    message["Auto-Submitted"] = "auto-generated"
    message["X-PAKN-Case"] = row.case_id
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


def read(wire: bytes) -> EmailMessage:
    parsed = message_from_bytes(wire, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def contents(message: EmailMessage) -> list[tuple[str, str]]:
    parts = message.iter_parts() if message.is_multipart() else [message]
    return [(p.get_content_type(), p.get_content()) for p in parts]


@pytest.mark.parametrize("subject", ["Đã tiếp nhận", LONG, "ASCII only", LONG * 2])
@pytest.mark.parametrize(("text", "html"), BODIES)
def test_a_receiver_reads_what_it_read_before(subject: str, text: str, html: str | None) -> None:
    row = delivery(subject[:300], text, html)
    ours = read(compose(row, sender=SENDER).data)
    theirs = read(reference(row).as_bytes(policy=SMTP.clone(cte_type="7bit", max_line_length=998)))
    assert [str(ours[h]) for h in HEADERS] == [str(theirs[h]) for h in HEADERS]
    assert str(ours["Subject"]) == subject[:300] and str(ours["From"]) == SENDER
    assert contents(ours) == contents(theirs)
    assert ours.get_all("MIME-Version") == ["1.0"]


@pytest.mark.parametrize(("text", "html"), BODIES)
def test_the_wire_form_is_seven_bit_crlf_with_short_lines(text: str, html: str | None) -> None:
    wire = compose(delivery(LONG, text, html), sender=SENDER).data
    assert wire.isascii() and b"\n" not in wire.replace(b"\r\n", b"")
    assert max(len(line) for line in wire.split(b"\r\n")) <= 78
    words = re.findall(rb"=\?utf-8\?[bq]\?[^?]*\?=", wire)
    assert words and max(len(w) for w in words) <= 75  # RFC 2047 §2


def test_the_envelope_and_the_message_id() -> None:
    row = delivery("s", "t", None)
    outgoing = compose(row, sender=SENDER)
    assert (outgoing.sender, outgoing.recipient) == ("pakn@gialai.gov.vn", "hoa@example.com")
    assert outgoing.message_id == message_id(row, sender=SENDER)
    assert outgoing.message_id == compose(row, sender=SENDER).message_id  # stable per delivery
    assert read(outgoing.data)["Message-ID"] == outgoing.message_id


@pytest.mark.parametrize(
    "recipient",
    ["", "Hoa <hoa@example.com>", "hòa@example.com", "hoa@ví-dụ.vn", "a b@example.com",
     "a@example.com, b@example.com", "a@example.com\r\nBcc: x@example.com", "no-at-sign"],
)  # fmt: skip
def test_an_address_an_e_mail_cannot_carry_is_refused(recipient: str) -> None:
    row = delivery("s", "t", None)
    row.recipient = recipient
    with pytest.raises(ValueError):
        compose(row, sender=SENDER)


@pytest.mark.parametrize("sender", ["pakn@gialai.gov.vn", SENDER, "PAKN <pakn@gialai.gov.vn>"])
def test_a_sender_address_is_taken(sender: str) -> None:
    assert NotifierSettings(mail_from=sender).mail_from == sender


@pytest.mark.parametrize(
    "sender", ["", "PAKN Gia Lai", "Văn phòng", "vp@ví.vn", "PAKN <vp@gialai.gov.vn> x@y.vn"]
)
def test_a_sender_the_mails_cannot_carry_stops_the_notifier(sender: str) -> None:
    with pytest.raises(ValidationError, match="mail_from"):
        NotifierSettings(mail_from=sender)
