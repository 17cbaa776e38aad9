"""One delivery as it leaves: its envelope and the bytes of the e-mail (`compose`).

The e-mail is built with the stdlib `email` package's compat32 classes (`MIMEText`,
`MIMEMultipart`, `Header`), which write what they are given, rather than with `EmailMessage`
and an `EmailPolicy`, which parse every header back through the header registry: the same
e-mail for a fifth of the CPU time (0.5 ms instead of 2.6 for an assignment mail;
docs/decisions/0003-mail-delivery.md). What the
wire form keeps:
- bodies in base64, in canonical form (CRLF line ends): 7-bit lines, no 8BITMIME needed;
- a Vietnamese subject or sender name as RFC 2047 encoded words of at most 75 characters,
  each carrying its own spaces, folded between words: nothing is lost when a reader unfolds
  them (the folding of CPython 3.11's `EmailPolicy` lost the space between two words);
- a Message-ID stable per (event, recipient), so a receiving system can drop a copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from services.notifier.models import Delivery

WIRE = compat32.clone(linesep="\r\n", max_line_length=76)  # CRLF; encoded words ≤ 75


@dataclass(frozen=True)
class Outgoing:
    """An e-mail ready for a transport: the envelope's addresses and the message's bytes."""

    sender: str  # the envelope sender (MAIL FROM): an address, without a display name
    recipient: str
    message_id: str
    data: bytes  # the whole message, CRLF line ends, ASCII only


def message_id(delivery: Delivery, *, sender: str) -> str:
    """Stable per (event, recipient): a receiving system can drop a copy it already has."""
    rcpt = hashlib.sha256(delivery.recipient.lower().encode()).hexdigest()[:12]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pakn.local"
    return f"<pakn.{delivery.event_id}.{rcpt}@{domain}>"


def compose(delivery: Delivery, *, sender: str) -> Outgoing:
    """The e-mail of one delivery from `sender` ("Name <address>"): plain text, and HTML as
    the alternative when there is one. `ValueError` for an address an e-mail cannot carry."""
    name, address = _sender(sender)
    recipient = _address(delivery.recipient)
    message = _body(delivery)
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = recipient
    subject = Header(delivery.subject, "utf-8", header_name="Subject")  # folded when written
    message["Subject"] = subject  # type: ignore[assignment]  # compat32 takes a Header
    message["Date"] = format_datetime(delivery.created_at)
    message["Message-ID"] = ident = message_id(delivery, sender=sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    message["X-PAKN-Case"] = delivery.case_id
    return Outgoing(address, recipient, ident, message.as_bytes(policy=WIRE))


def _body(delivery: Delivery) -> Message:
    text = _part(delivery.body_text, "plain")
    if not delivery.body_html:
        return text
    parts = [text, _part(delivery.body_html, "html")]
    for part in parts:
        del part["MIME-Version"]  # said once, in the message's own header
    return MIMEMultipart("alternative", _subparts=parts)


def _part(content: str, subtype: str) -> MIMEText:
    lines = content.encode("utf-8").splitlines()  # canonical text: CRLF after every line
    return MIMEText((b"\r\n".join(lines) + b"\r\n").decode("utf-8"), subtype, "utf-8")


@lru_cache(maxsize=8)
def _sender(sender: str) -> tuple[str, str]:
    """The sender's display name and checked address: the same for every mail, parsed once."""
    name, address = parseaddr(sender)
    return name, _address(address)


def _address(addr_spec: str) -> str:
    """`addr_spec` checked: a single plain address, ASCII (no SMTPUTF8 here)."""
    checked = Address(addr_spec=addr_spec).addr_spec if addr_spec.strip() else ""
    if not checked.isascii() or "@" not in checked:
        raise ValueError(f"not an e-mail address this server can send to: {addr_spec!r}")
    return checked
