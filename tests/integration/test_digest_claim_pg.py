"""On PostgreSQL, a digest line added at the moment the mailer claims the digest is either in
the mail or in the next day's digest, never lost: the consumer share-locks the digest's row,
and the claim, which renders the mail from its lines, updates it."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from typing import Any

import pytest
from sqlmodel import col, select

from services.kit.db import Database
from services.notifier import mailer as mailer_module
from services.notifier.digest import DigestLine, add_to_digest
from services.notifier.mailer import Mailer
from services.notifier.models import Delivery, DigestEntry
from services.notifier.settings import NotifierSettings
from services.notifier.sql_store import SqlUnitOfWork
from tests.unit.notifier.builders import BASE, RecordingTransport

VPUB = "pakn.vpub@gialai.gov.vn"
NIGHT = datetime.fromisoformat("2023-03-03T00:05:00+07:00")  # the digest of 3 March


async def _add(session: Any, n: int) -> bool:
    return await add_to_digest(
        SqlUnitOfWork(session),
        kind="overdue",
        recipient=VPUB,
        recipient_name="Văn phòng UBND tỉnh",
        line=DigestLine(f"event-{n}", f"case-{n}", f"GL-0000000{n} — hạn trả lời 02/03/2023"),
        at=NIGHT,
        send_at=time(7, 30),
    )


async def _first_line(db: Database) -> int:
    async with db.transaction() as session:
        assert await _add(session, 1)
    async with db.session() as session:
        (digest_id,) = (await session.exec(select(Delivery.id))).all()
    assert digest_id is not None
    return digest_id


def _mailer(db: Database, pg_url: str) -> Mailer:
    settings = NotifierSettings(database_url=pg_url, public_base_url=BASE)
    return Mailer(db=db, transport=RecordingTransport(), settings=settings)


async def test_a_line_being_added_when_the_claim_comes_is_in_the_mail(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        digest_id = await _first_line(db)
        async with db.transaction() as session:
            assert await _add(session, 2)  # not committed yet: the row is share-locked
            claim = asyncio.create_task(_mailer(db, pg_url)._claim(digest_id))
            await asyncio.sleep(0.5)
            assert not claim.done(), "the claim waits for the line's transaction"
        claimed = await asyncio.wait_for(claim, 10)
    finally:
        await db.dispose()
    assert claimed is not None and claimed.status == "claimed"
    assert "(2 mục" in claimed.body_text
    assert "GL-00000001" in claimed.body_text and "GL-00000002" in claimed.body_text


async def test_a_line_added_during_the_claim_goes_to_the_next_day(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(pg_url)
    rendering, finish = asyncio.Event(), asyncio.Event()
    real_render = mailer_module.render_claimed

    async def slow_render(session: Any, delivery: Delivery) -> None:
        rendering.set()
        await finish.wait()
        await real_render(session, delivery)

    monkeypatch.setattr(mailer_module, "render_claimed", slow_render)

    async def add_second() -> bool:
        async with db.transaction() as session:
            return await _add(session, 2)

    try:
        digest_id = await _first_line(db)
        claim = asyncio.create_task(_mailer(db, pg_url)._claim(digest_id))
        await asyncio.wait_for(rendering.wait(), 10)
        second = asyncio.create_task(add_second())
        await asyncio.sleep(0.5)
        assert not second.done(), "the line waits for the claim's transaction"
        finish.set()
        claimed = await asyncio.wait_for(claim, 10)
        assert await asyncio.wait_for(second, 10)
        async with db.session() as session:
            digests = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
            query = select(DigestEntry.digest_id, DigestEntry.event_id)
            lines = (await session.exec(query.order_by(col(DigestEntry.id)))).all()
    finally:
        await db.dispose()
    assert claimed is not None and "(1 mục" in claimed.body_text
    assert "GL-00000002" not in claimed.body_text
    assert [(d.event_id, d.status) for d in digests] == [
        ("digest-overdue-20230303", "claimed"),
        ("digest-overdue-20230304", "pending"),
    ]
    assert [tuple(line) for line in lines] == [
        (digests[0].id, "event-1"),
        (digests[1].id, "event-2"),
    ]
