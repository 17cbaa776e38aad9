"""Use case: register submissions — normalise, de-duplicate, decide, give each a code.

One path for one item (a channel, the intake topic) and for many (`pakn import`): the
register is asked a fixed number of questions per call, not per item, and the items of
one call see each other (a letter twice in one file is one case and its duplicate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from schemas.submission import Submission
from schemas.timezone import VIETNAM
from schemas.topics import Topics
from schemas.tracking import new_tracking_code
from services.intake.attachments import clean_filename
from services.intake.case_record import (
    as_submission,
    duplicate_decision,
    event_of,
    facts,
    new_case,
    storable,
)
from services.intake.domain.admissibility import Decision, assess
from services.intake.domain.duplicates import (
    Fingerprint,
    channel_key,
    fingerprint,
    is_repeat,
    is_same_letter,
)
from services.intake.domain.normalise import normalise_submission
from services.intake.errors import ReceivedOutOfBounds
from services.intake.models import IntakeCase
from services.intake.ports import SERVICE, Cases, LetterQuery, RepeatQuery, UnitOfWork
from services.intake.settings import RECEIVED_EARLIEST, RECEIVED_MAX_SKEW_S, IntakeSettings
from services.kit.text import fold

__all__ = [
    "SERVICE",
    "ReceivedBounds",
    "ReceivedOutOfBounds",
    "RegisterRead",
    "Registration",
    "facts",
    "normalised",
    "read_register",
    "register_many",
    "register_submission",
    "safe_attachment_names",
    "storable",
]
SAME_LETTER_WINDOW = timedelta(days=30)
REPEAT_WINDOW = timedelta(days=1)  # the same text again by the same channel: the first case
MAX_CANDIDATES = 50  # per item, the earliest first


@dataclass(frozen=True)
class ReceivedBounds:
    """When an item may have been received: not before `earliest`, not after now + skew."""

    earliest: datetime = RECEIVED_EARLIEST
    max_skew: timedelta = timedelta(seconds=RECEIVED_MAX_SKEW_S)

    @classmethod
    def of(cls, settings: IntakeSettings) -> ReceivedBounds:
        return cls(
            earliest=settings.received_at_earliest,
            max_skew=timedelta(seconds=settings.received_at_max_skew_s),
        )

    def problem(self, moment: datetime, *, now: datetime | None = None) -> str | None:
        """Why `moment` cannot be a time of receipt (Vietnamese), or None."""
        latest = (now or datetime.now(UTC)) + self.max_skew
        if moment.tzinfo is None:
            return "Thời điểm nhận: phải ghi kèm múi giờ, ví dụ 2023-01-18T09:30:00+07:00."
        if moment > latest:
            shown = latest.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")
            return f"Thời điểm nhận: không được ở tương lai (muộn nhất {shown})."
        if moment < self.earliest:
            shown = self.earliest.astimezone(VIETNAM).strftime("%d/%m/%Y")
            return f"Thời điểm nhận: không được trước ngày {shown}, ngày bắt đầu của sổ tiếp nhận."
        return None

    def check(self, submissions: Sequence[Submission]) -> None:
        for item in submissions:
            if (problem := self.problem(item.received_at)) is not None:
                raise ReceivedOutOfBounds(f"{problem} (received_at={item.received_at.isoformat()})")


DEFAULT_BOUNDS = ReceivedBounds()


def safe_attachment_names(item: Submission) -> Submission:
    """Attachment names as officers may see them: base name only, no control or bidi
    characters, at most 200 characters (a channel may send any text as a name)."""
    names = [clean_filename(str(name)) for name in item.attachments]
    if names == list(item.attachments):
        return item
    return item.model_copy(update={"attachments": names})


@dataclass(frozen=True)
class Registration:
    case: IntakeCase
    created: bool  # False when the same channel message was registered before


async def register_submission(
    uow: UnitOfWork,
    *,
    submission: Submission,
    topics: Topics,
    bounds: ReceivedBounds = DEFAULT_BOUNDS,
    correlation_id: str | None = None,
) -> Registration:
    """Register `submission` in the caller's unit of work and stage its accepted/refused event
    (carrying `correlation_id`, the producer's, when given: see `event_of`)."""
    (registration,) = await register_many(
        uow,
        submissions=[submission],
        topics=topics,
        bounds=bounds,
        correlation_ids=[correlation_id],
    )
    return registration


async def register_many(
    uow: UnitOfWork,
    *,
    submissions: Sequence[Submission],
    topics: Topics,
    bounds: ReceivedBounds = DEFAULT_BOUNDS,
    correlation_ids: Sequence[str | None] = (),
    read: RegisterRead | None = None,
) -> list[Registration]:
    """Register each submission in order, in the caller's unit of work; `correlation_ids`,
    when given, go one by one onto the submissions' outcome events.

    `read`, when given, is what `read_register` found for a batch these submissions belong
    to, in this same transaction, and what the batch's earlier calls added to it: the call
    then asks the register nothing and leaves its rows to be written with the batch's.

    `ReceivedOutOfBounds` (nothing registered) when an item's `received_at` is before the
    register began or in the future: the channels check it first and answer 4xx."""
    bounds.check(submissions)
    items = normalised(submissions)
    register = read or await read_register(uow.cases, items)
    if len(register.codes) < len(items):  # more items than the batch read codes for
        register.codes += await _unique_codes(uow.cases, len(items) - len(register.codes))
    registrations = [register.add(item) for item in items]
    correlations = dict(enumerate(correlation_ids))
    new = [(r.case, correlations.get(i)) for i, r in enumerate(registrations) if r.created]
    await uow.cases.add([case for case, _ in new], defer=read is not None)
    for case, correlation in new:
        event = event_of(case, register.decisions[case.id], correlation_id=correlation)
        uow.outbox.stage(topic=topics.case_events, key=case.id, event=event)
    return registrations


def normalised(submissions: Sequence[Submission]) -> list[Submission]:
    """The submissions as the register compares and keeps them (what `read_register` reads
    for must be what `register_many` registers)."""
    return [normalise_submission(safe_attachment_names(s)) for s in submissions]


async def read_register(cases: Cases, items: Sequence[Submission]) -> RegisterRead:
    """What the register holds that `items` (normalised) may repeat or copy, and a fresh
    tracking code for each: four questions, however many items."""
    register = RegisterRead(
        known=await _by_channel_keys(cases, items),
        codes=await _unique_codes(cases, len(items)),
    )
    if (letters := letter_query(items)) is not None:
        for case in await cases.letter_candidates(letters):
            register.remember(case)
    if (repeats := repeat_query(items)) is not None:
        for case in await cases.repeat_candidates(repeats):
            register.remember_sent(case)
    return register


@dataclass
class RegisterRead:
    """The part of the register a call (or a batch of calls) can see, and what it adds."""

    known: dict[str, IntakeCase]  # channel key → case
    codes: list[str]
    decisions: dict[str, Decision] = field(default_factory=dict)
    _near: dict[tuple[str, str], list[IntakeCase]] = field(default_factory=dict)
    _sent: dict[tuple[str, str, str], list[IntakeCase]] = field(default_factory=dict)

    def remember(self, case: IntakeCase) -> None:
        """A first case (not a copy) later items may be copies of, by phone, e-mail or name."""
        for key in (("phone", case.phone), ("email", case.email), ("name", case.name_folded)):
            if key[1]:
                self._near.setdefault(key, []).append(case)

    def remember_sent(self, case: IntakeCase) -> None:
        """A case a later item by the same channel and phone or e-mail may repeat."""
        for kind, value in (("phone", case.phone), ("email", case.email)):
            if value:
                self._sent.setdefault((case.channel, kind, value), []).append(case)

    def add(self, item: Submission) -> Registration:
        key = channel_key(item)
        if key is not None and key in self.known:
            return Registration(case=self.known[key], created=False)
        if key is None and (repeated := self._repeat(item)) is not None:
            return Registration(case=repeated, created=False)
        first = self._same_letter(item)
        decision = duplicate_decision(first) if first else assess(item)
        case = new_case(item, decision, duplicate_of=first.id if first else None)
        case.tracking_code = self.codes.pop()
        self.decisions[case.id] = decision
        if key is not None:
            self.known[key] = case
        if first is None:
            self.remember(case)
        self.remember_sent(case)
        return Registration(case=case, created=True)

    def _repeat(self, item: Submission) -> IntakeCase | None:
        """The first case this item repeats: the same person, channel and text within a day
        (a form sent twice, a refresh after sending): that case again, not a second code.
        Only for an item without a channel reference: a channel that numbers its messages
        (a letter number, a call id, a Message-ID) says itself which ones are the same."""
        channel = item.channel.value
        keys = (("phone", item.phone), ("email", item.email))
        near = {
            c.id: c
            for kind, value in keys
            if value
            for c in self._sent.get((channel, kind, value), ())
        }
        if not near:
            return None
        wanted = fingerprint(item)
        for candidate in sorted(near.values(), key=lambda c: c.received_at):
            if is_repeat(wanted, case_print(candidate), window=REPEAT_WINDOW):
                return candidate
        return None

    def _same_letter(self, item: Submission) -> IntakeCase | None:
        """The first registered case that is this very letter arriving by another channel."""
        since = item.received_at - SAME_LETTER_WINDOW
        keys = (("phone", item.phone), ("email", item.email), ("name", fold(item.name)))
        near = {
            c.id: c for k in keys if k[1] for c in self._near.get(k, ()) if c.received_at >= since
        }
        wanted: Fingerprint | None = None  # only worked out when a candidate needs it
        for candidate in sorted(near.values(), key=lambda c: c.received_at)[:MAX_CANDIDATES]:
            if candidate.channel == item.channel.value:
                continue
            if wanted is None:
                wanted = fingerprint(item)
            if is_same_letter(wanted, case_print(candidate)):
                return candidate
        return None


# A registered case's fingerprint, by case id, with a hash of the fields it was worked out
# from: each item compares itself with up to MAX_CANDIDATES earlier cases, mostly the same
# ones again (one person's many items), and reading a case's text again costs more than the
# register's other work. A case whose fields differ from those hashed (changed, or another
# store's case under the same id) is worked out afresh; the oldest entries go first past the
# limit. Only the hash is kept, not the fields: no personal text stays here, and a
# fingerprint's shingles (up to some kilobytes each) bound the memory: 2,000 of them.
_PRINTS: dict[str, tuple[int, Fingerprint]] = {}
_PRINTS_KEPT = 2_000


def case_print(case: IntakeCase) -> Fingerprint:
    """`fingerprint(as_submission(case))`, worked out once per case and its fields."""
    fields = hash(_print_fields(case))
    kept = _PRINTS.get(case.id)
    if kept is not None and kept[0] == fields:
        return kept[1]
    found = fingerprint(as_submission(case))
    if len(_PRINTS) >= _PRINTS_KEPT:
        del _PRINTS[next(iter(_PRINTS))]
    _PRINTS[case.id] = (fields, found)
    return found


def _print_fields(case: IntakeCase) -> tuple[object, ...]:
    """Every field `as_submission` reads."""
    return (
        case.channel,
        case.channel_ref,
        case.received_at,
        case.submitter_type,
        case.name,
        case.organization,
        case.address,
        case.phone,
        case.email,
        case.title,
        case.content,
        case.regulation,
        tuple(case.attachments),
    )


async def _by_channel_keys(cases: Cases, items: Sequence[Submission]) -> dict[str, IntakeCase]:
    pairs = {(i.channel.value, i.channel_ref) for i in items if i.channel_ref}
    keys = {key for item in items if (key := channel_key(item)) is not None}
    found = await cases.by_channel_refs(pairs) if keys else []
    return {key: case for case in found if (key := f"{case.channel}:{case.channel_ref}") in keys}


def letter_query(items: Sequence[Submission]) -> LetterQuery | None:
    """The first cases the items may be copies of, or None when no item names anyone."""
    phones = frozenset(i.phone for i in items if i.phone)
    emails = frozenset(i.email for i in items if i.email)
    names = frozenset(fold(i.name) for i in items if i.name)
    if not (phones or emails or names):
        return None
    channels = {i.channel.value for i in items}
    return LetterQuery(
        phones=phones,
        emails=emails,
        names=names,
        since=min(i.received_at for i in items) - SAME_LETTER_WINDOW,
        limit=MAX_CANDIDATES * len(items),
        # A copy comes by another channel: an office's many items do not.
        other_channel_than=channels.pop() if len(channels) == 1 else None,
    )


def repeat_query(items: Sequence[Submission]) -> RepeatQuery | None:
    """Cases the items may repeat: the same channel and phone or e-mail, within a day."""
    items = [i for i in items if channel_key(i) is None]
    phones = frozenset(i.phone for i in items if i.phone)
    emails = frozenset(i.email for i in items if i.email)
    if not (phones or emails):
        return None
    moments = [i.received_at for i in items]
    return RepeatQuery(
        phones=phones,
        emails=emails,
        channels=frozenset(i.channel.value for i in items),
        since=min(moments) - REPEAT_WINDOW,
        until=max(moments) + REPEAT_WINDOW,
        limit=MAX_CANDIDATES * len(items),
    )


async def _unique_codes(cases: Cases, count: int) -> list[str]:
    """`count` fresh codes, none on the register (a clash is rare: 23**7 codes)."""
    codes: set[str] = set()
    for _ in range(20):
        drawn = {new_tracking_code() for _ in range(count - len(codes))}
        codes |= drawn - await cases.taken_codes(drawn)
        if len(codes) >= count:
            return list(codes)[:count]
    raise IntegrityError("tracking code space exhausted", params=None, orig=ValueError())
