"""`pakn import FILE`: register a flat-format file (.jsonl or .csv) into the intake database.

The file is streamed: lines are read with the same reader as `pakn classify`, and each
line's own bytes are archived (for CSV with the header row, so the archived copy reads on
its own) before the line is registered through the register use case, a batch at a time.
Rerunning the same file registers nothing twice: a line already archived is skipped, and
a line whose `id` is already on the register is the same item (`channel_ref`).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, count, islice
from pathlib import Path

from sqlalchemy import bindparam, text
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.topics import Topics
from services.intake.case_record import NO_NOTIFY
from services.intake.flatfile import FlatLine, csv_text, read_flat, sniff_encoding, text_lines
from services.intake.models import IntakeCase, RawPayload
from services.intake.receiving import safe_text
from services.intake.register import Registration, register_many
from services.kit.columns import utc_now
from services.kit.db import Database, is_sqlite

log = logging.getLogger(__name__)
SOURCE = "import"
# Core statements on the raw archive: a batch is one round trip, not one per line.
RAW = SQLModel.metadata.tables[RawPayload.__tablename__]
MARK = (
    sa_update(RAW)
    .where(RAW.c.id == bindparam("raw_id"))
    .values(
        status=bindparam("new_status"), case_id=bindparam("new_case"), error=bindparam("new_error")
    )
)
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
        db: Database,
        topics: Topics,
        name: str,
        batch_size: int = BATCH,
        notify: bool = True,
    ) -> None:
        """`notify=False` (`pakn import --no-notify`): a backlog; the registered cases carry
        `CaseFacts.notify_submitter = false` and the notifier mails none of their submitters."""
        self.db, self.topics, self.name, self.batch_size = db, topics, name, batch_size
        self.notify = notify
        self.summary = ImportSummary()
        self._analyze = not is_sqlite(db.url)

    async def run(
        self, lines: Iterator[ImportLine], *, on_batch: Callable[[int], object] = lambda _: None
    ) -> ImportSummary:
        for number in count(1):
            if not (batch := list(islice(lines, self.batch_size))):
                break
            await self.import_batch(batch)
            if number & (number - 1) == 0:  # batches 1, 2, 4, 8…: each time the tables doubled
                await self._refresh_statistics()
            on_batch(batch[-1].line.line_no)
        return self.summary

    async def _refresh_statistics(self) -> None:
        """A bulk load outruns PostgreSQL's autovacuum: on stale statistics the planner takes
        the growing tables for empty and scans them whole for every batch (quadratic)."""
        if not self._analyze:
            return
        try:
            async with self.db.transaction() as session:
                connection = await session.connection()
                for table in (RawPayload.__tablename__, IntakeCase.__tablename__):
                    await connection.execute(text(f"ANALYZE {table}"))
        except DBAPIError as error:  # not the tables' owner: slower, still correct
            log.warning("pakn import: cannot refresh statistics (%s)", error.orig)
            self._analyze = False

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
        async with self.db.transaction() as session:
            try:
                async with session.begin_nested():
                    done: list[Registration | None] = list(await self._register(session, work))
            except (IntegrityError, DBAPIError):  # one line the database refuses: find it
                done = [await self._register_alone(session, raw_id, i) for raw_id, i in work]
        for registration in done:
            if registration is not None:
                self._count(registration)

    async def _archive(self, batch: list[ImportLine]) -> dict[str, int]:
        """Raw row ids to work on, by line hash: new lines, lines a crash left unread, and
        lines that failed before (reported again, never registered)."""
        refs = {item.ref for item in batch}
        async with self.db.transaction() as session:
            query = select(
                col(RawPayload.source_ref),
                col(RawPayload.id),
                col(RawPayload.status),
                col(RawPayload.source),
            ).where(col(RawPayload.source_ref).in_(refs))  # by its own index: see 0002_intake
            found = await session.exec(query)
            known = {
                ref: (raw_id or 0, status)
                for ref, raw_id, status, source in found
                if source == SOURCE
            }
            new: dict[str, dict[str, object]] = {}
            for item in batch:
                if item.ref not in known and item.ref not in new:
                    new[item.ref] = self._raw_row(item)
            if new:
                insert = sa_insert(RAW).returning(RAW.c.source_ref, RAW.c.id)
                connection = await session.connection()
                rows = (await connection.execute(insert, list(new.values()))).all()
                known.update({ref: (raw_id, "new") for ref, raw_id in rows})
        return {ref: raw_id for ref, (raw_id, status) in known.items() if status != "registered"}

    def _raw_row(self, item: ImportLine) -> dict[str, object]:
        error = item.line.error
        note = safe_text(f"{self.name}, dòng {item.line.line_no}: {error}") if error else None
        return {
            "source": SOURCE,
            "source_ref": item.ref,
            "received_at": utc_now(),
            "body": item.raw,
            "status": "failed" if error else "received",
            "error": note,
        }

    async def _register(
        self, session: AsyncSession, work: list[tuple[int, ImportLine]]
    ) -> list[Registration]:
        submissions = [item.line.submission for _, item in work if item.line.submission]
        if not self.notify:
            submissions = [
                s.model_copy(update={"extra": {**s.extra, NO_NOTIFY: True}}) for s in submissions
            ]
        if not submissions:
            return []
        done = await register_many(session, submissions=submissions, topics=self.topics)
        marks = [
            {"raw_id": raw_id, "new_status": "registered", "new_case": r.case.id, "new_error": None}
            for (raw_id, _), r in zip(work, done, strict=True)
        ]
        if marks:
            await (await session.connection()).execute(MARK, marks)
        return done

    async def _register_alone(
        self, session: AsyncSession, raw_id: int, item: ImportLine
    ) -> Registration | None:
        try:
            async with session.begin_nested():
                (registration,) = await self._register(session, [(raw_id, item)])
        except (IntegrityError, DBAPIError) as error:
            note = safe_text(
                f"{self.name}, dòng {item.line.line_no}: cơ sở dữ liệu không nhận dòng này "
                f"({type(error).__name__})"
            )
            mark = {"raw_id": raw_id, "new_status": "failed", "new_case": None, "new_error": note}
            await (await session.connection()).execute(MARK, [mark])
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
