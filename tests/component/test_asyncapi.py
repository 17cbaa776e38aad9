"""The intake keeps an old producer's correlation id on its outcome (a migrated SQLite database
behind it); the AsyncAPI document itself is checked in tests/unit/test_asyncapi.py."""

from __future__ import annotations

import json

from sqlmodel import select

from schemas.events import CASE_EVENT_ADAPTER
from schemas.examples import SUBMISSION
from services.kit.outbox import OutboxMessage
from services.kit.transport import InMemoryBus, Message
from tests.unit.intake.http_support import Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]


async def test_the_outcome_carries_the_producers_correlation_id(intake: Intake) -> None:
    subscription, _routing = intake.service.subscriptions(publisher=InMemoryBus())
    old = {"correlation_id": "mine-1", "submission": SUBMISSION.model_dump(mode="json")}
    message = Message(
        topic=intake.service.topics.intake, value=json.dumps(old).encode(), partition=0, offset=0
    )
    for _ in range(2):  # the old producer's message, delivered twice
        await subscription.handler(message)
    async with intake.service.db.session() as session:
        (row,) = (await session.exec(select(OutboxMessage))).all()
    outcome = CASE_EVENT_ADAPTER.validate_json(row.payload)
    assert outcome.event_type == "case.accepted" and outcome.correlation_id == "mine-1"
    assert row.key == outcome.case.case_id and outcome.case.tracking_code.startswith("GL-")
    # Its archived bytes are marked registered too: the office does not see it as unread.
    assert [(raw.status, raw.case_id) for raw in await intake.raws()] == [
        ("registered", outcome.case.case_id)
    ]
