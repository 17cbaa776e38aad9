#!/usr/bin/env python
"""Benchmark: N cases through the three services on the real broker and PostgreSQL.

Prints cases/second end to end, p50/p99 latency from the intake topic to the agency's
notification e-mail accepted by the SMTP server, the peak memory (VmHWM) of each service
process, and, in the same run, the throughput of a bare aiokafka relay through the same
number of topic hops as the reference.

    deploy/kafka.sh start; deploy/postgres.sh start
    .venv/bin/python scripts/bench.py --cases 500
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
import uuid
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import Topics
from services.kit.migrate import upgrade

ITEM = re.compile(r"Hồ sơ số (\d+):")
HOPS = 3  # intake topic → case events (accepted) → case events (routed) → SMTP


class Stopwatch:
    """SMTP handler: when each bench item's assignment e-mail was accepted (by item number)."""

    def __init__(self) -> None:
        self.accepted: dict[int, float] = {}

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = message_from_bytes(envelope.content, policy=default)  # type: ignore[attr-defined]
        if "Chuyển xử lý" in str(message["Subject"]):
            body = message.get_body(("plain",))
            found = ITEM.search(body.get_content() if body else "")
            if found:
                self.accepted.setdefault(int(found.group(1)), time.perf_counter())
        return "250 OK"


def submission(i: int) -> bytes:
    item = Submission.model_validate(
        {
            "channel": "web",
            "channel_ref": f"BENCH-{i}",
            "received_at": "2023-03-06T08:15:00+07:00",
            "name": f"Người Thử {i}",
            "address": "thôn 3, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai",
            "phone": "0914 222 333",
            "title": "Chậm cấp giấy chứng nhận quyền sử dụng đất",
            "content": (
                f"Hồ sơ số {i}: tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận "
                "một cửa UBND huyện Ia Grai, quá hạn đã lâu chưa được giải quyết, đề nghị kiểm tra."
            ),
        }
    )
    return (
        SubmissionReceived(correlation_id=f"BENCH-{i}", submission=item).model_dump_json().encode()
    )


async def create_database(dsn: str) -> str:
    name = f"pakn_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(f"{dsn}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"{dsn.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    await asyncio.to_thread(upgrade, url)
    return url


async def create_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(n, num_partitions=3, replication_factor=1) for n in names])
    await admin.close()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def service_env(
    name: str,
    *,
    database_url: str,
    kafka: str,
    topics: Topics,
    port: int,
    smtp_port: int,
    mail_poll_s: float,
) -> dict[str, str]:
    """The environment of one service process (`pakn run NAME`) on this machine."""
    prefix = f"PAKN_{name.upper()}_"
    return {
        **os.environ,
        prefix + "DATABASE_URL": database_url,
        prefix + "KAFKA_BOOTSTRAP": kafka,
        prefix + "TOPIC_NAMESPACE": topics.namespace,
        prefix + "HTTP_PORT": str(port),
        prefix + "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PAKN_NOTIFIER_SMTP_PORT": str(smtp_port),
        "PAKN_NOTIFIER_MAIL_POLL_S": str(mail_poll_s),
    }


async def start_services(args: argparse.Namespace, topics: Topics, smtp_port: int) -> dict:
    procs = {}
    for port, name in enumerate(("intake", "router", "notifier"), start=18101):
        env = service_env(
            name,
            database_url=await create_database(args.pg_dsn),
            kafka=args.kafka,
            topics=topics,
            port=port,
            smtp_port=smtp_port,
            mail_poll_s=0.05,
        )
        procs[name] = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.cli", "run", name, env=env
        )
    await asyncio.sleep(args.warmup)
    return procs


async def measure_system(args: argparse.Namespace) -> None:
    topics = Topics(f"bench{uuid.uuid4().hex[:8]}")
    await create_topics(args.kafka, [*topics.all_fixed(), topics.agency_queue("IGR")])
    watch = Stopwatch()
    smtp = Controller(watch, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    procs = await start_services(args, topics, args.smtp_port)
    producer = AIOKafkaProducer(bootstrap_servers=args.kafka, enable_idempotence=True, linger_ms=5)
    await producer.start()
    sent: list[float] = []
    start = time.perf_counter()
    for i in range(args.cases):
        if args.rate:  # paced: latency without a backlog in front of the services
            await asyncio.sleep(max(0.0, start + i / args.rate - time.perf_counter()))
        sent.append(time.perf_counter())
        await producer.send(topics.intake, submission(i), key=f"BENCH-{i}".encode())
    await producer.flush()
    await producer.stop()
    deadline = time.monotonic() + args.timeout
    while len(watch.accepted) < args.cases and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    done = sorted(watch.accepted.values())
    latencies = [t - sent[i] for i, t in watch.accepted.items()]
    memory = {name: peak_rss_mib(p.pid) for name, p in procs.items()}
    for p in procs.values():
        p.terminate()
        await p.wait()
    smtp.stop()
    if len(done) < args.cases:
        print(f"only {len(done)}/{args.cases} e-mails within {args.timeout}s")
    report_system(
        args.cases, len(done), done[-1] - start if done else float("nan"), latencies, memory
    )


def report_system(n: int, got: int, elapsed: float, latencies: list[float], memory: dict) -> None:
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    print(f"system: {got}/{n} cases in {elapsed:.2f} s = {got / elapsed:.1f} cases/s end to end")
    print(
        f"system: latency intake topic → agency e-mail p50 {q[49] * 1000:.0f} ms, "
        f"p99 {q[98] * 1000:.0f} ms"
    )
    for name, mib in memory.items():
        print(f"system: peak memory {name} {mib:.0f} MiB")


async def measure_bare_relay(args: argparse.Namespace) -> None:
    """The reference: consume → produce through HOPS topics with plain aiokafka."""
    base = f"benchraw{uuid.uuid4().hex[:8]}"
    names = [f"{base}.{i}" for i in range(HOPS + 1)]
    await create_topics(args.kafka, names)
    producer = AIOKafkaProducer(bootstrap_servers=args.kafka, enable_idempotence=True, linger_ms=5)
    await producer.start()
    payload = submission(0)

    async def relay(src: str, dst: str | None, count: list[int]) -> None:
        consumer = AIOKafkaConsumer(
            src,
            bootstrap_servers=args.kafka,
            group_id=f"{src}-g",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            while count[0] < args.cases:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    for record in records:
                        if dst:
                            await producer.send(dst, record.value, key=record.key)
                        count[0] += 1
                    await consumer.commit()
        finally:
            await consumer.stop()

    counters = [[0] for _ in range(HOPS)]
    tasks = [
        asyncio.create_task(relay(names[i], names[i + 1] if i < HOPS - 1 else None, counters[i]))
        for i in range(HOPS)
    ]
    await asyncio.sleep(2)
    start = time.perf_counter()
    for i in range(args.cases):
        await producer.send(names[0], payload, key=str(i).encode())
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.timeout)
    elapsed = time.perf_counter() - start
    await producer.stop()
    print(
        f"reference: bare aiokafka relay, {HOPS} hops: {args.cases} messages in {elapsed:.2f} s "
        f"= {args.cases / elapsed:.1f} messages/s"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cases", type=int, default=500)
    p.add_argument("--kafka", default=os.environ.get("PAKN_TEST_KAFKA", "127.0.0.1:19092"))
    p.add_argument(
        "--pg-dsn",
        default=os.environ.get("PAKN_TEST_PG_DSN", "postgresql://pakn:pakn@127.0.0.1:15432"),
    )
    p.add_argument("--rate", type=float, default=0.0, help="cases/s to send (0: all at once)")
    p.add_argument("--smtp-port", type=int, default=18125)
    p.add_argument("--warmup", type=float, default=8.0, help="seconds for services to join")
    p.add_argument("--timeout", type=float, default=300.0)
    args = p.parse_args()
    asyncio.run(measure_system(args))
    asyncio.run(measure_bare_relay(args))


if __name__ == "__main__":
    main()
