"""A typed message staged in the notifier's SQLite database is stored as it renders (the
templates and their typed messages: tests/unit/notifier/test_typed_mails.py)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from services.notifier.mail import compose
from services.notifier.messages import Transfer
from services.notifier.models import Delivery
from services.notifier.projection_shared import stage
from tests.unit.notifier.builders import migrated_notifier
from tests.unit.notifier.test_typed_mails import TRANSFER


async def test_staging_a_typed_message_stores_what_it_renders(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    message = Transfer(**{**TRANSFER, "reorganisation": True})  # type: ignore[arg-type]
    async with service.storage.transaction() as uow:
        staged = await stage(
            uow, event_id="e1", case_id="c1", recipient=" binh@example.com ", message=message
        )
        again = await stage(
            uow, event_id="e1", case_id="c1", recipient="binh@example.com", message=message
        )
        nobody = await stage(uow, event_id="e2", case_id="c1", recipient="", message=message)
    assert (staged, again, nobody) == (True, False, False)
    async with service.db.session() as session:
        [row] = (await session.exec(select(Delivery))).all()
    expected = compose("transfer", **{**TRANSFER, "reorganisation": True})
    assert row.template == "transfer" and row.recipient == "binh@example.com"
    assert (row.subject, row.body_text, row.body_html) == (
        expected.subject,
        expected.text,
        expected.html,
    )
    assert "Thời hạn trả lời không thay đổi" in row.body_text
    assert "&lt;Sở Xây dựng&gt;" in (row.body_html or "")
    await service.db.dispose()
