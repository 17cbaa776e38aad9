"""A poison message is parked on the dead-letter topic with its error; the rest flows on."""

from __future__ import annotations

import json

from sqlmodel import col, select

from schemas.topics import Topics, dead_letter
from services.intake.models import IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from tests.integration.samples import submission_event
from tests.support import RunningService, eventually, produce, read_topic


async def test_poison_messages_go_to_the_dlq_and_later_cases_are_registered(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    settings = IntakeSettings(
        database_url=pg_url, kafka_bootstrap=kafka, topic_namespace=topics.namespace
    )
    intake = IntakeService(settings)
    poison = [
        b"\xff\xfe not even utf-8",
        json.dumps({"event_type": "submission.received"}).encode(),
    ]
    valid = [submission_event(f"CALL-{i}") for i in range(3)]
    # One key puts them all on one partition, poison first: nothing may block the rest.
    await produce(kafka, topics.intake, [*poison, *valid], key=b"same-partition")

    async with RunningService(intake, bootstrap=kafka):

        async def registered() -> int:
            async with intake.db.session() as session:
                return len((await session.exec(select(IntakeCase))).all())

        assert await eventually(lambda: _at_least(registered, 3), what="3 cases") == 3

    parked = await read_topic(kafka, dead_letter(topics.intake))
    assert [r.value for r in parked] == poison
    for record in parked:
        headers = {k: v.decode() for k, v in record.headers}
        assert headers["dlq_service"] == "intake"
        assert headers["dlq_source_topic"] == topics.intake
        assert "ValidationError" in headers["dlq_error"]
    async with intake.db.session() as session:
        raws = (await session.exec(select(RawPayload).order_by(col(RawPayload.id)))).all()
    assert [r.status for r in raws] == [
        "failed",
        "failed",
        "registered",
        "registered",
        "registered",
    ]
    assert raws[0].body == poison[0] and raws[0].error


async def _at_least(probe, n: int) -> int | None:  # type: ignore[no-untyped-def]
    count = await probe()
    return count if count >= n else None
