"""The intake topic's batch is archived in one query and each payload is pointed at its case
without another; a redelivered batch archives nothing twice (services/intake/service.py)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from services.intake.models import IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.db import Database
from services.kit.transport import InMemoryBus, Message
from tests.integration.samples import submission_event
from tests.support import reads_of, statements_sent
from tests.unit.databases import migrated_copy


async def test_a_batch_is_archived_in_one_query_and_each_payload_points_at_its_case(
    tmp_path: Path,
) -> None:
    url = migrated_copy(tmp_path, "intake")
    intake = IntakeService(IntakeSettings(database_url=url), db=Database(url))
    bus = InMemoryBus()
    [pipeline] = [s.handler for s in intake.subscriptions(publisher=bus) if "intake" in s.topic]
    batch = [
        Message(
            topic=intake.topics.intake, value=submission_event(f"ARCH-{i}"), partition=0, offset=i
        )
        for i in range(5)
    ]
    try:
        with statements_sent(intake.db) as sent:
            await pipeline.consume(batch)  # type: ignore[attr-defined]
        reads_first = reads_of(sent, "intake_raw_payload")
        await pipeline.consume(batch)  # redelivered: the same offsets
        async with intake.db.session() as session:
            raws = (await session.exec(select(RawPayload).order_by(col(RawPayload.id)))).all()
            cases = {c.channel_ref: c.id for c in (await session.exec(select(IntakeCase))).all()}
    finally:
        await bus.close()
        await intake.db.dispose()
    assert reads_first == 1, sent
    assert len(raws) == 5 and len(cases) == 5
    assert {r.status for r in raws} == {"registered"}
    assert sorted(r.case_id for r in raws) == sorted(cases.values())
