"""The daily digest grows by one line per event at a cost that does not depend on its size
(a backlog of thousands of overdue cases made it quadratic): each line is written alone and
the mail is rendered once, when the mailer claims it. Counted in the statements sent to a
SQLite database; the digest's behaviour on the in-memory store is in
tests/unit/notifier/test_digest_lines.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col, select

from services.kit.columns import utc_now
from services.notifier import digest
from services.notifier.digest import DigestLine, add_to_digest
from services.notifier.mail import Composed
from services.notifier.mailer import Mailer
from services.notifier.messages import Mail
from services.notifier.models import Delivery
from services.notifier.service import NotifierService
from services.notifier.sql_store import SqlUnitOfWork
from tests.unit.notifier.builders import (
    RecordingTransport,
    migrated_notifier,
)

VPUB = "pakn.vpub@gialai.gov.vn"
NIGHT = datetime.fromisoformat("2023-03-03T00:05:00+07:00")  # joins the digest of 3 March
DIGEST_AT = time(7, 30)


@contextmanager
def recorded(service: NotifierService) -> Iterator[list[tuple[str, str]]]:
    """Every statement sent to the database in the block, with its parameters as text."""
    seen: list[tuple[str, str]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, repr(parameters)))

    engine = service.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _add(service: NotifierService, n: int, *, at: datetime = NIGHT) -> bool:
    """Line `n` of the office's overdue digest, in a transaction of its own (as an event)."""
    text = f"GL-{n:08d} «Kiến nghị số {n}» — Sở Tài nguyên và Môi trường — hạn trả lời 02/03/2023"
    async with service.db.transaction() as session:
        return await add_to_digest(
            SqlUnitOfWork(session),
            kind="overdue",
            recipient=VPUB,
            recipient_name="Văn phòng UBND tỉnh",
            line=DigestLine(f"event-{n}", f"case-{n}", text),
            at=at,
            send_at=DIGEST_AT,
        )


async def _digests(service: NotifierService) -> list[Delivery]:
    async with service.db.session() as session:
        query = select(Delivery).where(col(Delivery.template) == "digest")
        return list((await session.exec(query.order_by(col(Delivery.id)))).all())


async def _send_due(service: NotifierService, transport: RecordingTransport) -> None:
    """The digest hour comes and the mailer runs once."""
    async with service.db.transaction() as session:
        await session.execute(update(Delivery).values(next_attempt_at=utc_now()))
    await Mailer(db=service.db, transport=transport, settings=service.settings).run_once()


def _text(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


async def test_each_line_costs_the_same_and_nothing_is_rendered_before_the_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = await migrated_notifier(tmp_path)
    renders: list[Mail] = []
    real_render = digest.render

    def counted_render(message: Mail) -> Composed:
        renders.append(message)
        return real_render(message)

    monkeypatch.setattr(digest, "render", counted_render)
    per_line: list[list[tuple[str, str]]] = []
    try:
        for n in range(300):
            with recorded(service) as statements:
                assert await _add(service, n)
            per_line.append(statements)
        (staged,) = await _digests(service)
        assert renders == [] and (staged.subject, staged.body_text) == ("", "")
        # After the first line (which creates the digest), every line: the same statements,
        # none carrying the digest so far, none rewriting the digest's row.
        shapes = {tuple(statement for statement, _ in line) for line in per_line[1:]}
        assert len(shapes) == 1, shapes
        (shape,) = shapes
        assert len(shape) <= 3, shape  # replay check, the digest's row, the line
        assert not any("UPDATE" in statement for statement in shape)
        sizes = [sum(len(parameters) for _, parameters in line) for line in per_line[1:]]
        assert max(sizes) - min(sizes) < 40, (min(sizes), max(sizes))  # digits of n, ids

        transport = RecordingTransport()
        await _send_due(service, transport)
    finally:
        await service.db.dispose()
    assert len(renders) == 1  # once, at the claim
    (mail,) = transport.sent
    text = _text(mail)
    assert "(300 mục, tổng hợp ngày 03/03/2023)" in text
    assert text.index("GL-00000000") < text.index("GL-00000001") < text.index("GL-00000299")
    assert "quá hạn" in str(mail["Subject"]) and "03/03/2023" in str(mail["Subject"])
