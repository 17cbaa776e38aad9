"""A daily digest on the in-memory store: a replayed event adds no line, a line that comes
after the claim goes to the next day's digest, and a digest given back is rendered again
with the lines added meanwhile. (What each line costs in SQL statements:
tests/component/notifier/test_digest_lines.py.)"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from services.kit.columns import utc_now
from services.notifier.digest import LISTED, DigestLine, add_to_digest
from services.notifier.models import Delivery
from services.notifier.transports import TransientMailError
from tests.unit.notifier.builders import (
    OFFICE_EMAIL,
    RecordingTransport,
    accepted,
    code,
    escalated,
    routed,
)
from tests.unit.notifier.memory_support import MemoryNotifier, apply, memory_notifier, replay

VPUB = OFFICE_EMAIL  # where the escalations of `escalated` go
NIGHT = datetime.fromisoformat("2023-03-03T00:05:00+07:00")  # joins the digest of 3 March
DIGEST_AT = time(7, 30)


async def _add(notifier: MemoryNotifier, n: int, *, at: datetime = NIGHT) -> bool:
    """Line `n` of the office's overdue digest, in a transaction of its own (as an event)."""
    text = f"GL-{n:08d} «Kiến nghị số {n}» — Sở Tài nguyên và Môi trường — hạn trả lời 02/03/2023"
    async with notifier.storage.transaction() as uow:
        return await add_to_digest(
            uow,
            kind="overdue",
            recipient=VPUB,
            recipient_name="Văn phòng UBND tỉnh",
            line=DigestLine(f"event-{n}", f"case-{n}", text),
            at=at,
            send_at=DIGEST_AT,
        )


def _digests(notifier: MemoryNotifier) -> list[Delivery]:
    return [row for row in notifier.deliveries() if row.template == "digest"]


async def _send_due(notifier: MemoryNotifier, transport: RecordingTransport) -> None:
    """The digest hour comes and the mailer runs once."""
    notifier.make_due(utc_now())
    await notifier.mailer(transport).run_once()


def _text(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


async def test_a_replayed_event_adds_nothing_before_or_after_its_digest_left() -> None:
    notifier = memory_notifier()
    tc = code()
    escalation = escalated("c1", tc, NIGHT)
    await apply(notifier, accepted("c1", tc), routed("c1", tc), escalation)
    await replay(notifier, escalation)  # past the consumer's own record of seen events
    assert len(notifier.digest_lines()) == 1
    transport = RecordingTransport()
    await _send_due(notifier, transport)
    await replay(
        notifier, escalation
    )  # its digest has left: still nothing, not even in the next day's
    digests = _digests(notifier)
    lines = notifier.digest_lines()
    assert [d.status for d in digests if d.recipient == VPUB] == ["sent"]
    assert [event_id for _, event_id in lines] == [escalation.event_id]
    (mail,) = [m for m in transport.sent if str(m["To"]) == VPUB]
    assert tc in _text(mail) and "(1 mục" in _text(mail)


async def test_a_line_after_the_claim_goes_to_the_next_day_s_digest() -> None:
    notifier = memory_notifier()
    assert await _add(notifier, 1)
    mailer = notifier.mailer(RecordingTransport())
    (first,) = _digests(notifier)
    assert first.id is not None
    claimed = await mailer._claim(first.id)
    assert claimed is not None and "GL-00000001" in claimed.body_text
    assert await _add(notifier, 2)  # the same night, after the claim
    digests = _digests(notifier)
    lines = notifier.digest_lines()
    assert [(d.event_id, d.status) for d in digests] == [
        ("digest-overdue-20230303", "claimed"),
        ("digest-overdue-20230304", "pending"),
    ]
    assert lines == [(digests[0].id, "event-1"), (digests[1].id, "event-2")]
    assert "GL-00000002" not in digests[0].body_text and "(1 mục" in digests[0].body_text


async def test_a_digest_given_back_is_rendered_again_with_the_lines_added_meanwhile() -> None:
    notifier = memory_notifier()
    transport = RecordingTransport([TransientMailError("451 4.3.0 thử lại sau")])
    assert await _add(notifier, 1)
    await _send_due(notifier, transport)  # refused before DATA: pending again
    (retried,) = _digests(notifier)
    assert (retried.status, retried.attempts) == ("pending", 1)
    assert await _add(notifier, 2)  # still that digest: nothing was handed over
    await _send_due(notifier, transport)
    (sent,) = _digests(notifier)
    assert sent.status == "sent"
    (mail,) = transport.sent
    assert "(2 mục" in _text(mail) and "GL-00000001" in _text(mail) and "GL-00000002" in _text(mail)


async def test_a_backlog_s_digest_lists_the_first_lines_and_counts_the_others() -> None:
    notifier = memory_notifier()
    for n in range(LISTED + 5):
        assert await _add(notifier, n)
    transport = RecordingTransport()
    await _send_due(notifier, transport)
    (mail,) = transport.sent
    text, html = _text(mail), str(mail.get_body(preferencelist=("html",)).get_content())
    assert f"({LISTED + 5} mục" in text
    assert f"GL-{LISTED - 1:08d}" in text and f"GL-{LISTED:08d}" not in text
    assert "và 5 mục khác" in text and "Và 5 mục khác" in html
    assert f"GL-{LISTED:08d}" not in html
