"""The daily digest: one mail a day per recipient for the reminders and the overdue cases.

The router's scheduler emits one `DeadlineReminder` or `CaseEscalated` per case and stage;
mailing each made 74 mails arrive at once, two per case (issue 14). Each such event now
adds a line to its recipient's digest of the day instead: one `Delivery` row per
(recipient, kind, day), staged with its `next_attempt_at` at the digest hour (the setting
`PAKN_NOTIFIER_DIGEST_AT`, 07:30 Vietnam time by default), and one `DigestEntry` row per
event (`notifier_digest_line`). A replayed event adds nothing: an event is in one digest
of its recipient at most.

Adding a line writes that line and nothing else, whatever the digest's size (re-rendering
the whole digest with every line made a backlog of thousands of overdue cases quadratic).
The delivery's subject and bodies stay empty until the mailer claims it: `render_claimed`
fills them from the lines in the claim's transaction. A consumer holds a shared lock on
the digest's row while it adds a line, which the claim's update waits for, and a consumer
that comes after the claim waits for it and finds the row claimed: a line is either in
the mail or in the next day's digest. The mailer hands each row to SMTP at most once, as
any other mail; a row given back for a later attempt is rendered again when claimed again,
with the lines that came meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError

from schemas.timezone import VIETNAM
from services.notifier.labels import vn_date
from services.notifier.mail import render
from services.notifier.messages import Digest
from services.notifier.models import Delivery, DigestEntry
from services.notifier.ports import UnitOfWork

_MAX_DAYS_AHEAD = 7
# A digest lists at most this many lines and counts the rest: a backlog of 100,000 overdue
# cases made a mail of some 30 MB, over what mail servers accept (10 to 25 MB), so the
# agency got no digest at all; nobody reads past a few hundred lines anyway.
LISTED = 300

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


def _kind_and_day(key: str) -> tuple[str, date]:
    _, kind, stamp = key.split("-")
    return kind, datetime.strptime(stamp, "%Y%m%d").date()


async def add_to_digest(
    uow: UnitOfWork,
    *,
    kind: str,
    recipient: str | None,
    recipient_name: str,
    line: DigestLine,
    at: datetime,
    send_at: time,
) -> bool:
    """Add `line` to `recipient`'s `kind` digest ("reminder" | "overdue") of the day of `at`,
    which leaves at `send_at` (Vietnam time), in the caller's unit of work. False when there
    is no recipient or the event is in."""
    recipient = (recipient or "").strip()
    if not recipient:
        return False
    if await uow.digests.holds(recipient=recipient, event_id=line.event_id):
        return False  # a replayed event
    day = digest_day(at, send_at=send_at)
    for _ in range(_MAX_DAYS_AHEAD):
        # Share-locked: the mailer's claim (an update) waits for it, and it for a claim.
        found = await uow.digests.share_locked(event_id=_key(kind, day), recipient=recipient)
        if found is None:
            if await _create(uow, kind, day, recipient, recipient_name, line, send_at):
                return True
            continue  # another consumer created it meanwhile: read it again
        if found.status == "pending":
            uow.digests.add_line(_entry(found.id, recipient_name, line))
            return True
        day += timedelta(days=1)  # that day's digest is already on its way: the next one
    return False


def _entry(digest_id: int, recipient_name: str, line: DigestLine) -> DigestEntry:
    return DigestEntry(
        digest_id=digest_id,
        event_id=line.event_id,
        case_id=line.case_id,
        recipient_name=recipient_name,
        text=line.text,
    )


async def _create(
    uow: UnitOfWork,
    kind: str,
    day: date,
    recipient: str,
    recipient_name: str,
    first: DigestLine,
    send_at: time,
) -> bool:
    """A new pending digest leaving at `send_at` on `day`, with no body yet, and its `first`
    line, together (a digest never exists without a line); False if another transaction
    created it first."""
    row = Delivery(
        event_id=_key(kind, day),
        case_id=first.case_id,
        recipient=recipient,
        template=Digest.template,
        subject="",
        body_text="",
        next_attempt_at=datetime.combine(day, send_at, tzinfo=VIETNAM),
    )
    try:
        async with uow.savepoint():
            digest_id = await uow.deliveries.insert(row)
            uow.digests.add_line(_entry(digest_id, recipient_name, first))
    except IntegrityError:
        return False
    return True


async def render_claimed(uow: UnitOfWork, delivery: Delivery) -> None:
    """Fill a digest's subject and bodies from its lines, in order, in the unit of work that
    claimed it (which holds its row: a line being added waited for it, and now goes to the
    next day's digest). The mailer calls it at each claim."""
    assert delivery.id is not None
    kind, day = _kind_and_day(delivery.event_id)
    lines = await uow.digests.lines(delivery.id)
    name = lines[-1].recipient_name if lines else ""  # as the latest event named them
    mail = render(_digest(kind, day, name, [line.text for line in lines]))
    delivery.subject, delivery.body_text, delivery.body_html = mail.subject, mail.text, mail.html
    uow.deliveries.save(delivery)


def _digest(kind: str, day: date, recipient_name: str, lines: list[str]) -> Digest:
    return Digest(
        recipient_name=recipient_name,
        heading=HEADINGS[kind],
        overdue=kind == "overdue",
        count=len(lines),
        day=vn_date(day),
        lines="\n".join(lines[:LISTED]),
        more=max(0, len(lines) - LISTED),
    )
