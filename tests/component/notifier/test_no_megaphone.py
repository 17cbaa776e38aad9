"""Official mail to an address nobody verified carries no text the submitter typed (#10)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from services.notifier.models import Delivery
from tests.unit.notifier.builders import (
    accepted,
    answered,
    apply,
    code,
    migrated_notifier,
    refused,
    routed,
)

PHISHING = "Quý khách trúng thưởng, bấm http://lua-dao.example để nhận"


async def test_no_submitter_mail_repeats_the_name_given(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    person = {"name": PHISHING, "email": "nan.nhan@example.com", "phone": "0905 123 456"}
    first, second = code(), code()
    await apply(
        service,
        refused("case-1", first, "complaint_or_denunciation", content="Tố cáo cán bộ", **person),
        accepted("case-2", second, content="Đề nghị sửa quy định", **person),
        routed("case-2", second),
        answered("case-2", second, "Sở đã tiếp thu."),
    )
    async with service.db.session() as session:
        mails = [d for d in (await session.exec(select(Delivery))).all()]
    await service.db.dispose()
    to_submitter = [d for d in mails if d.recipient == "nan.nhan@example.com"]
    assert {d.template for d in to_submitter} >= {"refusal", "receipt", "answer"}
    for mail in to_submitter:
        assert "lua-dao" not in mail.body_text and "trúng thưởng" not in mail.subject, mail.template
        assert "Kính gửi Quý ông/bà" in mail.body_text
