"""The parts of the fault drill (scripts/drill.py): the SMTP server that can fail on
purpose, the brokers it can run on, and the counts it makes afterwards."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from schemas.topics import Topics, dead_letter

ROOT = Path(__file__).resolve().parent.parent
ITEM = re.compile(r"Hồ sơ số (\d+):")
REJECTED_DOMAIN = "tu-choi.example"  # the recipient that answers 550


@dataclass
class Mailbox:
    """SMTP handler: agency assignment mails per item, and failures on demand.

    `outage_until` (monotonic): until then every transaction gets 421 or 451 (in turn);
    recipients at REJECTED_DOMAIN always get 550.
    """

    arrived: dict[int, float] = field(default_factory=dict)  # item -> first agency mail
    per_item: Counter[int] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    outage_until: float = 0.0
    _turn: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.endswith("@" + REJECTED_DOMAIN):
            self.refused["550"] += 1
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if time.monotonic() < self.outage_until:
            self._turn += 1
            code = "421 4.3.2 service not available" if self._turn % 2 else "451 4.3.0 try later"
            self.refused[code[:3]] += 1
            return code
        message = message_from_bytes(envelope.content, policy=default)
        if "Chuyển xử lý" in str(message["Subject"]):
            body = message.get_body(("plain",))
            found = ITEM.search(body.get_content() if body else "")
            if found:
                item = int(found.group(1))
                self.per_item[item] += 1
                self.arrived.setdefault(item, time.monotonic())
        return "250 OK"


@dataclass(frozen=True)
class Broker:
    """Where the drill runs: the local broker, or the secured three-node cluster."""

    bootstrap: str
    cluster: dict[str, str] | None = None  # deploy/kafka-cluster.sh env
    credentials: Path | None = None  # pakn acls' password files

    def client(self, username: str = "admin") -> dict[str, Any]:
        if self.cluster is None:
            return {"bootstrap_servers": self.bootstrap}
        import ssl

        if username == "admin":
            password_file = Path(self.cluster["PAKN_CLUSTER_ADMIN_PASSWORD_FILE"])
        else:
            assert self.credentials is not None
            password_file = self.credentials / f"{username}.password"
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": username,
            "sasl_plain_password": password_file.read_text().strip(),
            "ssl_context": ssl.create_default_context(cafile=self.cluster["PAKN_CLUSTER_CA_FILE"]),
        }

    def service_env(self, name: str, topics: Topics) -> dict[str, str]:
        """The Kafka security settings of one service process on this broker."""
        if self.cluster is None or self.credentials is None:
            return {}
        prefix = f"PAKN_{name.upper()}_"
        user = f"{topics.namespace}-{name}"
        return {
            prefix + "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            prefix + "KAFKA_USERNAME": user,
            prefix + "KAFKA_PASSWORD_FILE": str(self.credentials / f"{user}.password"),
            prefix + "KAFKA_CA_FILE": self.cluster["PAKN_CLUSTER_CA_FILE"],
        }


def cluster_settings() -> dict[str, str]:
    started = subprocess.run(
        [str(ROOT / "deploy" / "kafka-cluster.sh"), "start"],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)


def grant(topics: Topics, cluster: dict[str, str], credentials: Path) -> None:
    """`pakn acls` for the drill's namespace: a principal per service and agency."""
    env = {**os.environ, **cluster, "PAKN_ROUTER_TOPIC_NAMESPACE": topics.namespace}
    subprocess.run(
        [sys.executable, "-m", "services.cli", "acls", "--credentials", str(credentials)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def busiest_leader(broker: Broker, topics: Topics) -> int:
    """The node that leads most partitions of the topics every case goes through."""
    admin = AIOKafkaAdminClient(**broker.client())
    await admin.start()
    try:
        described = await admin.describe_topics([topics.intake, topics.case_events])
    finally:
        await admin.close()
    leaders: Counter[int] = Counter()
    for topic in described:
        for partition in topic["partitions"]:
            leaders[partition["leader"]] += 1
    return leaders.most_common(1)[0][0]


async def kill_broker(broker: Broker, topics: Topics, down_s: float) -> str:
    if broker.cluster is None:
        pid = int((ROOT / "var" / "kafka" / "kafka.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(down_s)
        await _script("kafka.sh", "start")
        return f"kill -9 the broker, restart after {down_s:g} s"
    node = await busiest_leader(broker, topics)
    await _script("kafka-cluster.sh", "kill", str(node))
    await asyncio.sleep(down_s)
    await _script("kafka-cluster.sh", "restart", str(node))
    return f"kill -9 broker {node} (leads the busiest partitions), restart after {down_s:g} s"


async def _script(name: str, *args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        str(ROOT / "deploy" / name),
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    if await proc.wait():
        raise RuntimeError(f"deploy/{name} {' '.join(args)} failed")


async def count(url: str, sql: str) -> int:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def stuck_outbox_rows(url: str, *, grace_s: float = 30.0) -> int:
    """Outbox rows unpublished now that are still unpublished `grace_s` later: stuck.

    A live system keeps staging rows (the router's scheduler escalates these 2023-dated
    cases), so a bare count of unpublished rows is a snapshot of work in flight, not of
    what the relay left behind."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        waiting = [r["id"] for r in await conn.fetch(UNPUBLISHED)]
        deadline = time.monotonic() + grace_s
        while waiting and time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            waiting = [r["id"] for r in await conn.fetch(STILL_UNPUBLISHED, waiting)]
        return len(waiting)
    finally:
        await conn.close()


UNPUBLISHED = "SELECT id FROM outbox WHERE published_at IS NULL"
STILL_UNPUBLISHED = "SELECT id FROM outbox WHERE id = ANY($1::bigint[]) AND published_at IS NULL"


async def read_all(broker: Broker, names: list[str]) -> list[Any]:
    consumer = AIOKafkaConsumer(
        *names, auto_offset_reset="earliest", enable_auto_commit=False, **broker.client()
    )
    await consumer.start()
    found: list[Any] = []
    try:
        while batch := await consumer.getmany(timeout_ms=3000):
            for records in batch.values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


async def dead_letters(broker: Broker, topics: Topics) -> int:
    records = await read_all(broker, [dead_letter(t) for t in topics.all_fixed()])
    errors: Counter[str] = Counter()
    for record in records:
        headers = {k: v.decode(errors="replace") for k, v in record.headers}
        errors[f"{headers.get('dlq_service')}: {headers.get('dlq_error', '')[:160]}"] += 1
    for error, n in errors.most_common(5):
        print(f"dead letter ×{n}: {error}", file=sys.stderr)
    return len(records)


async def queue_copies(broker: Broker, topics: Topics, agency: str) -> tuple[int, int]:
    """On the agency's queue: (cases with more than one routing event, re-published events).

    A re-published event (same event id: the outbox's at-least-once) is harmless, consumers
    de-duplicate on it; two routing events for one case would be a case routed twice."""
    events: defaultdict[bytes, set[str]] = defaultdict(set)
    copies = 0
    for record in await read_all(broker, [topics.agency_queue(agency)]):
        headers = {k: v.decode(errors="replace") for k, v in record.headers}
        if headers.get("event_type") != "case.routed":
            continue
        event_id = headers.get("event_id", "")
        if event_id in events[record.key or b""]:
            copies += 1
        events[record.key or b""].add(event_id)
    return sum(1 for ids in events.values() if len(ids) > 1), copies
