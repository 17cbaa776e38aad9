"""The intake's ports in memory (services/intake/ports.py): the unit tests and `pakn classify`.

It behaves as the SQL adapter does (tests/unit/intake/store_contract.py): the same
uniqueness rules, raising the same `IntegrityError`; a transaction that raises leaves no
trace, nor does a savepoint that raises. Every write records how to take it back, and a
rollback takes the writes back, the latest first. Nothing here ever waits: each coroutine
finishes on its first step (`pakn classify` drives them without an event loop).

Cases are kept as given (the use cases never change a registered case); raw payloads,
whose status they do change, are kept and handed out as copies, like rows read from a
database. Transactions are not isolated from each other: one caller at a time.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from heapq import merge
from itertools import count, islice, takewhile

from sqlalchemy.exc import IntegrityError

from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.ports import LetterQuery, RawMark, RepeatQuery
from services.kit.memory_store import (
    MemoryOutbox,
    StagedEvent,
    Undo,
    copy_row,
    refused,
    roll_back,
    rolled_back_on_error,
    savepoint,
)


def _refused(rule: str) -> IntegrityError:
    return refused("in-memory register", rule)


@dataclass
class _Tables:
    """The rows (an open transaction's writes included) and the indexes the lookups use."""

    cases: dict[str, IntakeCase] = field(default_factory=dict)  # by id, in insertion order
    by_pair: dict[tuple[str, str], IntakeCase] = field(default_factory=dict)
    by_code: dict[str, IntakeCase] = field(default_factory=dict)
    # ("phone" | "email" | "name", value) → its cases, the earliest received first
    by_contact: dict[tuple[str, str], list[IntakeCase]] = field(default_factory=dict)
    raws: dict[int, RawPayload] = field(default_factory=dict)
    raw_by_ref: dict[tuple[str, str], int] = field(default_factory=dict)
    raw_ids: Iterator[int] = field(default_factory=lambda: count(1))
    attachments: list[IntakeAttachment] = field(default_factory=list)
    outbox: list[StagedEvent] = field(default_factory=list)


def _received(case: IntakeCase) -> datetime:
    return case.received_at


def _contacts(case: IntakeCase) -> list[tuple[str, str]]:
    pairs = (("phone", case.phone), ("email", case.email), ("name", case.name_folded))
    return [pair for pair in pairs if pair[1]]


class MemoryCases:
    def __init__(self, tables: _Tables, undo: list[Undo]) -> None:
        self._t, self._undo = tables, undo

    async def by_channel_refs(self, pairs: Collection[tuple[str, str]]) -> list[IntakeCase]:
        return [case for pair in set(pairs) if (case := self._t.by_pair.get(pair)) is not None]

    async def letter_candidates(self, query: LetterQuery) -> list[IntakeCase]:
        keys = [
            *(("phone", p) for p in query.phones),
            *(("email", e) for e in query.emails),
            *(("name", n) for n in query.names),
        ]
        found = (
            case
            for case in self._near(keys, since=query.since)
            if case.duplicate_of is None and case.channel != query.other_channel_than
        )
        return list(islice(found, query.limit))

    async def repeat_candidates(self, query: RepeatQuery) -> list[IntakeCase]:
        keys = [*(("phone", p) for p in query.phones), *(("email", e) for e in query.emails)]
        near = self._near(keys, since=query.since)
        within = takewhile(lambda case: case.received_at <= query.until, near)
        found = (case for case in within if case.channel in query.channels)
        return list(islice(found, query.limit))

    def _near(self, keys: Iterable[tuple[str, str]], *, since: datetime) -> Iterator[IntakeCase]:
        """The cases with any of `keys` (phone, e-mail or name) received since `since`, each
        once, the earliest first; read lazily, so a name that thousands share costs little."""
        runs = []
        for key in keys:
            cases = self._t.by_contact.get(key, [])
            start = bisect_left(cases, since, key=_received)
            runs.append(map(cases.__getitem__, range(start, len(cases))))
        seen: set[str] = set()
        for case in merge(*runs, key=_received):
            if case.id not in seen:
                seen.add(case.id)
                yield case

    async def taken_codes(self, codes: Collection[str]) -> set[str]:
        return {code for code in codes if code in self._t.by_code}

    async def by_code(self, code: str) -> IntakeCase | None:
        return self._t.by_code.get(code)

    async def add(self, cases: Sequence[IntakeCase], *, defer: bool = False) -> None:
        for case in cases:  # a broken rule raises at once, deferred or not
            self._add(case)

    def _add(self, case: IntakeCase) -> None:
        t = self._t
        pair = (case.channel, case.channel_ref) if case.channel_ref is not None else None
        if case.id in t.cases:
            raise _refused("a case id twice")
        if case.tracking_code in t.by_code:
            raise _refused("a tracking code twice")
        if pair is not None and pair in t.by_pair:
            raise _refused("a channel message twice")
        t.cases[case.id] = case
        t.by_code[case.tracking_code] = case
        if pair is not None:
            t.by_pair[pair] = case
        for key in _contacts(case):
            insort(t.by_contact.setdefault(key, []), case, key=_received)
        self._undo.append(lambda: self._remove(case, pair))

    def _remove(self, case: IntakeCase, pair: tuple[str, str] | None) -> None:
        t = self._t
        del t.cases[case.id], t.by_code[case.tracking_code]
        if pair is not None:
            del t.by_pair[pair]
        for key in _contacts(case):
            t.by_contact[key].remove(case)


class MemoryRawArchive:
    def __init__(self, tables: _Tables, undo: list[Undo]) -> None:
        self._t, self._undo = tables, undo

    async def find(self, source: str, ref: str) -> RawPayload | None:
        raw_id = self._t.raw_by_ref.get((source, ref))
        return None if raw_id is None else copy_row(self._t.raws[raw_id])

    async def by_event_id(self, event_id: str) -> RawPayload | None:
        found = (raw for raw in self._t.raws.values() if raw.event_id == event_id)
        return next((copy_row(raw) for raw in found), None)

    def add(self, raw: RawPayload) -> None:
        ref = (raw.source, raw.source_ref)
        if ref in self._t.raw_by_ref:
            raise _refused("a payload archived twice under one reference")
        raw.id = next(self._t.raw_ids)
        self._t.raw_by_ref[ref] = raw.id
        self._put(copy_row(raw))
        self._undo.append(lambda: self._t.raw_by_ref.pop(ref))

    def save(self, raw: RawPayload) -> None:
        if raw.id in self._t.raws:
            self._put(copy_row(raw))

    def _put(self, raw: RawPayload) -> None:
        assert raw.id is not None
        raw_id, before = raw.id, self._t.raws.get(raw.id)
        self._t.raws[raw_id] = raw
        self._undo.append(lambda: self._restore(raw_id, before))

    def _restore(self, raw_id: int, before: RawPayload | None) -> None:
        if before is None:
            del self._t.raws[raw_id]
        else:
            self._t.raws[raw_id] = before

    async def remove_unregistered(self, raw_id: int) -> None:
        raw = self._t.raws.get(raw_id)
        if raw is None or raw.status == "registered":
            return
        ref = (raw.source, raw.source_ref)
        del self._t.raws[raw_id], self._t.raw_by_ref[ref]
        self._undo.append(lambda: self._t.raws.__setitem__(raw_id, raw))
        self._undo.append(lambda: self._t.raw_by_ref.__setitem__(ref, raw_id))

    async def states(self, source: str, refs: Collection[str]) -> dict[str, tuple[int, str]]:
        found = {ref: self._t.raw_by_ref.get((source, ref)) for ref in refs}
        return {ref: (i, self._t.raws[i].status) for ref, i in found.items() if i is not None}

    async def add_many(self, raws: Sequence[RawPayload]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for raw in raws:
            self.add(raw)
            assert raw.id is not None
            ids[raw.source_ref] = raw.id
        return ids

    async def mark(self, marks: Sequence[RawMark]) -> None:
        for mark in marks:
            if (raw := self._t.raws.get(mark.raw_id)) is not None:
                changed = copy_row(raw)
                changed.status, changed.case_id, changed.error = (
                    mark.status,
                    mark.case_id,
                    mark.error,
                )
                self._put(changed)


class MemoryAttachments:
    def __init__(self, tables: _Tables, undo: list[Undo]) -> None:
        self._t, self._undo = tables, undo

    def add(self, attachment: IntakeAttachment) -> None:
        self._t.attachments.append(attachment)
        self._undo.append(self._t.attachments.pop)


class MemoryUnitOfWork:
    def __init__(self, tables: _Tables) -> None:
        self.undo: list[Undo] = []
        self.cases = MemoryCases(tables, self.undo)
        self.raws = MemoryRawArchive(tables, self.undo)
        self.attachments = MemoryAttachments(tables, self.undo)
        self.outbox = MemoryOutbox(tables.outbox, self.undo)

    def rollback(self) -> None:
        roll_back(self.undo)

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return savepoint(self.undo)


class MemoryStorage:
    """The intake's storage in memory; `tables` holds what committed transactions wrote."""

    def __init__(self) -> None:
        self.tables = _Tables()

    def transaction(self) -> AbstractAsyncContextManager[MemoryUnitOfWork]:
        return rolled_back_on_error(MemoryUnitOfWork(self.tables))

    async def refresh_statistics(self) -> None:
        """Nothing to refresh: a dictionary plans nothing."""

    @property
    def outbox(self) -> list[StagedEvent]:
        return self.tables.outbox
