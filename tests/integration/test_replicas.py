"""Two replicas of each service on the real broker and PostgreSQL (issue 12, part 4).

Six processes (`pakn run intake|router|notifier`, two of each) share one database per
service and one consumer group per subscriber, as in production. Each case is submitted,
routed, taken and answered; halfway through the actions one router replica is killed with
SIGKILL. Then every case's events are on the case topic once each and in the order its
producers committed them (the outbox's id order), each case was routed once, and each mail
went once: one assignment to the agency and one answer to the submitter per case.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy.engine import make_url

from schemas.actions import SubmitAnswer, TakeCase
from schemas.timezone import VIETNAM
from schemas.topics import Topics, dead_letter
from tests.conftest import free_port
from tests.integration.conftest import _pg_database
from tests.integration.samples import submission_event
from tests.support import MailSink, events_of, eventually, produce, read_topic

CASES = 60
SERVICES = ("intake", "router", "notifier")
LIFE = ["case.accepted", "case.routed", "case.taken", "case.answered"]


def _env(name: str, database_url: str, kafka: str, topics: Topics, smtp_port: int) -> dict:
    prefix = f"PAKN_{name.upper()}_"
    port = free_port()
    return {
        **os.environ,
        prefix + "DATABASE_URL": database_url,
        prefix + "KAFKA_BOOTSTRAP": kafka,
        prefix + "TOPIC_NAMESPACE": topics.namespace,
        prefix + "HTTP_PORT": str(port),
        prefix + "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PAKN_NOTIFIER_SMTP_PORT": str(smtp_port),
        "PAKN_NOTIFIER_MAIL_POLL_S": "0.1",
    }


async def _start(env: dict[str, str], name: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", "run", name, env=env
    )


async def _rows(url: str, query: str) -> list[Any]:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(query))
    finally:
        await connection.close()


def _life(records: list[Any]) -> dict[str, list[tuple[str, str]]]:
    """Per case, its (event type, event id) in topic order, a redelivered copy dropped."""
    per_case: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[str] = set()
    for record in records:
        event = json.loads(record.value)
        case_id = event.get("case_id") or event.get("case", {}).get("case_id")
        if event["event_id"] in seen or case_id is None:
            continue
        seen.add(event["event_id"])
        per_case[case_id].append((event["event_type"], event["event_id"]))
    return per_case


async def _actions(kafka: str, topics: Topics, routed: list[dict[str, Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True)
    await producer.start()
    try:
        for event in routed:
            case_id, agency = event["case_id"], event["agency"]
            take = TakeCase(correlation_id=case_id, case_id=case_id, agency=agency, officer="cb1")
            answer = SubmitAnswer(
                correlation_id=case_id,
                case_id=case_id,
                agency=agency,
                officer="cb1",
                approved_by="lanh dao",
                answer="Hồ sơ đã được giải quyết, giấy chứng nhận đã được cấp.",
            )
            for action in (take, answer):  # one key: one partition, in this order
                await producer.send(
                    topics.agency_actions,
                    action.model_dump_json().encode(),
                    key=case_id.encode(),
                )
        await producer.flush()
    finally:
        await producer.stop()


async def test_two_replicas_of_each_service_keep_each_case_in_order_and_act_once(
    kafka: str, topics: Topics, smtp: tuple[int, MailSink]
) -> None:
    smtp_port, sink = smtp
    urls = {name: await _pg_database() for name in SERVICES}
    processes = {
        name: [await _start(_env(name, urls[name], kafka, topics, smtp_port), name) for _ in "ab"]
        for name in SERVICES
    }
    today = datetime.now(VIETNAM).isoformat()
    try:
        await produce(
            kafka,
            topics.intake,
            [
                submission_event(
                    f"R{i}",
                    email=f"nguoi{i}@example.vn",
                    name=f"Người Thử {i}",
                    received_at=today,  # not 2023: no reminder or escalation in between
                )
                for i in range(CASES)
            ],
        )

        async def routed() -> list[dict[str, Any]] | None:
            records = await read_topic(kafka, topics.case_events, idle_s=0.3)
            found = {e["case_id"]: e for e in events_of(records, "case.routed")}
            return list(found.values()) if len(found) == CASES else None

        decisions = await eventually(routed, timeout_s=180, what="every case routed")
        await _actions(kafka, topics, decisions[: CASES // 2])
        victim = processes["router"][0]
        victim.send_signal(signal.SIGKILL)  # the other replica takes its partitions over
        await victim.wait()
        await _actions(kafka, topics, decisions[CASES // 2 :])

        async def answered() -> dict[str, list[tuple[str, str]]] | None:
            life = _life(await read_topic(kafka, topics.case_events, idle_s=0.3))
            done = [c for c, events in life.items() if events[-1][0] == "case.answered"]
            return life if len(done) == CASES else None

        life = await eventually(answered, timeout_s=240, what="every case answered")
        await eventually(
            lambda: _mails_done(sink, decisions), timeout_s=120, what="the agency and answer mails"
        )
        await asyncio.sleep(3)  # a late duplicate would arrive now
    finally:
        for running in processes.values():
            for process in running:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
        for running in processes.values():
            for process in running:
                await process.wait()

    assert len(life) == CASES
    for case_id, events in life.items():
        assert [kind for kind, _ in events] == LIFE, (case_id, events)

    # the topic's order is the producers' commit order (the outbox's id order)
    committed: dict[str, list[str]] = defaultdict(list)
    for name in ("intake", "router"):
        for row in await _rows(urls[name], "SELECT topic, key, event_id FROM outbox ORDER BY id"):
            if row["topic"] == topics.case_events:  # CaseRouted goes to the agency's queue too
                committed[row["key"]].append(row["event_id"])
        unpublished = await _rows(urls[name], "SELECT id FROM outbox WHERE published_at IS NULL")
        assert unpublished == [], f"{name}: rows left in the outbox"
    for case_id, events in life.items():
        on_topic = [event_id for _, event_id in events]
        assert [e for e in committed[case_id] if e in on_topic] == on_topic, case_id

    registered = await _rows(urls["intake"], "SELECT count(*) AS n FROM intake_case")
    routed_rows = await _rows(urls["router"], "SELECT count(*) AS n FROM router_case")
    assert (registered[0]["n"], routed_rows[0]["n"]) == (CASES, CASES)

    sent = Counter(
        (tuple(sorted(e.rcpt_tos)), str(m["Subject"]))
        for m, e in zip(sink.received, sink.envelopes, strict=True)
    )
    assert [mail for mail, n in sent.items() if n > 1] == [], "a mail went twice"
    for event in decisions:
        code = event["tracking_code"]
        kinds = Counter(_kind(subject) for (_, subject) in sent if f"mã {code}" in subject)
        assert kinds["assignment"] == 1 and kinds["answer"] == 1, (code, kinds)

    parked = await read_topic(kafka, dead_letter(topics.case_events), idle_s=0.5)
    parked += await read_topic(kafka, dead_letter(topics.agency_actions), idle_s=0.5)
    assert parked == []


def _kind(subject: str) -> str:
    if "Chuyển xử lý" in subject:
        return "assignment"
    if "Trả lời" in subject:
        return "answer"
    return "other"


async def _mails_done(sink: MailSink, decisions: list[dict[str, Any]]) -> bool:
    subjects = [str(m["Subject"]) for m in sink.received]
    return all(
        sum(f"mã {e['tracking_code']}" in s and _kind(s) == k for s in subjects) >= 1
        for e in decisions
        for k in ("assignment", "answer")
    )
