"""The notifier's ports in memory (services/notifier/ports.py), for the unit tests.

It behaves as the SQL adapter does (tests/unit/notifier/store_contract.py): the same
uniqueness rules as the tables, raising the same `IntegrityError`; a transaction or a
savepoint that raises leaves no trace. Every write records how to take it back, and a
rollback takes the writes back, the latest first. Nothing here ever waits, so a
compare-and-set (a claim) is atomic; transactions are not isolated from each other and
nothing is locked: one caller at a time, or callers that only compare-and-set.

Rows are kept as copies and handed out as copies, like rows read from a database: a change
to a row is kept only when the use case hands it back (`save`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from services.kit.memory_store import (
    Undo,
    copy_row,
    refused,
    roll_back,
    rolled_back_on_error,
    savepoint,
)
from services.notifier.models import (
    Contact,
    Delivery,
    DigestEntry,
    PublicCase,
    PublicTransfer,
    Redaction,
)
from services.notifier.ports import Attempt, DigestState, LineText

Row = TypeVar("Row", bound=SQLModel)
K = TypeVar("K")
MailKey = tuple[str, str]  # event_id, recipient: one delivery each


def _refused(rule: str) -> IntegrityError:
    return refused("in-memory notifier store", rule)


@dataclass
class Tables:
    """What committed transactions wrote."""

    contacts: dict[str, Contact] = field(default_factory=dict)
    cases: dict[str, PublicCase] = field(default_factory=dict)
    transfers: list[PublicTransfer] = field(default_factory=list)
    redactions: list[Redaction] = field(default_factory=list)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    lines: dict[int, DigestEntry] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: count(1))


class _Writes:
    """Writes on the tables, each undone on rollback."""

    def __init__(self, tables: Tables, undo: list[Undo]) -> None:
        self._t, self._undo = tables, undo

    def _put(self, table: dict[K, Row], key: K, row: Row) -> None:
        before = table.get(key)
        table[key] = copy_row(row)
        self._undo.append(lambda: _restore(table, key, before))

    def _append(self, table: list[Row], row: Row) -> None:
        table.append(copy_row(row))
        self._undo.append(table.pop)

    def _new_id(self, row: Any) -> int:
        if row.id is None:
            row.id = next(self._t.ids)
        return int(row.id)


def _restore(table: dict[K, Row], key: K, before: Row | None) -> None:
    if before is None:
        del table[key]
    else:
        table[key] = before


def _copy(row: Row | None) -> Row | None:
    return None if row is None else copy_row(row)


class MemoryContacts(_Writes):
    async def get(self, case_id: str) -> Contact | None:
        return _copy(self._t.contacts.get(case_id))

    def add(self, contact: Contact) -> None:
        if contact.case_id in self._t.contacts:
            raise _refused("a case's submitter kept twice")
        self._put(self._t.contacts, contact.case_id, contact)


class MemoryPublicCases(_Writes):
    async def get(self, case_id: str) -> PublicCase | None:
        return _copy(self._t.cases.get(case_id))

    def add(self, case: PublicCase) -> None:
        if case.case_id in self._t.cases:
            raise _refused("a case projected twice")
        self.save(case)

    def save(self, case: PublicCase) -> None:
        if any(
            other.tracking_code == case.tracking_code and other.case_id != case.case_id
            for other in self._t.cases.values()
        ):
            raise _refused("a tracking code for two cases")
        self._put(self._t.cases, case.case_id, case)


class MemoryTransfers(_Writes):
    def add(self, transfer: PublicTransfer) -> None:
        self._new_id(transfer)
        self._append(self._t.transfers, transfer)


class MemoryRedactions(_Writes):
    def add(self, redaction: Redaction) -> None:
        self._new_id(redaction)
        self._append(self._t.redactions, redaction)


def _mail_key(delivery: Delivery) -> MailKey:
    return (delivery.event_id, delivery.recipient)


class MemoryDeliveries(_Writes):
    def _find(self, key: MailKey) -> Delivery | None:
        return next((d for d in self._t.deliveries.values() if _mail_key(d) == key), None)

    async def staged(self, event_id: str, recipient: str) -> bool:
        return self._find((event_id, recipient)) is not None

    def add(self, delivery: Delivery) -> None:
        if self._find(_mail_key(delivery)) is not None:
            raise _refused("a second mail for one event and recipient")
        self._put(self._t.deliveries, self._new_id(delivery), delivery)

    async def insert(self, delivery: Delivery) -> int:
        self.add(delivery)
        assert delivery.id is not None
        return delivery.id

    def save(self, delivery: Delivery) -> None:
        assert delivery.id in self._t.deliveries, "a delivery is added before it is saved"
        self._put(self._t.deliveries, delivery.id, delivery)

    async def due(self, now: datetime, *, limit: int) -> list[int]:
        rows = self._t.deliveries.values()
        ids = [d.id for d in rows if d.status == "pending" and d.next_attempt_at <= now]
        return sorted(i for i in ids if i is not None)[:limit]

    def _change(self, delivery_id: int, want: dict[str, Any], **values: Any) -> bool:
        row = self._t.deliveries.get(delivery_id)
        if row is None or any(getattr(row, name) != value for name, value in want.items()):
            return False
        changed = copy_row(row)
        for name, value in values.items():
            setattr(changed, name, value)
        self._put(self._t.deliveries, delivery_id, changed)
        return True

    async def claim(self, delivery_id: int, *, token: str, at: datetime) -> Delivery | None:
        values = {"status": "claimed", "claim_token": token, "claimed_at": at}
        if not self._change(delivery_id, {"status": "pending"}, **values):
            return None
        return copy_row(self._t.deliveries[delivery_id])

    async def claim_many(
        self, delivery_ids: Sequence[int], *, token: str, at: datetime
    ) -> list[Delivery]:
        found = [await self.claim(i, token=token, at=at) for i in sorted(set(delivery_ids))]
        return [delivery for delivery in found if delivery is not None]

    async def release(self, delivery_ids: Sequence[int], *, token: str) -> None:
        want = {"status": "claimed", "claim_token": token}
        for delivery_id in delivery_ids:
            self._change(delivery_id, want, status="pending", claim_token=None)

    async def mark_sending(
        self, delivery_id: int, *, token: str, at: datetime | None = None
    ) -> bool:
        want = {"status": "claimed", "claim_token": token}
        lease = {} if at is None else {"claimed_at": at}
        return self._change(delivery_id, want, status="sending", **lease)

    async def record(self, delivery_id: int, *, token: str, attempt: Attempt) -> None:
        self._change(delivery_id, {"claim_token": token}, **attempt.columns())

    def _stale(self, status: str, claimed_before: datetime) -> list[int]:
        return [
            i
            for i, d in self._t.deliveries.items()
            if d.status == status and d.claimed_at is not None and d.claimed_at < claimed_before
        ]

    async def release_claims(self, *, claimed_before: datetime) -> None:
        for i in self._stale("claimed", claimed_before):
            self._change(i, {}, status="pending", claim_token=None)

    async def abandon_sending(self, *, claimed_before: datetime, error: str) -> None:
        for i in self._stale("sending", claimed_before):
            self._change(i, {}, status="uncertain", last_error=error)


class MemoryDigests(_Writes):
    async def holds(self, *, recipient: str, event_id: str) -> bool:
        return any(
            line.event_id == event_id and self._t.deliveries[line.digest_id].recipient == recipient
            for line in self._t.lines.values()
        )

    async def share_locked(self, *, event_id: str, recipient: str) -> DigestState | None:
        found = MemoryDeliveries(self._t, self._undo)._find((event_id, recipient))
        if found is None or found.id is None:
            return None
        return DigestState(found.id, found.status)

    def add_line(self, line: DigestEntry) -> None:
        if line.digest_id not in self._t.deliveries:
            raise _refused("a line of no digest")
        if any(
            (other.digest_id, other.event_id) == (line.digest_id, line.event_id)
            for other in self._t.lines.values()
        ):
            raise _refused("an event twice in one digest")
        self._put(self._t.lines, self._new_id(line), line)

    async def lines(self, digest_id: int) -> list[LineText]:
        rows = sorted((i, line) for i, line in self._t.lines.items() if line.digest_id == digest_id)
        return [LineText(line.recipient_name, line.text) for _, line in rows]


class MemoryUnitOfWork:
    def __init__(self, tables: Tables) -> None:
        self.undo: list[Undo] = []
        self.contacts = MemoryContacts(tables, self.undo)
        self.cases = MemoryPublicCases(tables, self.undo)
        self.transfers = MemoryTransfers(tables, self.undo)
        self.redactions = MemoryRedactions(tables, self.undo)
        self.deliveries = MemoryDeliveries(tables, self.undo)
        self.digests = MemoryDigests(tables, self.undo)

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return savepoint(self.undo)

    def rollback(self) -> None:
        roll_back(self.undo)


class MemoryStorage:
    """The notifier's storage in memory; `tables` holds what committed transactions wrote."""

    def __init__(self) -> None:
        self.tables = Tables()

    def transaction(self) -> AbstractAsyncContextManager[MemoryUnitOfWork]:
        return rolled_back_on_error(MemoryUnitOfWork(self.tables))
