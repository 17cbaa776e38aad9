"""A batch of case events reads its accepted cases' routing in one query (`prefetch_cases`,
the pipeline's `prepare`), not one per event, and routes as the same events one per batch
do, a case accepted twice included (services/router/service.py). Counted in the statements
sent to a SQLite database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from schemas.events import CaseEvent
from services.kit.outbox import OutboxMessage
from services.kit.transport import InMemoryBus, Message
from services.router.models import RoutedCase, RoutingHop
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.support import reads_of, statements_sent
from tests.unit.databases import migrated_copy
from tests.unit.notifier.builders import accepted

CASES = 8


def events() -> tuple[list[CaseEvent], list[CaseEvent]]:
    first: list[CaseEvent] = [accepted("case-0", "GL-2023-000000")]
    batch: list[CaseEvent] = [
        *(accepted(f"case-{n}", f"GL-2023-{n:06d}") for n in range(1, CASES + 1)),
        accepted("case-0", "GL-2023-000000"),  # routed by the earlier batch: nothing to do
        accepted("case-3", "GL-2023-000003"),  # accepted twice in this batch: routed once
    ]
    return first, batch


def router(folder: Path) -> RouterService:
    return RouterService(RouterSettings(database_url=migrated_copy(folder, "router")))


async def consume(service: RouterService, events: list[CaseEvent]) -> None:
    pipeline = service.subscriptions(publisher=InMemoryBus())[0].handler
    topic = service.core.topics.case_events
    messages = [Message(topic=topic, value=e.model_dump_json().encode()) for e in events]
    await pipeline.consume(messages)  # type: ignore[attr-defined]


async def state(service: RouterService) -> dict[str, Any]:
    async with service.db.session() as session:
        cases = (await session.exec(select(RoutedCase).order_by(col(RoutedCase.case_id)))).all()
        hops = (await session.exec(select(RoutingHop))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    stamps = {"routed_at", "updated_at", "created_at"}
    return {
        "cases": [c.model_dump(exclude=stamps) for c in cases],
        "hops": sorted((h.case_id, h.hop, h.agency, h.rule_id) for h in hops),
        "outbox": sorted((json.loads(o.payload)["event_type"], o.key) for o in outbox),
    }


async def test_a_batch_reads_its_cases_once_and_routes_as_one_by_one(tmp_path: Path) -> None:
    first, batch = events()
    batched, alone = router(tmp_path / "batched"), router(tmp_path / "alone")
    try:
        await consume(batched, first)
        with statements_sent(batched.db) as sent:
            await consume(batched, batch)
        await consume(alone, first)
        with statements_sent(alone.db) as sent_alone:
            for one in batch:
                await consume(alone, [one])
        found = await state(batched)
        assert found == await state(alone)
        assert [c["case_id"] for c in found["cases"]] == [f"case-{n}" for n in range(CASES + 1)]
        assert len(found["hops"]) == CASES + 1
        # One read for the batch, and one for the case accepted twice in it (its new row is
        # flushed, then read back); one per event before.
        assert reads_of(sent, "router_case") == 2
        assert reads_of(sent_alone, "router_case") == len(batch)
    finally:
        await batched.db.dispose()
        await alone.db.dispose()
