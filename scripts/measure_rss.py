#!/usr/bin/env python
"""Peak memory of each service process, at rest and after a burst of cases.

Starts `python -m services.cli run NAME` for each service as `scripts/bench.py` does (the
local broker and PostgreSQL, a database and a topic namespace of its own, a local SMTP
server), and reads the process's `/proc/PID/status`:

1. `rest`: VmHWM once the service answers `/readyz` and has idled `--settle` seconds
   (imports, reference data, web app, consumers joined);
2. `peak`: VmHWM after `--cases` cases were sent at once and every agency e-mail arrived
   (or `--timeout` passed), with VmRSS then (`after`).

Much shorter than the benchmark (a few hundred cases, seconds), so a change can be checked
before and after; the last line is one JSON object {service: {rest, peak, after} MiB}.
Its databases and topics are removed at the end.

    deploy/kafka.sh start; deploy/postgres.sh start
    .venv/bin/python scripts/measure_rss.py --cases 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench import (  # noqa: E402
    SERVICES,
    Stopwatch,
    create_database,
    create_topics,
    delete_topics,
    drop_databases,
    service_env,
    submission,
    wait_ready,
)

from schemas.topics import Topics  # noqa: E402

FIRST_PORT = 18401  # clear of bench.py (18101…) and the fault drill (18201…)


def memory_mib(pid: int) -> dict[str, float]:
    """VmHWM (the peak resident set so far) and VmRSS of a process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return found


async def send(bootstrap: str, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for i in range(count):
            await producer.send(topic, submission(i), key=f"BENCH-{i}".encode())
        await producer.flush()
    finally:
        await producer.stop()


async def measure(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    run = uuid.uuid4().hex[:8]
    topics = Topics(f"rss{run}")
    names = [*topics.all_fixed(), topics.agency_queue("IGR")]
    await create_topics(args.kafka, names)
    databases = [f"pakn_rss_{run}_{name}" for name in SERVICES]
    watch = Stopwatch()
    smtp = Controller(watch, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    procs: dict[str, asyncio.subprocess.Process] = {}
    figures: dict[str, dict[str, float]] = {}
    try:
        ports = {name: FIRST_PORT + i for i, name in enumerate(SERVICES)}
        for name, database in zip(SERVICES, databases, strict=True):
            url = await create_database(args.pg_dsn, database)
            env = service_env(
                name,
                database_url=url,
                kafka=args.kafka,
                topics=topics,
                port=ports[name],
                smtp_port=args.smtp_port,
            )
            procs[name] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "services.cli", "run", name, env=env, cwd=ROOT
            )
        try:
            async with asyncio.timeout(args.timeout):
                await wait_ready(list(ports.values()), limit_s=120)
        except TimeoutError:
            raise SystemExit(f"services not ready within {args.timeout} s") from None
        await asyncio.sleep(args.settle)
        rest = {name: memory_mib(p.pid)["VmHWM"] for name, p in procs.items()}
        started = time.monotonic()
        await send(args.kafka, topics.intake, args.cases)
        while len(watch.accepted) < args.cases and time.monotonic() - started < args.timeout:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        print(f"{len(watch.accepted)}/{args.cases} agency e-mails in "
              f"{time.monotonic() - started:.1f} s")  # fmt: skip
        await asyncio.sleep(args.settle)
        for name, p in procs.items():
            now = memory_mib(p.pid)
            figures[name] = {"rest": rest[name], "peak": now["VmHWM"], "after": now["VmRSS"]}
    finally:
        for p in procs.values():
            if p.returncode is None:
                p.terminate()
                await p.wait()
        smtp.stop()
        await drop_databases(args.pg_dsn, databases)
        await delete_topics(args.kafka, f"{topics.namespace}.")
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cases", type=int, default=500, help="cases sent at once")
    p.add_argument("--kafka", default=os.environ.get("PAKN_TEST_KAFKA", "127.0.0.1:19092"))
    p.add_argument(
        "--pg-dsn",
        default=os.environ.get("PAKN_TEST_PG_DSN", "postgresql://pakn:pakn@127.0.0.1:15432"),
    )
    p.add_argument("--smtp-port", type=int, default=18425)
    p.add_argument("--settle", type=float, default=3.0, help="seconds idle before each reading")
    p.add_argument("--timeout", type=float, default=300.0)
    args = p.parse_args()
    figures = asyncio.run(measure(args))
    for name, mib in figures.items():
        print(f"{name}: rest {mib['rest']} MiB, peak {mib['peak']} MiB, after {mib['after']} MiB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
