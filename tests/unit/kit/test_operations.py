"""What operators see (issue 13, part 4): metrics, readiness with its reasons, JSON logs
that carry the case and event ids and no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import TopicPartition
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CASE_EVENT_ADAPTER, CaseAccepted, CaseEvent, CaseFacts, Submitter
from services.kit import logs
from services.kit.consumer import PermanentError, Pipeline
from services.kit.db import Database
from services.kit.health import NotReady, Readiness, add_probes, readiness
from services.kit.kafka import KafkaMonitor
from services.kit.metrics import set_overdue
from services.kit.outbox import OutboxRelay, add_event
from services.kit.transport import InMemoryBus, Message, Redeliver
from tests.unit.databases import migrated_copy

NAME, PHONE, EMAIL = "Nguyễn Thị Hoa", "0905 123 456", "hoa.nguyen@example.vn"
ADDRESS = "45 Lê Lợi, phường Pleiku"
TEXT = "Quyết định số 22/2016/QĐ-UBND quy định hạn mức công nhận đất ở chưa phù hợp"
PERSONAL = (NAME, PHONE, "0905123456", EMAIL, ADDRESS, TEXT, "Lê Lợi", "hạn mức")


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return Database(migrated_copy(tmp_path, "kit"))


def value(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def accepted(case_id: str = "case-1") -> CaseAccepted:
    return CaseAccepted(
        correlation_id=case_id,
        case=CaseFacts(
            case_id=case_id,
            tracking_code="GL-ABCD-1234",
            channel="web",
            received_at="2026-12-01T09:30:00+07:00",  # type: ignore[arg-type]
            submitter=Submitter(name=NAME, phone=PHONE, email=EMAIL, address=ADDRESS),
            title="Kiến nghị sửa quy định",
            content=TEXT,
        ),
    )


def message(event: CaseAccepted, offset: int, topic: str = "t.case.events") -> Message:
    return Message(topic=topic, value=event.model_dump_json().encode(), partition=2, offset=offset)


def pipeline(db: Database, service: str, handle: Any, bus: InMemoryBus) -> Pipeline[CaseEvent]:
    return Pipeline(
        service=service,
        db=db,
        adapter=CASE_EVENT_ADAPTER,
        handle=handle,
        dead_letters=bus,
        retries=2,
        backoff_s=0.001,
        health=Readiness(),
    )


# --- metrics of the pipeline --------------------------------------------------------------


async def test_the_counters_move_when_the_pipeline_handles_skips_parks_and_retries(
    db: Database,
) -> None:
    failing: set[str] = set()

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        if event.event_id in failing:
            raise PermanentError("no such agency")
        add_event(session, service="ops1", topic="out", key="k", event=event)

    bus = InMemoryBus()
    ops = pipeline(db, "ops1", handle, bus)
    good, poison = accepted("c1"), accepted("c2")
    failing.add(poison.event_id)
    labels = {"service": "ops1", "topic": "t.case.events"}

    await ops.consume([message(good, 1), message(poison, 2), message(good, 3)])
    await ops.consume([Message(topic="t.case.events", value=b"{", offset=4)])

    def outcome(name: str) -> float:
        return value("pakn_messages_total", {**labels, "outcome": name})

    assert (outcome("handled"), outcome("duplicate"), outcome("parked")) == (1, 1, 2)
    assert value("pakn_dead_letters_total", labels) == 2
    assert value("pakn_batch_size_count", labels) == 2
    assert value("pakn_batch_size_sum", labels) == 4
    # the handler ran for c1 and c2 in the first pass, then again event by event
    assert value("pakn_handler_seconds_count", labels) >= 2

    async def down(session: AsyncSession, event: CaseEvent) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "refused"))

    with pytest.raises(Redeliver):
        await pipeline(db, "ops1", down, bus).consume([message(accepted("c3"), 5)])
    assert outcome("retried") == 3  # the first try and two retries
    assert outcome("handled") == 1


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


async def test_the_relay_counts_what_it_publishes_and_measures_the_backlog(db: Database) -> None:
    async with db.transaction() as session:
        for n in range(3):
            add_event(session, service="ops2", topic="out", key="k", event=accepted(f"c{n}"))
    relay = OutboxRelay(db=db, service="ops2", publisher=InMemoryBus(), batch=2)
    assert await relay.measure() == 3
    assert value("pakn_outbox_pending", {"service": "ops2"}) == 3
    assert await relay._round() == 2
    assert await relay._round() == 1
    assert await relay.measure() == 0
    assert value("pakn_outbox_published_total", {"service": "ops2"}) == 3
    assert value("pakn_outbox_pending", {"service": "ops2"}) == 0


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


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every record of the loggers under test, as the production handler writes it."""
    out = io.StringIO()
    handler = logs.handler("json", service="notifier", stream=out)
    names = ("services.kit.consumer", "tests.ops")
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    yield out
    for name in names:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(saved[name])


def parsed(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_a_log_line_of_a_handled_event_carries_its_ids_and_no_personal_data(
    db: Database, json_lines: io.StringIO
) -> None:
    handler_log = logging.getLogger("tests.ops")

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        assert isinstance(event, CaseAccepted)
        handler_log.info("welcomed %s (%s)", event.case.tracking_code, event.case.submitter.email)
        if event.case.case_id == "c2":
            raise PermanentError(f"cannot write to {event.case.submitter.email} or {PHONE}")

    event, bad = accepted("c1"), accepted("c2")
    garbled = json.loads(event.model_dump_json())
    garbled["event_id"] = "evt-garbled"
    garbled["case"]["submitter"]["name"] = [NAME, PHONE]  # not a string: a validation error
    garbled["case"]["content"] = {"text": TEXT}
    ops = pipeline(db, "notifier", handle, InMemoryBus())
    await ops.consume(
        [
            message(event, 41),
            message(bad, 42),
            Message(
                topic="t.case.events",
                value=json.dumps(garbled).encode(),
                headers={"event_id": "evt-garbled"},
                partition=2,
                offset=43,
            ),
        ]
    )

    lines = parsed(json_lines)
    welcomed = [line for line in lines if line["message"].startswith("welcomed")]
    assert welcomed[0] == {
        "time": welcomed[0]["time"],
        "level": "INFO",
        "logger": "tests.ops",
        "message": "welcomed GL-ABCD-1234 (<e-mail>)",
        "service": "notifier",
        "case_id": "c1",
        "event_id": event.event_id,
        "topic": "t.case.events",
        "partition": 2,
        "offset": 41,
    }
    parked = [line for line in lines if "dead-lettering" in line["message"]]
    assert [(p["offset"], p.get("event_id")) for p in parked] == [
        (42, bad.event_id),
        (43, "evt-garbled"),
    ]
    assert (
        "ValidationError" in parked[1]["message"] and "case.submitter.name" in parked[1]["message"]
    )
    text = json_lines.getvalue()
    for personal in PERSONAL:
        assert personal not in text, personal


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
