"""A batch of case events reads its public cases, contacts and staged mails in three queries
(`sql_store.prefetch`, the pipeline's `prepare`), not each event on its own (issue 12), and
ends exactly as the same events handled one by one. Counted in the statements sent to a
SQLite database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from schemas.events import CaseEvent
from schemas.topics import Topics
from services.kit import wakeups
from services.kit.consumer import Pipeline
from services.kit.transport import InMemoryBus, Message
from services.notifier import service as notifier_service
from services.notifier.models import Contact, Delivery, PublicCase
from services.notifier.service import NotifierService
from services.notifier.sql_store import MAIL
from tests.component.notifier.test_digest_lines import recorded
from tests.unit.notifier.builders import accepted, apply, migrated_notifier, routed

CASES = 12
LOOKUPS = ("notifier_public_case", "notifier_contact", "notifier_delivery")


def _events() -> tuple[list[CaseEvent], list[CaseEvent]]:
    ids = [(f"case-{n}", f"GL-2023-{n:06d}") for n in range(CASES)]
    first = [accepted(cid, code, email=f"nguoi{n}@example.vn") for n, (cid, code) in enumerate(ids)]
    # The second batch routes every case, and one more case arrives and is routed in it.
    late = ("case-late", "GL-2023-999999")
    second = [
        *(routed(cid, code) for cid, code in ids),
        accepted(*late, email="muon@example.vn"),
        routed(*late),
    ]
    return first, second


def _pipeline(service: NotifierService) -> Pipeline[Any]:
    pipeline = service.subscriptions(publisher=InMemoryBus())[0].handler
    assert isinstance(pipeline, Pipeline)
    return pipeline


async def _consume(service: NotifierService, events: list[CaseEvent]) -> None:
    topic = Topics(service.settings.topic_namespace).case_events
    messages = [Message(topic=topic, value=e.model_dump_json().encode()) for e in events]
    await _pipeline(service).consume(messages)


async def _state(service: NotifierService) -> tuple[list[Any], list[Any], list[Any]]:
    """Everything the projection wrote, without the columns a clock or a sequence fills."""
    async with service.db.session() as session:
        cases = (await session.exec(select(PublicCase).order_by(col(PublicCase.case_id)))).all()
        contacts = (await session.exec(select(Contact).order_by(col(Contact.case_id)))).all()
        mails = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
    stamps = {"updated_at", "created_at", "id", "next_attempt_at"}
    return (
        [c.model_dump(exclude=stamps) for c in cases],
        [c.model_dump(exclude=stamps) for c in contacts],
        sorted((m.event_id, m.recipient, m.template, m.subject, m.body_text) for m in mails),
    )


def _lookups(statements: list[tuple[str, str]]) -> dict[str, int]:
    selects = [s for s, _ in statements if s.lstrip().upper().startswith("SELECT")]
    return {table: sum(f"FROM {table}" in s for s in selects) for table in LOOKUPS}


async def test_a_batch_reads_its_cases_once_and_ends_as_one_by_one(tmp_path: Path) -> None:
    first, second = _events()
    batched = await migrated_notifier(tmp_path / "batched")
    alone = await migrated_notifier(tmp_path / "alone")
    try:
        await _consume(batched, first)
        with recorded(batched) as statements:
            await _consume(batched, second)
        # One query per table for the whole batch of 14 events, and one more for the case
        # both accepted and routed in it (its new rows are flushed, then read back): before,
        # each event asked for its case, its contact and each of its mails on its own.
        expected = {"notifier_public_case": 2, "notifier_contact": 2, "notifier_delivery": 1}
        assert _lookups(statements) == expected

        await apply(alone, *first, *second)  # one event, one transaction, no prefetch
        assert await _state(batched) == await _state(alone)
        cases, _, mails = await _state(batched)
        assert {c["status"] for c in cases} == {"routed"} and len(cases) == CASES + 1
        assert len(mails) == 3 * (CASES + 1)  # receipt, assignment and forwarding each
    finally:
        await batched.db.dispose()
        await alone.db.dispose()


async def test_a_failing_prefetch_leaves_the_batch_to_the_event_by_event_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("a bug in prefetch")

    first, second = _events()
    service = await migrated_notifier(tmp_path / "broken")
    alone = await migrated_notifier(tmp_path / "alone")
    monkeypatch.setattr(notifier_service, "prefetch", broken)
    try:
        await _consume(service, first)
        await _consume(service, second)
        await apply(alone, *first, *second)
        assert await _state(service) == await _state(alone)
    finally:
        await service.db.dispose()
        await alone.db.dispose()


class _Woken:
    def __init__(self) -> None:
        self.times = 0

    def wake(self) -> None:
        self.times += 1


async def test_a_batch_wakes_the_mailer_only_when_it_queued_mail(tmp_path: Path) -> None:
    """The mailer sleeps until a commit queued a delivery (kit.wakeups): a batch that queued
    none (a case accepted, whose submitter gave no e-mail address) does not wake it for a
    round that would find nothing."""
    service = await migrated_notifier(tmp_path)
    mailer = _Woken()
    wakeups.listen(MAIL, mailer)
    try:
        await _consume(service, [accepted("case-1", "GL-2023-000001", email=None)])
        assert mailer.times == 0
        assert await _state(service) != ([], [], [])  # the batch did its work
        await _consume(service, [routed("case-1", "GL-2023-000001")])  # mail for the agency
        assert mailer.times == 1
        async with service.db.session() as session:
            assert (await session.exec(select(Delivery))).all()
    finally:
        wakeups.forget(MAIL, mailer)
        await service.db.dispose()
