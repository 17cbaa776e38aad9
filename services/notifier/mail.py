"""Rendering and staging e-mails; the mailer loop sends what is staged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier.models import Delivery

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "email"),
    undefined=StrictUndefined,
    autoescape=False,  # plain-text mail; HTML parts are rendered with escaping elsewhere
    keep_trailing_newline=True,
)

SUBJECTS = {
    "receipt": "[PAKN Gia Lai] Đã tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "refusal": "[PAKN Gia Lai] Không tiếp nhận phản ánh, kiến nghị — mã {tracking_code}",
    "assignment": "[PAKN Gia Lai] Chuyển xử lý phản ánh, kiến nghị mã {tracking_code}",
    "answer": "[PAKN Gia Lai] Trả lời phản ánh, kiến nghị mã {tracking_code}",
}


def render(template: str, **values: Any) -> tuple[str, str]:
    """(subject, plain-text body) of one template."""
    body = _TEMPLATES.get_template(f"{template}.txt").render(**values)
    return SUBJECTS[template].format(**values), body


async def stage(
    session: AsyncSession,
    *,
    event_id: str,
    case_id: str,
    recipient: str,
    template: str,
    **values: Any,
) -> None:
    """Stage one e-mail in the caller's transaction; the same (event, recipient) only once."""
    if not recipient:
        return
    exists = select(Delivery.id).where(
        Delivery.event_id == event_id, Delivery.recipient == recipient
    )
    if (await session.exec(exists)).first() is not None:
        return
    subject, body = render(template, **values)
    session.add(
        Delivery(
            event_id=event_id,
            case_id=case_id,
            recipient=recipient,
            template=template,
            subject=subject,
            body_text=body,
        )
    )
