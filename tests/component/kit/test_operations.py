"""What operators see of the pipeline and the outbox relay on a migrated SQLite database
(issue 13, part 4): the counters, the backlog, and JSON log lines that carry the case and
event ids and no personal data (the probes, readiness and log formats:
tests/unit/kit/test_operations.py)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CASE_EVENT_ADAPTER, CaseAccepted, CaseEvent, CaseFacts, Submitter
from services.kit import logs
from services.kit.consumer import PermanentError, Pipeline
from services.kit.db import Database
from services.kit.health import Readiness
from services.kit.outbox import OutboxRelay, add_event
from services.kit.transport import InMemoryBus, Message, Redeliver
from tests.unit.databases import migrated_copy
from tests.unit.kit.test_operations import value

NAME, PHONE, EMAIL = "Nguyễn Thị Hoa", "0905 123 456", "hoa.nguyen@example.vn"
ADDRESS = "45 Lê Lợi, phường Pleiku"
TEXT = "Quyết định số 22/2016/QĐ-UBND quy định hạn mức công nhận đất ở chưa phù hợp"
PERSONAL = (NAME, PHONE, "0905123456", EMAIL, ADDRESS, TEXT, "Lê Lợi", "hạn mức")


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return Database(migrated_copy(tmp_path, "kit"))


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
