"""`pakn import FILE`: register a flat-format file (.jsonl or .csv) into the intake database.

The file is streamed: lines are read with the same reader as `pakn classify`, and each
line's own bytes are archived (for CSV with the header row, so the archived copy reads on
its own) before the line is registered through the register use case, a batch at a time.
Rerunning the same file registers nothing twice: a line already archived is skipped, and
a line whose `id` is already on the register is the same item (`channel_ref`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, count, islice
from pathlib import Path

from sqlalchemy.exc import DBAPIError, IntegrityError

from schemas.topics import Topics
from services.intake.case_record import NO_NOTIFY
from services.intake.flatfile import FlatLine, csv_text, read_flat, sniff_encoding, text_lines
from services.intake.models import RawPayload
from services.intake.ports import RawMark, Storage, UnitOfWork
from services.intake.receiving import safe_text
from services.intake.register import Registration, register_many

SOURCE = "import"
# What a store raises for a line it will not take (a constraint, a value it cannot hold).
REFUSED = (IntegrityError, DBAPIError)
BATCH = 250
SHOWN_MALFORMED = 1000  # line numbers listed in the summary; the rest are counted


@dataclass(frozen=True)
class ImportLine:
    line: FlatLine
    raw: bytes

    @property
    def ref(self) -> str:
        return "sha256:" + hashlib.sha256(self.raw).hexdigest()


@dataclass
class ImportSummary:
    read: int = 0
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    already: int = 0  # seen on an earlier run, or the same channel reference
    malformed: int = 0
    malformed_lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.accepted + self.refused.total()

    def bad_line(self, line_no: int, error: str) -> None:
        self.malformed += 1
        if len(self.malformed_lines) < SHOWN_MALFORMED:
            self.malformed_lines.append((line_no, error))


def lines_with_raw(path: Path) -> Iterator[ImportLine]:
    """Each line the flat reader yields, with the bytes it was read from (a UTF-16 file's
    lines, and any file's lines without their BOM, in UTF-8).

    `FlatFileError` before the first line when the file cannot be read at all."""
    encoding = sniff_encoding(path)
    lines = read_flat(path, encoding=encoding)
    first = next(lines, None)  # the header and the encoding are checked before any line
    if first is None:
        return
    raw_lines = _physical_lines(path, encoding)
    header = next(raw_lines, b"") if path.suffix.lower() == ".csv" else b""
    position = 1 if header else 0
    for line in chain([first], lines):
        chunk = []
        while position < line.line_no:
            chunk.append(next(raw_lines, b""))
            position += 1
        yield ImportLine(line, header + b"".join(chunk).strip(b"\r\n"))


def _physical_lines(path: Path, encoding: str) -> Iterator[bytes]:
    """Lines split as each reader splits them (CSV: universal newlines), as bytes."""
    with path.open("rb") as handle:
        if path.suffix.lower() != ".csv":
            yield from text_lines(handle, encoding)
            return
        for line in csv_text(handle, encoding):
            yield line.encode("utf-8", errors="surrogateescape")


class Importer:
    def __init__(
        self,
        *,
        storage: Storage,
        topics: Topics,
        name: str,
        batch_size: int = BATCH,
        notify: bool = True,
    ) -> None:
        """`notify=False` (`pakn import --no-notify`): a backlog; the registered cases carry
        `CaseFacts.notify_submitter = false` and the notifier mails none of their submitters."""
        self.storage, self.topics, self.name = storage, topics, name
        self.batch_size, self.notify = batch_size, notify
        self.summary = ImportSummary()

    async def run(
        self, lines: Iterator[ImportLine], *, on_batch: Callable[[int], object] = lambda _: None
    ) -> ImportSummary:
        for number in count(1):
            if not (batch := list(islice(lines, self.batch_size))):
                break
            await self.import_batch(batch)
            if number & (number - 1) == 0:  # batches 1, 2, 4, 8…: each time the tables doubled
                # A bulk load outruns PostgreSQL's autovacuum: on stale statistics its planner
                # takes the growing tables for empty and scans them whole (quadratic).
                await self.storage.refresh_statistics()
            on_batch(batch[-1].line.line_no)
        return self.summary

    async def import_batch(self, batch: list[ImportLine]) -> None:
        """Archive the batch's lines (committed first), then register them together."""
        self.summary.read += len(batch)
        raw_ids = await self._archive(batch)
        work: list[tuple[int, ImportLine]] = []
        for item in batch:
            raw_id = raw_ids.pop(item.ref, None)
            if raw_id is None:
                self.summary.already += 1  # imported before, or twice in this file
            elif item.line.submission is None:
                self.summary.bad_line(item.line.line_no, item.line.error or "?")
            else:
                work.append((raw_id, item))
        async with self.storage.transaction() as uow:
            try:
                async with uow.savepoint():
                    done: list[Registration | None] = list(await self._register(uow, work))
            except REFUSED:  # one line the store refuses: find it
                done = [await self._register_alone(uow, raw_id, i) for raw_id, i in work]
        for registration in done:
            if registration is not None:
                self._count(registration)

    async def _archive(self, batch: list[ImportLine]) -> dict[str, int]:
        """Raw row ids to work on, by line hash: new lines, lines a crash left unread, and
        lines that failed before (reported again, never registered)."""
        async with self.storage.transaction() as uow:
            known = await uow.raws.states(SOURCE, {item.ref for item in batch})
            new: dict[str, RawPayload] = {}
            for item in batch:
                if item.ref not in known and item.ref not in new:
                    new[item.ref] = self._raw_row(item)
            added = await uow.raws.add_many(list(new.values()))
            known.update({ref: (raw_id, "new") for ref, raw_id in added.items()})
        return {ref: raw_id for ref, (raw_id, status) in known.items() if status != "registered"}

    def _raw_row(self, item: ImportLine) -> RawPayload:
        error = item.line.error
        note = safe_text(f"{self.name}, dòng {item.line.line_no}: {error}") if error else None
        return RawPayload(
            source=SOURCE,
            source_ref=item.ref,
            body=item.raw,
            status="failed" if error else "received",
            error=note,
        )

    async def _register(
        self, uow: UnitOfWork, work: list[tuple[int, ImportLine]]
    ) -> list[Registration]:
        submissions = [item.line.submission for _, item in work if item.line.submission]
        if not self.notify:
            submissions = [
                s.model_copy(update={"extra": {**s.extra, NO_NOTIFY: True}}) for s in submissions
            ]
        if not submissions:
            return []
        done = await register_many(uow, submissions=submissions, topics=self.topics)
        await uow.raws.mark(
            [
                RawMark(raw_id, "registered", case_id=r.case.id)
                for (raw_id, _), r in zip(work, done, strict=True)
            ]
        )
        return done

    async def _register_alone(
        self, uow: UnitOfWork, raw_id: int, item: ImportLine
    ) -> Registration | None:
        try:
            async with uow.savepoint():
                (registration,) = await self._register(uow, [(raw_id, item)])
        except REFUSED as error:
            note = safe_text(
                f"{self.name}, dòng {item.line.line_no}: cơ sở dữ liệu không nhận dòng này "
                f"({type(error).__name__})"
            )
            await uow.raws.mark([RawMark(raw_id, "failed", error=note)])
            self.summary.bad_line(item.line.line_no, note)
            return None
        return registration

    def _count(self, registration: Registration) -> None:
        case = registration.case
        if not registration.created:
            self.summary.already += 1
        elif case.status == "accepted":
            self.summary.accepted += 1
        else:
            self.summary.refused[case.reason or "?"] += 1
