"""Composing e-mails (plain text and HTML) and staging them; the mailer sends what is staged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier.models import Delivery

_FOLDER = Path(__file__).parent / "templates" / "email"
_TEXT = Environment(
    loader=FileSystemLoader(_FOLDER),
    undefined=StrictUndefined,
    autoescape=False,  # the plain-text part; the HTML part below escapes everything
    keep_trailing_newline=True,
)
_HTML = Environment(loader=FileSystemLoader(_FOLDER), undefined=StrictUndefined, autoescape=True)
_SPACES = re.compile(r"\s+")

SUBJECTS = {
    "receipt": "[PAKN Gia Lai] Đã tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "refusal": "[PAKN Gia Lai] Không tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "forwarding": "[PAKN Gia Lai] Phản ánh, kiến nghị mã {tracking_code} đã được chuyển đến {agency_name}",
    "transfer": "[PAKN Gia Lai] Phản ánh, kiến nghị mã {tracking_code} được chuyển sang {to_agency_name}",
    "assignment": "[PAKN Gia Lai] Chuyển xử lý phản ánh, kiến nghị mã {tracking_code}",
    "reminder": "[PAKN Gia Lai] Nhắc hạn {stage_vi} phản ánh, kiến nghị mã {tracking_code}",
    "escalation": "[PAKN Gia Lai] Quá hạn {stage_vi} phản ánh, kiến nghị mã {tracking_code}",
    "info_request": "[PAKN Gia Lai] Đề nghị bổ sung thông tin — mã {tracking_code}",
    "extension": "[PAKN Gia Lai] Gia hạn trả lời phản ánh, kiến nghị mã {tracking_code}",
    "answer": "[PAKN Gia Lai] Trả lời phản ánh, kiến nghị mã {tracking_code}",
}

# Who each template is for, in the office's words (the delivery page shows it).
PURPOSE_VI = {
    "receipt": "Giấy báo tiếp nhận (người gửi)",
    "refusal": "Thông báo không tiếp nhận (người gửi)",
    "forwarding": "Thông báo chuyển xử lý (người gửi)",
    "transfer": "Thông báo chuyển cơ quan (người gửi)",
    "assignment": "Giao xử lý (cơ quan)",
    "reminder": "Nhắc hạn (cơ quan)",
    "escalation": "Báo quá hạn (Văn phòng UBND tỉnh)",
    "info_request": "Đề nghị bổ sung thông tin (người gửi)",
    "extension": "Thông báo gia hạn (người gửi)",
    "answer": "Văn bản trả lời (người gửi)",
}


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def compose(template: str, **values: object) -> Composed:
    """Subject, plain-text and HTML bodies of one template, filled with `values`."""
    subject = _SPACES.sub(" ", SUBJECTS[template].format(**values)).strip()
    return Composed(
        subject=subject[:300],
        text=_TEXT.get_template(f"{template}.txt").render(**values),
        html=_HTML.get_template(f"{template}.html").render(subject=subject, **values),
    )


async def stage(
    session: AsyncSession,
    *,
    event_id: str,
    case_id: str,
    recipient: str | None,
    template: str,
    **values: object,
) -> bool:
    """Stage one e-mail in the caller's transaction; the same (event, recipient) only once."""
    recipient = (recipient or "").strip()
    if not recipient:
        return False
    exists = select(Delivery.id).where(
        Delivery.event_id == event_id, Delivery.recipient == recipient
    )
    if (await session.exec(exists)).first() is not None:
        return False
    mail = compose(template, **values)
    session.add(
        Delivery(
            event_id=event_id,
            case_id=case_id,
            recipient=recipient,
            template=template,
            subject=mail.subject,
            body_text=mail.text,
            body_html=mail.html,
        )
    )
    return True
