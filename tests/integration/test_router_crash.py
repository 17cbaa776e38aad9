"""Kill the router's process mid-stream, restart it: every case is routed exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter

from sqlmodel import func, select

from schemas.topics import Topics
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.db import Database
from services.router.models import RoutedCase
from tests.conftest import free_port
from tests.integration.conftest import _pg_database
from tests.integration.samples import submission_event
from tests.support import RunningService, events_of, eventually, produce, read_topic

CASES = 200


async def _start_router(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", "run", "router", env={**os.environ, **env}
    )


async def test_router_killed_mid_stream_routes_every_case_exactly_once(
    kafka: str, topics: Topics
) -> None:
    router_db = await _pg_database()
    env = {
        "PAKN_ROUTER_DATABASE_URL": router_db,
        "PAKN_ROUTER_KAFKA_BOOTSTRAP": kafka,
        "PAKN_ROUTER_TOPIC_NAMESPACE": topics.namespace,
        "PAKN_ROUTER_HTTP_PORT": str(free_port()),
    }
    db = Database(router_db)

    async def routed() -> int:
        async with db.session() as session:
            return int((await session.exec(select(func.count()).select_from(RoutedCase))).one())

    intake = IntakeService(
        IntakeSettings(
            database_url=await _pg_database(),
            kafka_bootstrap=kafka,
            topic_namespace=topics.namespace,
        )
    )
    async with RunningService(intake, bootstrap=kafka):
        router = await _start_router(env)
        await produce(kafka, topics.intake, [submission_event(f"C{i}") for i in range(CASES)])
        await eventually(
            lambda: _between(routed, 5, CASES - 20), timeout_s=90, what="some", interval_s=0.02
        )
        router.send_signal(signal.SIGKILL)  # no goodbye: the worst moment we can pick
        await router.wait()
        interrupted_at = await routed()
        router = await _start_router(env)
        try:
            await eventually(lambda: _between(routed, CASES, CASES), timeout_s=120, what="all")
            # and the relay has published every decision before the router stops (it may be
            # backing off after a first publish to a queue topic the broker had yet to create)
            await eventually(
                lambda: _routed_published(kafka, topics.case_events),
                timeout_s=120,
                what="every case.routed on the topic",
                interval_s=1,
            )
        finally:
            router.send_signal(signal.SIGTERM)
            await router.wait()
    await db.dispose()
    assert 0 < interrupted_at < CASES

    records = await read_topic(kafka, topics.case_events)
    routed_events = events_of(records, "case.routed")
    per_case = Counter(e["case_id"] for e in {e["event_id"]: e for e in routed_events}.values())
    assert len(per_case) == CASES
    assert set(per_case.values()) == {1}, "one routing decision (one event id) per case"


async def _between(probe, low: int, high: int) -> int | None:  # type: ignore[no-untyped-def]
    count = await probe()
    return count if low <= count <= high else None


async def _routed_published(kafka: str, topic: str) -> bool:
    records = await read_topic(kafka, topic, idle_s=0.3)
    return len({e["case_id"] for e in events_of(records, "case.routed")}) >= CASES
