"""The daily digest: one mail a day per recipient for the reminders and the overdue cases.

The router's scheduler emits one `DeadlineReminder` or `CaseEscalated` per case and stage;
mailing each made 74 mails arrive at once, two per case (issue 14). Each such event now
adds a line to its recipient's digest of the day instead: one `Delivery` row per
(recipient, kind, day), staged with its `next_attempt_at` at the digest hour (the setting
`PAKN_NOTIFIER_DIGEST_AT`, 07:30 Vietnam time by default), whose body
is rendered again with every line added while it is still pending. The mailer hands each
row to SMTP at most once, as any other mail; an event that comes after its day's digest
was claimed goes to the next day's. The events already in a digest are listed in the row's
`meta`, so a replayed event adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.timezone import VIETNAM
from services.notifier.labels import vn_date
from services.notifier.mail import render
from services.notifier.messages import Digest
from services.notifier.models import Delivery

_MAX_DAYS_AHEAD = 7

HEADINGS = {
    "reminder": "Các phản ánh, kiến nghị sắp đến hạn",
    "overdue": "Các phản ánh, kiến nghị quá hạn",
}


@dataclass(frozen=True)
class DigestLine:
    event_id: str
    case_id: str
    text: str


def digest_day(at: datetime, *, send_at: time) -> date:
    """The day whose digest an event at `at` joins: today's before the digest hour
    `send_at` (Vietnam time), else tomorrow's."""
    local = at.astimezone(VIETNAM)
    return local.date() if local.time() < send_at else local.date() + timedelta(days=1)


def _key(kind: str, day: date) -> str:
    return f"digest-{kind}-{day:%Y%m%d}"  # dot-atom text: it is in the Message-ID


async def add_to_digest(
    session: AsyncSession,
    *,
    kind: str,
    recipient: str | None,
    recipient_name: str,
    line: DigestLine,
    at: datetime,
    send_at: time,
) -> bool:
    """Add `line` to `recipient`'s `kind` digest ("reminder" | "overdue") of the day of `at`,
    which leaves at `send_at` (Vietnam time), in the caller's transaction. False when there
    is no recipient or the event is in."""
    recipient = (recipient or "").strip()
    if not recipient:
        return False
    day = digest_day(at, send_at=send_at)
    for _ in range(_MAX_DAYS_AHEAD):
        query = (
            select(Delivery)
            .where(Delivery.event_id == _key(kind, day), Delivery.recipient == recipient)
            .with_for_update()
        )
        row = (await session.exec(query)).first()
        if row is not None and line.event_id in json.loads(row.meta.get("events", "[]")):
            return False  # a replayed event
        if row is None:
            leaves = datetime.combine(day, send_at, tzinfo=VIETNAM)
            if await _insert(session, kind, day, recipient, recipient_name, line, leaves):
                return True
            continue  # another consumer created it meanwhile: read it again
        if row.status == "pending":
            _append(row, kind, day, recipient_name, line)
            session.add(row)
            return True
        day += timedelta(days=1)  # that day's digest is already on its way: the next one
    return False


def _digest(kind: str, day: date, recipient_name: str, lines: list[str]) -> Digest:
    return Digest(
        recipient_name=recipient_name,
        heading=HEADINGS[kind],
        overdue=kind == "overdue",
        count=len(lines),
        day=vn_date(day),
        lines="\n".join(lines),
    )


def _fill(
    row: Delivery, kind: str, day: date, name: str, events: list[str], lines: list[str]
) -> None:
    mail = render(_digest(kind, day, name, lines))
    row.subject, row.body_text, row.body_html = mail.subject, mail.text, mail.html
    row.meta = {"events": json.dumps(events), "lines": json.dumps(lines, ensure_ascii=False)}


def _append(row: Delivery, kind: str, day: date, name: str, line: DigestLine) -> None:
    events = [*json.loads(row.meta.get("events", "[]")), line.event_id]
    lines = [*json.loads(row.meta.get("lines", "[]")), line.text]
    _fill(row, kind, day, name, events, lines)


async def _insert(
    session: AsyncSession,
    kind: str,
    day: date,
    recipient: str,
    name: str,
    line: DigestLine,
    leaves: datetime,
) -> bool:
    row = Delivery(
        event_id=_key(kind, day),
        case_id=line.case_id,
        recipient=recipient,
        template=Digest.template,
        subject="",
        body_text="",
        next_attempt_at=leaves,
    )
    _fill(row, kind, day, name, [line.event_id], [line.text])
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True
