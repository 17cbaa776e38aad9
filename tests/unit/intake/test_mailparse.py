"""An e-mail to the PAKN mailbox becomes an item: text, sender, subject, attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

from schemas.submission import Submission
from services.intake.channels.mailparse import (
    labelled_fields,
    message_ref,
    read_mail,
    strip_html,
)

# Long header lines: Python's folding of encoded words drops the space between them.
WIRE = policy.default.clone(max_line_length=998)
NOW = datetime(2023, 3, 6, 1, 15, tzinfo=UTC)
TEXT = (
    "Kính gửi Văn phòng UBND tỉnh,\n"
    "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ tại huyện Chư Sê yêu cầu quá nhiều giấy tờ.\n"
    "Họ và tên: Nguyễn Thị Hoa\n"
    "Địa chỉ: 45 Lê Lợi, phường Hội Thương, TP Pleiku\n"
    "Số điện thoại: 0905 123 456\n"
)


def mail(**changes: object) -> EmailMessage:
    message = EmailMessage()
    message["From"] = changes.get("sender", "Hoa Nguyen <hoa.nguyen@example.com>")
    message["To"] = "pakn@gialai.gov.vn"
    message["Subject"] = changes.get("subject", "Kiến nghị về thủ tục cấp phép xây dựng")
    message["Message-ID"] = "<abc.123@example.com>"
    message["Date"] = "Mon, 06 Mar 2023 08:15:00 +0700"
    message.set_content(str(changes.get("text", TEXT)))
    return message


def wire(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=WIRE)


def test_a_plain_text_mail_becomes_a_valid_item_with_the_sender_as_email() -> None:
    item = read_mail(wire(mail()), received_at=NOW, envelope_from="bounce@example.com")
    submission = Submission.model_validate(item.fields)
    assert submission.channel == "email" and submission.channel_ref == "abc.123@example.com"
    assert submission.email == "hoa.nguyen@example.com"
    assert submission.title == "Kiến nghị về thủ tục cấp phép xây dựng"
    assert "Chư Sê" in submission.content and submission.received_at == NOW
    assert (submission.name, submission.phone) == ("Nguyễn Thị Hoa", "0905 123 456")
    assert submission.address.startswith("45 Lê Lợi")
    assert submission.extra["date_header"] == "Mon, 06 Mar 2023 08:15:00 +0700"


def test_without_labelled_lines_the_display_name_is_the_name_and_no_contact_is_guessed() -> None:
    text = "Tôi đề nghị sửa quy định về lệ phí trước bạ; liên hệ 0905 123 456."
    item = read_mail(wire(mail(text=text)), received_at=NOW)
    assert item.fields["name"] == "Hoa Nguyen"
    assert "phone" not in item.fields and "address" not in item.fields  # not from the prose


def test_html_only_mail_is_read_as_its_visible_text() -> None:
    message = mail()
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Thủ tục &amp; lệ phí</p>"
        "<script>alert('x')</script><div>quá cao</div></body></html>",
        subtype="html",
    )
    item = read_mail(wire(message), received_at=NOW)
    assert item.fields["content"] == "Thủ tục & lệ phí\n\nquá cao"


def test_plain_text_is_preferred_to_html() -> None:
    message = mail(text="Bản văn bản thuần")
    message.add_alternative("<p>Bản HTML</p>", subtype="html")
    assert read_mail(wire(message), received_at=NOW).fields["content"] == "Bản văn bản thuần"


def test_attachments_come_with_their_names_and_bytes() -> None:
    message = mail()
    message.add_attachment(
        b"%PDF-1.4 scan", maintype="application", subtype="pdf", filename="đơn.pdf"
    )
    item = read_mail(wire(message), received_at=NOW)
    assert [(u.filename, u.data) for u in item.uploads] == [("đơn.pdf", b"%PDF-1.4 scan")]
    assert item.fields["attachments"] == ["đơn.pdf"]


def test_a_very_long_text_is_cut_to_the_limit_and_the_cut_is_recorded() -> None:
    item = read_mail(wire(mail(text="quy định " * 5000)), received_at=NOW)
    assert len(item.fields["content"]) == 20_000
    assert item.fields["extra"]["content_truncated_from"] > 40_000
    Submission.model_validate(item.fields)


def test_without_message_id_the_reference_is_the_hash_of_the_bytes() -> None:
    message = mail()
    del message["Message-ID"]
    assert message_ref(wire(message)).startswith("sha256:")
    assert message_ref(wire(mail())) == "abc.123@example.com"


def test_garbage_still_yields_an_item_to_judge() -> None:
    item = read_mail(b"\xff\xfe\x00 not a mail at all", received_at=NOW)
    assert item.fields["email"] == "" and item.uploads == []


def test_labelled_fields_take_the_first_of_each_and_ignore_prose() -> None:
    text = "Điện thoại: 0905 111 222\nĐT: 0905 333 444\nTôi ở địa chỉ: không rõ ràng trong câu dài"
    assert labelled_fields(text) == {"phone": "0905 111 222"}


def test_strip_html_decodes_entities_and_drops_scripts() -> None:
    assert strip_html("<b>a&lt;b</b><script>x()</script><br>c") == "a<b\nc"
