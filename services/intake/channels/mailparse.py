"""An e-mail to the PAKN mailbox, read as an item: pure functions, no I/O.

The text is the text/plain part, else the HTML part with its tags stripped; the subject
is the title; the sender's address is the item's e-mail (so the receipt goes back to
it). The mailbox's published instructions ask senders to write their contact on lines
of their own — "Họ và tên: …", "Địa chỉ: …", "Số điện thoại: …" — which fill those
fields; a number merely mentioned in a sentence does not (domain.md §3).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Any

from schemas.submission import Channel
from services.intake.channels.formdata import Upload
from services.kit.text import fold

MAX_CONTENT = 20_000
MAX_TITLE = 500
MAX_REF = 200
_LABELS = {
    "name": ("ho va ten", "ho ten", "nguoi gui", "ten nguoi gui"),
    "address": ("dia chi", "dia chi lien he"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "dt", "di dong"),
    "organization": ("to chuc", "ten to chuc", "doanh nghiep", "don vi"),
}
_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}


@dataclass
class MailItem:
    fields: dict[str, Any]
    uploads: list[Upload] = field(default_factory=list)


def message_ref(content: bytes) -> str:
    """The Message-ID (a re-delivered mail is the same item), else the bytes' hash."""
    headers = BytesParser(policy=policy.default).parsebytes(content, headersonly=True)
    message_id = _header(headers, "Message-ID").strip().strip("<>").strip()
    if message_id:
        return message_id[:MAX_REF]
    return "sha256:" + hashlib.sha256(content).hexdigest()


def read_mail(content: bytes, *, received_at: datetime, envelope_from: str = "") -> MailItem:
    message = BytesParser(policy=policy.default).parsebytes(content)
    assert isinstance(message, EmailMessage)
    name, address = _sender(message)
    body = message.get_body(preferencelist=("plain", "html"))
    text = _text_of(body) if isinstance(body, EmailMessage) else ""
    extra: dict[str, Any] = {
        "message_id": message_ref(content),
        "date_header": _header(message, "Date"),
        "envelope_from": envelope_from,
    }
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    if len(text) > MAX_CONTENT:
        extra["content_truncated_from"] = len(text)  # the whole text stays in the archive
    subject = " ".join(_header(message, "Subject").split())
    fields: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "channel_ref": extra["message_id"],
        "received_at": received_at,
        "name": name,
        "email": address or envelope_from,
        "title": subject[:MAX_TITLE],
        "content": text[:MAX_CONTENT],
        "extra": extra,
    }
    fields.update(labelled_fields(text))
    uploads = list(_attachments(message, skip=body))
    fields["attachments"] = [upload.filename for upload in uploads]
    return MailItem(fields=fields, uploads=uploads)


def labelled_fields(text: str) -> dict[str, str]:
    """Contact fields written on lines of their own ("Địa chỉ: …"); the first of each."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        label, colon, value = line.partition(":")
        if not colon or len(label) > 30 or not value.strip():
            continue
        key = fold(label).strip(" -*•")
        for name, spellings in _LABELS.items():
            if key in spellings and name not in found:
                found[name] = value.strip()[:300]
    return found


def _header(message: Any, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):
        return ""  # a header too broken to decode; the raw bytes keep it


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        addresses = message["From"].addresses if message["From"] else ()
    except (AttributeError, ValueError, TypeError, IndexError):
        return "", ""
    if not addresses:
        return "", ""
    return addresses[0].display_name.strip()[:300], addresses[0].addr_spec.strip()[:320]


def _text_of(part: EmailMessage) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(text, str):
        return ""
    return strip_html(text) if part.get_content_subtype() == "html" else text


def _attachments(message: EmailMessage, *, skip: object) -> list[Upload]:
    found = []
    for part in message.walk():
        if part is skip or part.is_multipart() or part is message:
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            found.append(Upload(field="attachment", filename=filename or "", data=data))
    return found


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head", "title"}:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head", "title"}:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def strip_html(html: str) -> str:
    """The text a reader sees: no tags, scripts or styles; entities decoded."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
