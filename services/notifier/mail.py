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
# The province and its office as every e-mail names them; `use_office` sets them from the
# notifier's settings (province_name, office_name) at start-up.
_OFFICE = {
    "province": "Gia Lai",
    "office_name": "Văn phòng UBND tỉnh Gia Lai",
    "office_address": "35 Lê Lợi, phường Quy Nhơn, tỉnh Gia Lai",  # settings' placeholder
}
_TEXT.globals.update(_OFFICE)
_HTML.globals.update(_OFFICE)


def use_office(*, province: str, office_name: str, office_address: str) -> None:
    """Name this province and office in the e-mails composed from now on."""
    _OFFICE.update(province=province, office_name=office_name, office_address=office_address)
    _TEXT.globals.update(_OFFICE)
    _HTML.globals.update(_OFFICE)


_SPACES = re.compile(r"\s+")

SUBJECTS = {
    "receipt": "[PAKN {province}] Đã tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "refusal": "[PAKN {province}] Không tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "forwarding": "[PAKN {province}] Phản ánh, kiến nghị mã {tracking_code} đã được chuyển đến {agency_name}",
    "transfer": "[PAKN {province}] Phản ánh, kiến nghị mã {tracking_code} được chuyển sang {to_agency_name}",
    "assignment": "[PAKN {province}] Chuyển xử lý phản ánh, kiến nghị mã {tracking_code}",
    "reminder": "[PAKN {province}] Nhắc hạn {stage_vi} phản ánh, kiến nghị mã {tracking_code}",
    "escalation": "[PAKN {province}] Quá hạn {stage_vi} phản ánh, kiến nghị mã {tracking_code}",
    "info_request": "[PAKN {province}] Đề nghị bổ sung thông tin — mã {tracking_code}",
    "extension": "[PAKN {province}] Gia hạn trả lời phản ánh, kiến nghị mã {tracking_code}",
    "answer": "[PAKN {province}] Trả lời phản ánh, kiến nghị mã {tracking_code}",
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
    subject = _SPACES.sub(" ", SUBJECTS[template].format(**{**_OFFICE, **values})).strip()
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
