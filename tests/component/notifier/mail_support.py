"""Mails staged in, read from and made due in a notifier's SQLite database, for the tests of
the mailer over a real SMTP server (test_mailer_pool.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from services.kit.columns import utc_now
from services.notifier.models import Delivery
from services.notifier.projection_shared import stage
from services.notifier.service import NotifierService
from tests.unit.notifier.memory_support import RECEIPT

FAST = {"mail_backoff_s": 0.01, "mail_poll_s": 0.05}


async def stage_receipts(service: NotifierService, count: int = 1) -> None:
    async with service.storage.transaction() as uow:
        for i in range(count):
            recipient = f"nguoi{i}@example.com"
            await stage(
                uow, event_id=f"event-{i}", case_id="case-1", recipient=recipient, message=RECEIPT
            )


async def deliveries(service: NotifierService) -> list[Delivery]:
    async with service.db.session() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


async def make_due(service: NotifierService) -> None:
    async with service.db.transaction() as session:
        for row in (await session.exec(select(Delivery))).all():
            row.next_attempt_at = utc_now() - timedelta(seconds=1)
            session.add(row)
