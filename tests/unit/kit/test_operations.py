"""What operators see (issue 13, part 4): the metrics endpoint and gauges, readiness with its
reasons, the log formats and their scrubbing (the pipeline's counters and log lines on SQLite:
tests/component/kit/test_operations.py)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import TopicPartition
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.exc import OperationalError

from services.kit import logs
from services.kit.health import NotReady, Readiness, add_probes, readiness
from services.kit.kafka import KafkaMonitor
from services.kit.metrics import set_overdue


def value(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_serves_the_exposition_to_the_allowed_addresses_only() -> None:
    app = FastAPI()
    add_probes(app, service="ops", metrics_allow="127.0.0.1/32")
    set_overdue({("STNMT", "answer"): 3})

    async def get(client: tuple[str, int], **headers: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get("/metrics", headers=headers)

    page = await get(("127.0.0.1", 40000))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    assert 'pakn_cases_overdue{agency="STNMT",stage="answer"} 3.0' in page.text
    assert "# TYPE pakn_messages_total counter" in page.text
    assert "process_cpu_seconds_total" in page.text or "python_info" in page.text
    assert (await get(("10.0.0.9", 40000))).status_code == 404
    # through the reverse proxy on the same machine: never
    assert (
        await get(("127.0.0.1", 40000), **{"x-forwarded-for": "203.0.113.9"})
    ).status_code == 404
    assert "/metrics" not in app.openapi()["paths"]

    networks = FastAPI()
    add_probes(networks, service="ops", metrics_allow="10.0.0.0/8, ::1")
    transport = httpx.ASGITransport(app=networks, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/metrics")).status_code == 200
    set_overdue({})


def test_the_overdue_gauge_forgets_what_is_no_longer_overdue() -> None:
    set_overdue({("STNMT", "answer"): 2, ("TRIAGE", "classify"): 1})
    set_overdue({("STNMT", "answer"): 1})
    assert value("pakn_cases_overdue", {"agency": "STNMT", "stage": "answer"}) == 1
    assert (
        REGISTRY.get_sample_value("pakn_cases_overdue", {"agency": "TRIAGE", "stage": "classify"})
        is None
    )
    set_overdue({})


# --- readiness ----------------------------------------------------------------------------


@pytest.fixture
async def probes() -> AsyncIterator[httpx.AsyncClient]:
    readiness.reset()
    app = FastAPI()
    add_probes(app, service="router")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client
    readiness.reset()


async def test_readyz_lists_each_check_and_the_reasons(probes: httpx.AsyncClient) -> None:
    ok = (await probes.get("/readyz")).json()
    assert ok["ready"] is True
    assert {name: c["status"] for name, c in ok["checks"].items()} == {
        "broker": "ok",
        "consumer_lag": "ok",
        "database": "ok",
    }
    readiness.down("router consumer", OperationalError("SELECT", {}, ConnectionRefusedError()))
    readiness.down("kafka broker", NotReady("no answer from the Kafka cluster within 5 s"))
    readiness.down("consumer lag", NotReady("pakn.case.events[1] 20000 behind (limit 10000)"))
    answer = await probes.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["ready"] is False and body["service"] == "router"
    checks = body["checks"]
    assert all(checks[name]["status"] == "failing" for name in checks)
    assert "router consumer: OperationalError" in checks["database"]["reasons"][0]
    assert "no answer" in checks["broker"]["reasons"][0]
    assert "20000 behind" in checks["consumer_lag"]["reasons"][0]
    assert (await probes.get("/healthz")).status_code == 200
    readiness.up("kafka broker")
    readiness.up("consumer lag")
    readiness.up("router consumer")
    assert (await probes.get("/readyz")).status_code == 200


async def test_a_consumer_that_meets_a_broker_error_fails_the_broker_check() -> None:
    health = Readiness()
    health.down("router outbox relay", KafkaConnectionError("Unable to bootstrap"))
    assert health.report()["checks"]["broker"]["status"] == "failing"  # type: ignore[index]


@dataclass
class FakeConsumer:
    highwaters: dict[TopicPartition, int]
    positions: dict[TopicPartition, int]
    reachable: bool = True

    def assignment(self) -> set[TopicPartition]:
        return set(self.highwaters)

    def highwater(self, tp: TopicPartition) -> int:
        return self.highwaters[tp]

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    async def topics(self) -> set[str]:
        if not self.reachable:
            raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 1)]")
        return {tp.topic for tp in self.highwaters}


@dataclass
class FakeSubscriber:
    consumer: FakeConsumer
    group_id: str = "pakn-router"


@dataclass
class FakeBroker:
    subscribers: list[FakeSubscriber] = field(default_factory=list)


async def test_the_monitor_samples_lag_and_makes_the_service_unready_beyond_the_limit() -> None:
    tp0, tp1 = TopicPartition("ops.case.events", 0), TopicPartition("ops.case.events", 1)
    consumer = FakeConsumer({tp0: 120, tp1: 5}, {tp0: 20, tp1: 5})
    health = Readiness()
    monitor = KafkaMonitor(
        FakeBroker([FakeSubscriber(consumer)]),  # type: ignore[arg-type]
        service="opsmon",
        max_lag=50,
        health=health,
    )
    assert await monitor.check_broker()
    lags = await monitor.sample_lag()
    assert lags == {
        ("pakn-router", "ops.case.events", 0): 100,
        ("pakn-router", "ops.case.events", 1): 0,
    }
    labels = {"service": "opsmon", "group": "pakn-router", "topic": "ops.case.events"}
    assert value("pakn_consumer_lag", {**labels, "partition": "0"}) == 100
    assert not health.ready and "ops.case.events[0] 100 behind" in str(health.report())
    consumer.positions[tp0] = 110
    await monitor.sample_lag()
    assert health.ready and value("pakn_consumer_lag", {**labels, "partition": "0"}) == 10

    consumer.reachable = False
    assert not await monitor.check_broker()
    report = health.report()
    assert report["checks"]["broker"]["status"] == "failing"  # type: ignore[index]
    assert value("pakn_broker_up", {"service": "opsmon"}) == 0
    consumer.reachable = True
    assert await monitor.check_broker() and health.ready


# --- logs ---------------------------------------------------------------------------------


def test_text_logs_keep_the_ids_in_brackets_and_json_lines_parse() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "mail to %s", ("a@b.vn",), None)
    with logs.context(case_id="c9", event_id="e9"):
        for fmt in ("json", "text"):
            out = io.StringIO()
            handler = logs.handler(fmt, service="router", stream=out)  # type: ignore[arg-type]
            handler.handle(record)
            line = out.getvalue().strip()
            if fmt == "json":
                assert json.loads(line)["case_id"] == "c9"
            else:
                assert line.endswith("mail to <e-mail> [case_id=c9 event_id=e9]")
    assert logs.current() == {}


def test_scrub_masks_addresses_and_vietnamese_numbers_only() -> None:
    assert logs.scrub("550 <hoa.nguyen@example.vn>: no such user") == "550 <<e-mail>>: no such user"
    assert logs.scrub("gọi 0905 123 456 hoặc +84 905-123-456") == "gọi <phone> hoặc <phone>"
    kept = "case GL-ABCD-1234 offset 1234567 at 2026-12-02T10:00:00"
    assert logs.scrub(kept) == kept


def test_configure_routes_the_root_logger_to_one_handler() -> None:
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in logs.OWN_HANDLERS)]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    try:
        logs.configure("json", service="intake")
        root = logging.getLogger()
        assert len(root.handlers) == 1
        assert isinstance(root.handlers[0].formatter, logs.JsonFormatter)
        assert logging.getLogger("faststream").handlers == []  # its lines go to the root
    finally:
        for logger, handlers, level, propagate in saved:
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            for handler in handlers:
                logger.addHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
