"""A PostgreSQL restart in the middle of a stream loses nothing and doubles nothing (issue 16).

Every service's database is on a server of the test's own, stopped (fast shutdown) while
submissions keep arriving on the intake topic and started again a few seconds later.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sqlmodel import func, select

from schemas.topics import Topics, dead_letter
from services.intake.models import IntakeCase
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.db import Database
from services.kit.health import readiness
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from services.router.models import RoutedCase
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.integration.restartable_pg import RestartablePostgres
from tests.integration.samples import submission_event
from tests.support import MailSink, RunningService, events_of, eventually, read_topic

CASES = 500
RATE_PER_S = 40
OUTAGE_S = 8


async def _count(url: str, table: Any) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            return int((await session.exec(select(func.count()).select_from(table))).one())
    finally:
        await db.dispose()


async def _send_paced(kafka: str, topic: str, values: list[bytes]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
            await asyncio.sleep(1 / RATE_PER_S)
    finally:
        await producer.stop()


async def test_a_database_restart_mid_stream_loses_and_doubles_nothing(
    kafka: str, topics: Topics, own_pg: RestartablePostgres, smtp: tuple[int, MailSink]
) -> None:
    smtp_port, sink = smtp
    urls = [await own_pg.database() for _ in range(3)]
    common: dict[str, Any] = {"kafka_bootstrap": kafka, "topic_namespace": topics.namespace}
    intake = IntakeService(IntakeSettings(database_url=urls[0], **common))
    router = RouterService(RouterSettings(database_url=urls[1], **common))
    notifier = NotifierService(
        NotifierSettings(database_url=urls[2], smtp_port=smtp_port, mail_poll_s=0.1, **common)
    )
    refs = [f"PG-RESTART-{i}" for i in range(CASES)]
    readiness.reset()
    seen_not_ready = False
    running = [RunningService(s, bootstrap=kafka, workers=3) for s in (intake, router, notifier)]
    for service in running:
        await service.__aenter__()
    try:
        sending = asyncio.create_task(
            _send_paced(kafka, topics.intake, [submission_event(ref) for ref in refs])
        )
        await eventually(
            lambda: _at_least(urls[0], IntakeCase, CASES // 5), timeout_s=60, what="a fifth"
        )
        await own_pg.stop()
        for _ in range(OUTAGE_S * 5):
            await asyncio.sleep(0.2)
            seen_not_ready = seen_not_ready or not readiness.ready
        await own_pg.start()
        await sending

        def agency_mails() -> Counter[str]:
            return Counter(
                str(m["X-PAKN-Case"]) for m in sink.received if "Chuyển xử lý" in str(m["Subject"])
            )

        async def all_mailed() -> bool:
            return len(agency_mails()) >= CASES

        await eventually(all_mailed, timeout_s=240, what=f"{CASES} agency mails", interval_s=1)
        await asyncio.sleep(2)  # anything doubled would show up now
        registered = await _count(urls[0], IntakeCase)
        routed = await _count(urls[1], RoutedCase)
    finally:
        for service in reversed(running):
            await service.__aexit__(None, None, None)
    assert seen_not_ready, "the services reported themselves not ready during the outage"
    assert readiness.ready, "and ready again afterwards"
    assert registered == CASES and routed == CASES
    mails = agency_mails()
    assert len(mails) == CASES and set(mails.values()) == {1}, "one agency mail per case"
    routed_events = events_of(await read_topic(kafka, topics.case_events), "case.routed")
    per_case = Counter(e["case_id"] for e in {e["event_id"]: e for e in routed_events}.values())
    assert len(per_case) == CASES and set(per_case.values()) == {1}
    for topic in topics.all_fixed():
        parked = await read_topic(kafka, dead_letter(topic), idle_s=0.5)
        assert parked == [], f"dead-lettered on {topic}: {parked[:1]}"


async def _at_least(url: str, table: Any, wanted: int) -> bool:
    try:
        return await _count(url, table) >= wanted
    except Exception:  # the server may still be starting
        return False
