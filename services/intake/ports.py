"""What the intake's use cases ask of storage: repositories and a unit of work, as Protocols.

Two adapters implement them: `sql_store` (the service's database, SQLite or PostgreSQL) and
`memory_store` (in memory: the unit tests, `pakn classify`). tests/unit/intake/
store_contract.py holds both to the same behaviour.

A write that breaks a uniqueness rule (a channel message or a tracking code registered
twice, a payload archived twice under one reference) raises `sqlalchemy.exc.IntegrityError`
from either adapter, by the end of the transaction at the latest: the error the consuming
pipeline recognises as a concurrent delivery of the same event.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.kit.outbox import Outbox

SERVICE = "intake"  # its name on the outbox and in the consumer pipeline


@dataclass(frozen=True)
class LetterQuery:
    """First cases (not duplicates) that a letter may be a copy of: the same phone, e-mail
    or folded name, received since `since`, the earliest `limit` of them."""

    phones: frozenset[str]
    emails: frozenset[str]
    names: frozenset[str]
    since: datetime
    limit: int
    other_channel_than: str | None = None  # a copy comes by another channel than this


@dataclass(frozen=True)
class RepeatQuery:
    """Cases an item may repeat: by one of `channels`, the same phone or e-mail, received
    between `since` and `until` (both included), the earliest `limit` of them."""

    phones: frozenset[str]
    emails: frozenset[str]
    channels: frozenset[str]
    since: datetime
    until: datetime
    limit: int


@dataclass(frozen=True)
class RawMark:
    """A raw payload's new state: registered as `case_id`, or failed with `error`."""

    raw_id: int
    status: str
    case_id: str | None = None
    error: str | None = None


class Cases(Protocol):
    """The register of cases."""

    async def by_channel_refs(self, pairs: Collection[tuple[str, str]]) -> list[IntakeCase]:
        """The cases whose (channel, channel_ref) is one of `pairs`."""
        ...

    async def letter_candidates(self, query: LetterQuery) -> list[IntakeCase]:
        """As `LetterQuery` says, the earliest received first."""
        ...

    async def repeat_candidates(self, query: RepeatQuery) -> list[IntakeCase]:
        """As `RepeatQuery` says, the earliest received first."""
        ...

    async def taken_codes(self, codes: Collection[str]) -> set[str]:
        """Which of `codes` are tracking codes on the register."""
        ...

    async def by_code(self, code: str) -> IntakeCase | None: ...

    async def add(self, cases: Sequence[IntakeCase], *, defer: bool = False) -> None:
        """Put `cases` on the register. A broken uniqueness rule raises here; with `defer`,
        at the latest when the transaction commits (a batch's rows then go together)."""
        ...


class RawArchive(Protocol):
    """Every payload a channel delivered, as received."""

    async def find(self, source: str, ref: str) -> RawPayload | None: ...

    async def by_event_id(self, event_id: str) -> RawPayload | None: ...

    def add(self, raw: RawPayload) -> None:
        """Archive `raw`; its `id` is set once the transaction has committed."""
        ...

    def save(self, raw: RawPayload) -> None:
        """Keep the changes made to `raw` (its status, error, body, case)."""
        ...

    async def remove_unregistered(self, raw_id: int) -> None:
        """Delete the payload, unless it was registered meanwhile."""
        ...

    async def states(self, source: str, refs: Collection[str]) -> dict[str, tuple[int, str]]:
        """(id, status) of the payloads of `source` archived under one of `refs`, by ref."""
        ...

    async def add_many(self, raws: Sequence[RawPayload]) -> dict[str, int]:
        """Archive `raws` (their refs distinct and new) at once: their ids, by ref."""
        ...

    async def mark(self, marks: Sequence[RawMark]) -> None: ...


class Attachments(Protocol):
    def add(self, attachment: IntakeAttachment) -> None: ...


class UnitOfWork(Protocol):
    """One transaction on the intake's storage: all of its work is kept, or none."""

    @property
    def cases(self) -> Cases: ...

    @property
    def raws(self) -> RawArchive: ...

    @property
    def attachments(self) -> Attachments: ...

    @property
    def outbox(self) -> Outbox: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A part of the transaction that an error inside the block takes back alone."""
        ...


class Storage(Protocol):
    """Where the intake keeps its register: it opens units of work."""

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work that commits when the block ends and rolls back if it raises."""
        ...

    async def refresh_statistics(self) -> None:
        """After a bulk load: let the store plan its lookups on the tables' new sizes."""
        ...
