"""The daily digest grows by one line per event at a cost that does not depend on its size
(a backlog of thousands of overdue cases made it quadratic): each line is written alone and
the mail is rendered once, when the mailer claims it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col, select

from schemas.events import CaseEscalated
from services.kit.columns import utc_now
from services.notifier import digest
from services.notifier.digest import DigestLine, add_to_digest
from services.notifier.mail import Composed
from services.notifier.mailer import Mailer
from services.notifier.messages import Mail
from services.notifier.models import Delivery, DigestEntry
from services.notifier.service import NotifierService
from services.notifier.transports import TransientMailError
from tests.unit.notifier.builders import (
    RecordingTransport,
    accepted,
    apply,
    code,
    migrated_notifier,
    routed,
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
            session,
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


async def _lines(service: NotifierService) -> list[tuple[int, str]]:
    async with service.db.session() as session:
        query = select(DigestEntry.digest_id, DigestEntry.event_id).order_by(col(DigestEntry.id))
        return [(digest_id, event_id) for digest_id, event_id in (await session.exec(query)).all()]


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


def _escalation(case: str, tracking_code: str) -> CaseEscalated:
    return CaseEscalated(
        correlation_id=case,
        case_id=case,
        tracking_code=tracking_code,
        agency="STNMT",
        stage="answer",
        due=date(2023, 3, 2),
        escalated_to_email=VPUB,
        occurred_at=NIGHT,
    )


async def test_a_replayed_event_adds_nothing_before_or_after_its_digest_left(
    tmp_path: Path,
) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    escalated = _escalation("c1", tc)
    await apply(service, accepted("c1", tc), routed("c1", tc), escalated)

    async def replay() -> None:  # past the consumer's own record of seen events
        async with service.db.transaction() as session:
            await service._on_case_event(session, escalated)

    try:
        await replay()
        assert len(await _lines(service)) == 1
        transport = RecordingTransport()
        await _send_due(service, transport)
        await replay()  # its digest has left: still nothing, not even in the next day's
        digests = await _digests(service)
        lines = await _lines(service)
    finally:
        await service.db.dispose()
    assert [d.status for d in digests if d.recipient == VPUB] == ["sent"]
    assert [event_id for _, event_id in lines] == [escalated.event_id]
    (mail,) = [m for m in transport.sent if str(m["To"]) == VPUB]
    assert tc in _text(mail) and "(1 mục" in _text(mail)


async def test_a_line_after_the_claim_goes_to_the_next_day_s_digest(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    try:
        assert await _add(service, 1)
        mailer = Mailer(db=service.db, transport=RecordingTransport(), settings=service.settings)
        (first,) = await _digests(service)
        assert first.id is not None
        claimed = await mailer._claim(first.id)
        assert claimed is not None and "GL-00000001" in claimed.body_text
        assert await _add(service, 2)  # the same night, after the claim
        digests = await _digests(service)
        lines = await _lines(service)
    finally:
        await service.db.dispose()
    assert [(d.event_id, d.status) for d in digests] == [
        ("digest-overdue-20230303", "claimed"),
        ("digest-overdue-20230304", "pending"),
    ]
    assert lines == [(digests[0].id, "event-1"), (digests[1].id, "event-2")]
    assert "GL-00000002" not in digests[0].body_text and "(1 mục" in digests[0].body_text


async def test_a_digest_given_back_is_rendered_again_with_the_lines_added_meanwhile(
    tmp_path: Path,
) -> None:
    service = await migrated_notifier(tmp_path)
    transport = RecordingTransport([TransientMailError("451 4.3.0 thử lại sau")])
    try:
        assert await _add(service, 1)
        await _send_due(service, transport)  # refused before DATA: pending again
        (retried,) = await _digests(service)
        assert (retried.status, retried.attempts) == ("pending", 1)
        assert await _add(service, 2)  # still that digest: nothing was handed over
        await _send_due(service, transport)
        (sent,) = await _digests(service)
    finally:
        await service.db.dispose()
    assert sent.status == "sent"
    (mail,) = transport.sent
    assert "(2 mục" in _text(mail) and "GL-00000001" in _text(mail) and "GL-00000002" in _text(mail)
