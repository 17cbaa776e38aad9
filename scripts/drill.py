#!/usr/bin/env python
"""Fault drill: cases through the three services while something breaks, then a count.

The three services run as their own processes (`pakn run …`) on the real broker, on a
PostgreSQL server of the drill's own (started by deploy/postgres.sh on a free port, so a
restart disturbs nothing else) and on a local SMTP server. Cases are sent to the intake
topic at a steady rate; in the middle of the stream the fault happens; when every case's
agency e-mail has arrived (or the time is up) the drill prints one row:

    fault | sent | registered | routed | agency mails | lost | duplicated | dead letters

Faults: `none`, `pg-restart` (fast shutdown, start again after --down seconds),
`kill-intake`, `kill-router`, `kill-notifier` (kill -9, restart after --down seconds).

    deploy/kafka.sh start
    .venv/bin/python scripts/drill.py --fault pg-restart --down 15 --cases 2000 --rate 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid
from collections import Counter
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench import create_topics, service_env, submission  # noqa: E402

from schemas.topics import Topics, dead_letter  # noqa: E402
from tests.integration.restartable_pg import RestartablePostgres  # noqa: E402

SERVICES = ("intake", "router", "notifier")


class AgencyMails:
    """SMTP handler counting the agency assignment e-mails per case."""

    def __init__(self) -> None:
        self.per_case: Counter[str] = Counter()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = message_from_bytes(envelope.content, policy=default)  # type: ignore[attr-defined]
        if "Chuyển xử lý" in str(message["Subject"]):
            self.per_case[str(message["X-PAKN-Case"])] += 1
        return "250 OK"


class Services:
    def __init__(self, envs: dict[str, dict[str, str]], logs: Path | None) -> None:
        self.envs, self.logs = envs, logs
        self.procs: dict[str, asyncio.subprocess.Process] = {}

    async def start(self, name: str) -> None:
        out: Any = asyncio.subprocess.DEVNULL
        if self.logs is not None:
            self.logs.mkdir(parents=True, exist_ok=True)
            out = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.cli",
            "run",
            name,
            env=self.envs[name],
            stdout=out,
            stderr=out,
        )

    async def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        await self.procs[name].wait()

    async def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()


async def count(url: str, sql: str) -> int:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def dead_letters(bootstrap: str, topics: Topics) -> int:
    names = [dead_letter(t) for t in topics.all_fixed()]
    consumer = AIOKafkaConsumer(
        *names, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    total = 0
    errors: Counter[str] = Counter()
    try:
        while batch := await consumer.getmany(timeout_ms=1500):
            for records in batch.values():
                total += len(records)
                for record in records:
                    headers = {k: v.decode(errors="replace") for k, v in record.headers}
                    errors[
                        f"{headers.get('dlq_service')}: {headers.get('dlq_error', '')[:160]}"
                    ] += 1
    finally:
        await consumer.stop()
    for error, n in errors.most_common(5):
        print(f"dead letter ×{n}: {error}", file=sys.stderr)
    return total


async def fault(args: argparse.Namespace, pg: RestartablePostgres, services: Services) -> str:
    if args.fault == "none":
        return "none"
    if args.fault == "pg-restart":
        await pg.stop()
        await asyncio.sleep(args.down)
        await pg.start()
        return f"PostgreSQL fast shutdown, start after {args.down:g} s"
    name = args.fault.removeprefix("kill-")
    await services.kill(name)
    await asyncio.sleep(args.down)
    await services.start(name)
    return f"kill -9 {name}, restart after {args.down:g} s"


async def drill(args: argparse.Namespace) -> None:
    topics = Topics(f"drill{uuid.uuid4().hex[:8]}")
    await create_topics(args.kafka, [*topics.all_fixed(), topics.agency_queue("IGR")])
    mails = AgencyMails()
    smtp = Controller(mails, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    pg = RestartablePostgres()
    await pg.start()
    urls = {name: await pg.database() for name in SERVICES}
    envs = {
        name: service_env(
            name,
            database_url=urls[name],
            kafka=args.kafka,
            topics=topics,
            port=port,
            smtp_port=args.smtp_port,
            mail_poll_s=0.1,
        )
        for port, name in enumerate(SERVICES, start=18201)
    }
    services = Services(envs, args.logs)
    try:
        for name in SERVICES:
            await services.start(name)
        await asyncio.sleep(args.warmup)
        producer = AIOKafkaProducer(bootstrap_servers=args.kafka, enable_idempotence=True)
        await producer.start()
        start = time.monotonic()
        faulted: asyncio.Task[str] | None = None
        for i in range(args.cases):
            await asyncio.sleep(max(0.0, start + i / args.rate - time.monotonic()))
            await producer.send(topics.intake, submission(i), key=f"BENCH-{i}".encode())
            if faulted is None and i >= args.cases // 3:
                faulted = asyncio.create_task(fault(args, pg, services))
        await producer.flush()
        await producer.stop()
        label = await faulted if faulted else "none"
        deadline = time.monotonic() + args.timeout
        while len(mails.per_case) < args.cases and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        await asyncio.sleep(5)  # late duplicates would show up now
        registered = await count(urls["intake"], "SELECT count(*) FROM intake_case")
        routed = await count(urls["router"], "SELECT count(*) FROM router_case")
        uncertain = await count(
            urls["notifier"], "SELECT count(*) FROM notifier_delivery WHERE status = 'uncertain'"
        )
        parked = await dead_letters(args.kafka, topics)
    finally:
        await services.stop_all()
        smtp.stop()
        await pg.remove()
    mailed = len(mails.per_case)
    doubled = sum(n - 1 for n in mails.per_case.values()) + max(0, registered - args.cases)
    print(
        "| fault | sent | registered | routed | agency mails | lost | duplicated | dead letters |"
    )
    print("|---|---|---|---|---|---|---|---|")
    note = f" ({uncertain} recorded uncertain)" if uncertain else ""
    print(
        f"| {label} | {args.cases} | {registered} | {routed} | {mailed}{note} | "
        f"{args.cases - mailed} | {doubled} | {parked} |"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--fault",
        choices=["none", "pg-restart", *(f"kill-{name}" for name in SERVICES)],
        default="pg-restart",
    )
    p.add_argument("--down", type=float, default=15.0, help="seconds the part stays down")
    p.add_argument("--cases", type=int, default=2000)
    p.add_argument("--rate", type=float, default=20.0, help="cases/s sent to the intake topic")
    p.add_argument("--kafka", default=os.environ.get("PAKN_TEST_KAFKA", "127.0.0.1:19092"))
    p.add_argument("--smtp-port", type=int, default=18225)
    p.add_argument("--warmup", type=float, default=8.0, help="seconds for services to join")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--logs", type=Path, help="write each service's output to DIR/<name>.log")
    asyncio.run(drill(p.parse_args()))


if __name__ == "__main__":
    main()
