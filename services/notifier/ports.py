"""What the notifier's use cases ask of storage: repositories and a unit of work, as Protocols.

The use cases are the projection of case events (`projection.py`, `lifecycle.py`), the
daily digests (`digest.py`) and the mailer (`mailer.py`). Two adapters implement the ports:
`sql_store` (the service's database, SQLite or PostgreSQL) and `memory_store` (in memory,
for the unit tests). tests/unit/notifier/store_contract.py holds both to one behaviour.

A row read from a repository is the caller's copy: a change to it is kept only when it is
handed back (`save`). A write that breaks a uniqueness rule (a case projected twice, a
second mail for one event and recipient, an event twice in one digest) raises
`sqlalchemy.exc.IntegrityError` by the end of the transaction (or of the savepoint) at the
latest: the consuming pipeline reads it as a concurrent delivery of the same event.

The deliveries follow the life of `models.Delivery` (pending → claimed → sending → sent |
failed | uncertain, or pending again); the adapters do each step as one compare-and-set
statement, and the mailer decides which step to take, when and with what values (its
lease, its retries, its error texts).

The web pages read the database directly (`public_pages.py`, `feeds.py`, `open311*.py`,
`office.py`, …): they are queries for pages, not use cases, and stay out of these ports.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.notifier.models import (
    Contact,
    Delivery,
    DigestEntry,
    PublicCase,
    PublicTransfer,
    Redaction,
)


@dataclass(frozen=True)
class DigestState:
    """A digest's delivery as the consumer adding a line sees it."""

    id: int
    status: str


@dataclass(frozen=True)
class LineText:
    """One line of a digest as its mail shows it."""

    recipient_name: str  # as the line's event named the recipient
    text: str


@dataclass(frozen=True)
class Attempt:
    """What the mailer writes on a delivery once the transport has answered."""

    status: str  # sent | failed | uncertain | pending (given back)
    error: str | None
    attempts: int
    sent_at: datetime | None = None
    retry_at: datetime | None = None  # given back for later: also gives up the claim

    def columns(self) -> dict[str, object]:
        """The delivery's columns this attempt sets (both stores write exactly these)."""
        values: dict[str, object] = {
            "status": self.status,
            "last_error": self.error,
            "attempts": self.attempts,
        }
        if self.sent_at is not None:
            values["sent_at"] = self.sent_at
        if self.retry_at is not None:
            values["next_attempt_at"], values["claim_token"] = self.retry_at, None
        return values


class Contacts(Protocol):
    """The submitter of each case: private, never shown."""

    async def get(self, case_id: str) -> Contact | None: ...

    def add(self, contact: Contact) -> None: ...


class PublicCases(Protocol):
    """What the public may see of each case (the pages read the same rows)."""

    async def get(self, case_id: str) -> PublicCase | None: ...

    def add(self, case: PublicCase) -> None:
        """A newly registered case (its id or tracking code taken already raises)."""
        ...

    def save(self, case: PublicCase) -> None:
        """Keep the changes made to `case`."""
        ...


class Transfers(Protocol):
    """The public trace of each hop from an agency to another."""

    def add(self, transfer: PublicTransfer) -> None: ...


class Redactions(Protocol):
    """The redaction log: kind and place of each removed datum, never the value."""

    def add(self, redaction: Redaction) -> None: ...


class Deliveries(Protocol):
    """The e-mails to hand to SMTP: one per (event, recipient) at most."""

    async def staged(self, event_id: str, recipient: str) -> bool:
        """Whether a mail for `event_id` to `recipient` exists already."""
        ...

    def add(self, delivery: Delivery) -> None:
        """Stage a mail (its (event, recipient) taken already raises)."""
        ...

    async def insert(self, delivery: Delivery) -> int:
        """Stage a mail now rather than at the end of the transaction: its new id."""
        ...

    def save(self, delivery: Delivery) -> None:
        """Keep the changes made to `delivery` (a digest rendered at its claim)."""
        ...

    async def due(self, now: datetime, *, limit: int) -> list[int]:
        """The ids of the first `limit` pending deliveries whose attempt time has come
        by `now`, in the order they were staged."""
        ...

    async def claim(self, delivery_id: int, *, token: str, at: datetime) -> Delivery | None:
        """Take a pending delivery for `token` (compare-and-set: claimed, with `token` and
        `at`) and read it; None if it was not pending (another mailer was quicker)."""
        ...

    async def claim_many(
        self, delivery_ids: Sequence[int], *, token: str, at: datetime
    ) -> list[Delivery]:
        """`claim` for each of `delivery_ids` at once: those that were pending, claimed for
        `token`, in id order."""
        ...

    async def release(self, delivery_ids: Sequence[int], *, token: str) -> None:
        """Those of `delivery_ids` still claimed by `token` and not sending: pending again."""
        ...

    async def mark_sending(
        self, delivery_id: int, *, token: str, at: datetime | None = None
    ) -> bool:
        """claimed → sending, if `token` still holds the claim; the lease then runs from
        `at` (when given), the moment of sending, not from the claim."""
        ...

    async def record(self, delivery_id: int, *, token: str, attempt: Attempt) -> None:
        """Write `attempt` on the delivery, if `token` still holds it."""
        ...

    async def release_claims(self, *, claimed_before: datetime) -> None:
        """Claims taken before `claimed_before` and not sending: pending again, unclaimed."""
        ...

    async def abandon_sending(self, *, claimed_before: datetime, error: str) -> None:
        """Deliveries sending since a claim taken before `claimed_before`: uncertain."""
        ...


class Digests(Protocol):
    """The daily digests' lines (a digest itself is a delivery, keyed by its event id)."""

    async def holds(self, *, recipient: str, event_id: str) -> bool:
        """Whether a digest of `recipient` has a line for `event_id`."""
        ...

    async def share_locked(self, *, event_id: str, recipient: str) -> DigestState | None:
        """The digest delivery `event_id` of `recipient`, share-locked until the end of the
        transaction on PostgreSQL: a claim (an update) waits for it, it waits for a claim."""
        ...

    def add_line(self, line: DigestEntry) -> None:
        """A line of a digest (its event in that digest already raises)."""
        ...

    async def lines(self, digest_id: int) -> list[LineText]:
        """The lines of a digest in the order they were added."""
        ...


class UnitOfWork(Protocol):
    """One transaction on the notifier's storage: all of its work is kept, or none."""

    @property
    def contacts(self) -> Contacts: ...

    @property
    def cases(self) -> PublicCases: ...

    @property
    def transfers(self) -> Transfers: ...

    @property
    def redactions(self) -> Redactions: ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def digests(self) -> Digests: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A part of the transaction that an error inside the block takes back alone; a
        broken uniqueness rule raises at the block's end at the latest."""
        ...


class Storage(Protocol):
    """Where the notifier keeps its projection and its mails: it opens units of work."""

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work that commits when the block ends and rolls back if it raises."""
        ...
