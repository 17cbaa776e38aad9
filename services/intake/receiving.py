"""Every channel's way in: keep the raw payload first, then validate, store files, register.

The raw bytes are committed before anything reads them, so a payload that fails to parse,
or a crash half-way, still leaves the original with the office (`/noi-bo/loi-tiep-nhan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy.exc import IntegrityError

from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.attachments import AttachmentStore, CheckedFile
from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.ports import Storage, UnitOfWork
from services.intake.problems import Problem
from services.intake.register import (
    DEFAULT_BOUNDS,
    ReceivedBounds,
    RegisterRead,
    Registration,
    normalised,
    read_register,
    register_many,
    register_submission,
    storable,
)
from services.kit.db import Database

MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class Archived:
    raw: RawPayload
    new: bool  # False: this (source, reference) was archived before


class Receiver:
    def __init__(
        self,
        *,
        storage: Storage,
        db: Database,
        topics: Topics,
        store: AttachmentStore,
    ) -> None:
        """`storage` keeps what the channels deliver; `db` is the same database, for the
        pages that read it directly (the staff lists, the receipt's routing). The commit
        of a registration wakes the outbox relay (kit.outbox)."""
        self.storage, self.db, self.topics, self.store = storage, db, topics, store

    async def archive(
        self, source: str, body: bytes, *, ref: str | None = None, error: str | None = None
    ) -> Archived:
        """Commit the raw bytes; a (source, ref) seen before returns the row kept then."""
        raw = RawPayload(source=source[:255], source_ref=(ref or uuid4().hex)[:255], body=body)
        if error is not None:
            raw.status, raw.error = "failed", safe_text(error)
        if ref is not None and (known := await self._known(raw)) is not None:
            return Archived(known, new=False)
        try:
            async with self.storage.transaction() as uow:
                uow.raws.add(raw)
        except IntegrityError:
            known = await self._known(raw)  # archived meanwhile by a concurrent delivery
            if known is None:
                raise
            return Archived(known, new=False)
        return Archived(raw, new=True)

    async def _known(self, raw: RawPayload) -> RawPayload | None:
        async with self.storage.transaction() as uow:
            return await uow.raws.find(raw.source, raw.source_ref)

    async def fail(
        self,
        raw: RawPayload,
        problems: Sequence[Problem] | str,
        *,
        keep_bytes: int | None = None,
    ) -> None:
        """Mark the payload as not readable, with why: the office sees it in its list.
        With `keep_bytes`, only the start of the body stays archived."""
        text = problems if isinstance(problems, str) else " ".join(map(str, problems))
        raw.status, raw.error = "failed", safe_text(text)
        if keep_bytes is not None and len(raw.body) > keep_bytes:
            raw.body = raw.body[:keep_bytes]
        async with self.storage.transaction() as uow:
            uow.raws.save(raw)

    async def discard(self, raw: RawPayload) -> None:
        """Remove an archived payload that will not be kept (a client over its quota)."""
        if raw.id is None:
            return
        async with self.storage.transaction() as uow:
            await uow.raws.remove_unregistered(raw.id)

    async def register(
        self,
        raw: RawPayload,
        submission: Submission,
        files: Sequence[CheckedFile] = (),
        *,
        bounds: ReceivedBounds = DEFAULT_BOUNDS,
    ) -> Registration:
        """Store the files, then register the item and link them, in one transaction."""
        for file in files:
            await self.store.put(file)
        async with self.storage.transaction() as uow:
            registration = await register_into(
                uow,
                raw=raw,
                submission=submission,
                topics=self.topics,
                files=files,
                bounds=bounds,
            )
        return registration

    async def case_by_code(self, code: str) -> IntakeCase | None:
        async with self.storage.transaction() as uow:
            return await uow.cases.by_code(code)


def safe_text(text: str) -> str:
    """An error message as PostgreSQL stores it (it may quote what the sender typed)."""
    return str(storable(text))[:MAX_ERROR_CHARS]


async def register_into(
    uow: UnitOfWork,
    *,
    raw: RawPayload,
    submission: Submission,
    topics: Topics,
    files: Sequence[CheckedFile] = (),
    bounds: ReceivedBounds = DEFAULT_BOUNDS,
) -> Registration:
    """Register in the caller's unit of work; the raw payload points at its case."""
    registration = await register_submission(
        uow, submission=submission, topics=topics, bounds=bounds
    )
    case = registration.case
    if registration.created:
        for file in files:
            uow.attachments.add(
                IntakeAttachment(
                    case_id=case.id,
                    raw_id=raw.id,
                    sha256=file.sha256,
                    filename=file.filename,
                    media_type=file.media_type,
                    size=len(file.data),
                )
            )
    raw.status, raw.case_id, raw.error = "registered", case.id, None
    uow.raws.save(raw)
    return registration


async def read_delivered(
    uow: UnitOfWork, *, events: Sequence[SubmissionReceived], bounds: ReceivedBounds
) -> RegisterRead:
    """What the register holds for a batch of the intake topic, read in a few queries before
    its first event (`register_delivered`'s `read`). Items out of bounds are left out: each
    of them fails alone in its turn."""
    submissions = [e.submission for e in events]
    within = [s for s in submissions if bounds.problem(s.received_at) is None]
    return await read_register(uow.cases, normalised(within))


async def register_delivered(
    uow: UnitOfWork,
    *,
    event: SubmissionReceived,
    topics: Topics,
    bounds: ReceivedBounds = DEFAULT_BOUNDS,
    read: RegisterRead | None = None,
) -> Registration:
    """Register an item the intake topic delivered, in the consumer's unit of work (with
    `read`, what `read_delivered` found for its batch in this transaction); its archived
    payload, when the pipeline kept one, points at its case."""
    (registration,) = await register_many(
        uow,
        submissions=[event.submission],
        topics=topics,
        bounds=bounds,
        correlation_ids=[event.correlation_id],  # the producer finds its outcome by it
        read=read,
    )
    raw = await uow.raws.by_event_id(event.event_id)
    if raw is not None:
        raw.status, raw.case_id = "registered", registration.case.id
        uow.raws.save(raw)
    return registration
