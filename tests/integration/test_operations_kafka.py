"""A service running on the real broker shows, at `/metrics`, its consumer lag per
partition and what it handled; `/readyz` lists its checks (issue 13, part 4)."""

from __future__ import annotations

import asyncio
import re

import httpx

from schemas.topics import Topics
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.health import readiness
from services.runners import on_kafka
from tests.integration.samples import submission_event
from tests.support import eventually, produce


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series of the exposition, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}", 1)[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_of_a_running_service_show_lag_and_handled_counts(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    settings = IntakeSettings(
        database_url=pg_url,
        kafka_bootstrap=kafka,
        topic_namespace=topics.namespace,
        public_base_url="https://pakn.test",
        lag_sample_s=0.3,
        ready_max_lag=1000,
    )
    intake = IntakeService(settings)
    await produce(kafka, topics.intake, [submission_event(f"OPS-{i}") for i in range(12)])
    readiness.reset()

    async with on_kafka(intake, bootstrap=kafka, client_id="test-ops") as running:
        tasks = [asyncio.create_task(loop) for loop in running.loops()]
        transport = httpx.ASGITransport(app=running.app, client=("127.0.0.1", 41000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

                async def caught_up() -> str | None:
                    text = (await http.get("/metrics")).text
                    handled = sample(
                        text,
                        "pakn_messages_total",
                        service="intake",
                        topic=topics.intake,
                        outcome="handled",
                    )
                    lags = [
                        sample(text, "pakn_consumer_lag", topic=topics.intake, partition=str(p))
                        for p in range(3)
                    ]
                    if handled == 12 and lags == [0.0, 0.0, 0.0]:
                        return text
                    return None

                text = await eventually(caught_up, timeout_s=60, what="12 handled, no lag")
                assert sample(text, "pakn_broker_up", service="intake") == 1.0
                assert sample(text, "pakn_batch_size_count", service="intake") is not None
                assert "case_id" not in text and "Trần Văn Bình" not in text

                # the relay publishes the accepted cases and the backlog empties
                async def relayed() -> bool:
                    text = (await http.get("/metrics")).text
                    published = sample(text, "pakn_outbox_published_total", service="intake")
                    return published is not None and published >= 12

                await eventually(relayed, timeout_s=60, what="the relay's publishes")

                ready = await http.get("/readyz")
                body = ready.json()
                assert ready.status_code == 200, body
                assert body["checks"]["broker"]["status"] == "ok"
                assert body["checks"]["consumer_lag"]["status"] == "ok"
                proxied = await http.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})
                assert proxied.status_code == 404
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            readiness.reset()
