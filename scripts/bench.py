#!/usr/bin/env python
"""Benchmark: cases through the three services on the real broker and PostgreSQL.

One run measures, in turn:
1. the system paced at `--paced-rate` (default 100 cases/s, `--paced-cases` of them):
   p50/p99 latency from the intake topic to the agency's e-mail accepted by the SMTP
   server, without a backlog in front of the services, and the median and maximum per
   100 cases in the order sent (a queue that builds and drains shows there);
2. the system at full speed: `--cases` sent at once, cases/s from the first send to the
   last agency e-mail;
3. a bare aiokafka relay through the same number of topic hops (the reference);
4. `scripts/bench_classify.py`'s per-item cost of `pakn classify`.
The peak memory (VmHWM) of each service process is read at the end. `--replicas N` runs N
processes of each service. The last line is one JSON object to compare from run to run:

    {"cases", "cases_per_s", "bare_relay_per_s", "ratio", "p50_ms_at_100",
     "p99_ms_at_100", "paced": {"cases", "rate"}, "rss_mib": {service: MiB},
     "classify_ms_per_item", "replicas"}

The latencies keep the names `_at_100` at any `--paced-rate`; `paced` says which rate and
how many cases they were measured over.

The cases are received now (`--received-at now`): today's cases, routed under the
structure in force, none of them near a deadline. `--received-at backlog` dates them
6 Mar 2023, as the benchmark did before December 2026: every case is then overdue and the
router's scheduler escalates each one, which roughly doubles the work per case.

Each service's CPU time over the full-speed phase is printed per case, beside the broker's,
PostgreSQL's and this process's (the SMTP server that receives the mails): where the time
goes, by process. The JSON line carries it as `cpu_ms_per_case`, and the same over the paced
phase as `cpu_ms_per_case_paced`: there batches are small, each case pays a batch's fixed
cost alone, and that cost is what makes latency climb well below full speed.

    deploy/kafka.sh start; deploy/postgres.sh start
    .venv/bin/python scripts/bench.py --cases 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas.events import SubmissionReceived  # noqa: E402
from schemas.submission import Submission  # noqa: E402
from schemas.topics import Topics  # noqa: E402
from services.kit.migrate import upgrade  # noqa: E402

ITEM = re.compile(r"Hồ sơ số (\d+):")
HOPS = 3  # intake topic → case events (accepted) → case events (routed) → SMTP
BACKLOG_AT = "2023-03-06T08:15:00+07:00"  # a Monday; every deadline long passed
AGENCIES = ("IGR", "X23764")  # where the bench case goes: the district (2023), the commune
VIETNAM = timezone(timedelta(hours=7))


def received_at(option: str) -> str:
    """`now`, `backlog` (BACKLOG_AT) or an ISO 8601 time, as the submission's received_at."""
    if option == "now":
        return datetime.now(VIETNAM).isoformat(timespec="seconds")
    return BACKLOG_AT if option == "backlog" else datetime.fromisoformat(option).isoformat()


class Stopwatch:
    """SMTP handler: when each bench item's assignment e-mail was accepted (by item number)."""

    def __init__(self) -> None:
        self.accepted: dict[int, float] = {}

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        # compat32 (the default) reads only what is asked: a twelfth of the CPU time of the
        # `default` policy, which parsed every header. A real SMTP server parses nothing, and
        # this one shares the services' two cores.
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        if "Chuyển xử lý" in str(make_header(decode_header(message["Subject"] or ""))):
            found = ITEM.search(_plain_text(message))
            if found:
                self.accepted.setdefault(int(found.group(1)), time.perf_counter())
        return "250 OK"

    def snapshot(self) -> dict[int, float]:
        """`accepted` as it is now. The SMTP server runs in a thread of its own and adds to
        `accepted` meanwhile; iterating it directly can fail with "dictionary changed size
        during iteration", while `dict()` copies it in one step under the GIL."""
        return dict(self.accepted)


def _plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def submission(i: int, email: str = "", at: str = BACKLOG_AT) -> bytes:
    item = Submission.model_validate(
        {
            "email": email,
            "channel": "web",
            "channel_ref": f"BENCH-{i}",
            "received_at": at,
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


async def create_database(dsn: str, name: str = "") -> str:
    """Create and migrate database `name` (default: a new bench name); its URL."""
    name = name or f"pakn_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(f"{dsn}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"{dsn.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    await asyncio.to_thread(upgrade, url)
    return url


async def delete_topics(bootstrap: str, prefix: str) -> None:
    """Delete every topic whose name starts with `prefix` (a run's own: its namespace, the
    dead-letter topics the services made included), so the broker does not carry every
    earlier run's partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


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
    mail_poll_s: float | None = None,
) -> dict[str, str]:
    """The environment of one service process (`pakn run NAME`) on this machine; the
    mailer's safety-net poll is the production default unless `mail_poll_s` is given (a
    commit that queues mail wakes the mailer at once either way)."""
    prefix = f"PAKN_{name.upper()}_"
    env = {
        **os.environ,
        prefix + "DATABASE_URL": database_url,
        prefix + "KAFKA_BOOTSTRAP": kafka,
        prefix + "TOPIC_NAMESPACE": topics.namespace,
        prefix + "HTTP_PORT": str(port),
        prefix + "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PAKN_NOTIFIER_SMTP_PORT": str(smtp_port),
    }
    if mail_poll_s is not None:
        env["PAKN_NOTIFIER_MAIL_POLL_S"] = str(mail_poll_s)
    return env


SERVICES = ("intake", "router", "notifier")
SETTLE_S = 3.0  # after /readyz, for the consumer groups' last rebalances


Processes = dict[str, list[asyncio.subprocess.Process]]


async def start_services(
    args: argparse.Namespace, topics: Topics, smtp_port: int, urls: dict[str, str] | None = None
) -> Processes:
    """`--replicas` processes of each service; the replicas of a service share its database
    and its consumer groups, as they would in production. Each service's database URL is
    put in `urls` when given."""
    procs: Processes = {}
    port = 18101
    ports = []
    for name in SERVICES:
        database_url = await create_database(args.pg_dsn)
        if urls is not None:
            urls[name] = database_url
        procs[name] = []
        for _ in range(args.replicas):
            env = service_env(
                name,
                database_url=database_url,
                kafka=args.kafka,
                topics=topics,
                port=port,
                smtp_port=smtp_port,
            )
            ports.append(port)
            port += 1
            procs[name].append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "services.cli", "run", name, env=env
                )
            )
    await wait_ready(ports, limit_s=args.warmup)
    await asyncio.sleep(SETTLE_S)
    return procs


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


async def wait_ready(ports: list[int], *, limit_s: float) -> None:
    """Until every service on `ports` answers `/readyz` (at most `limit_s`)."""
    deadline = time.monotonic() + limit_s
    while not all([await asyncio.to_thread(ready, p) for p in ports]):
        if time.monotonic() > deadline:
            raise SystemExit(f"services not ready within {limit_s:g} s (ports {ports})")
        await asyncio.sleep(0.5)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def _pid_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_snapshot(procs: Processes) -> dict[str, float]:
    """CPU seconds so far: each service (its replicas summed), the broker and PostgreSQL
    that `deploy/` started on this machine (when their pid files are found), and this
    process (the producer and the SMTP server that receives the mails)."""
    used = {name: sum(cpu_s(p.pid) for p in group) for name, group in procs.items()}
    kafka = _pid_file(ROOT / "var" / "kafka" / "kafka.pid")
    if kafka:
        used["kafka"] = cpu_s(kafka)
    postmaster = _pid_file(ROOT / "var" / "postgres" / "data" / "postmaster.pid")
    if postmaster:
        used["postgres"] = sum(cpu_s(p) for p in [postmaster, *_children(postmaster)])
    mine = os.times()
    used["bench"] = mine.user + mine.system
    return used


def cpu_ms_per_case(
    before: dict[str, float], after: dict[str, float], cases: int
) -> dict[str, float]:
    """Each process's CPU milliseconds per case between two snapshots. PostgreSQL's backends
    that exit in between are not counted (the services keep theirs open)."""
    return {k: round(1000 * (after[k] - before.get(k, 0.0)) / max(cases, 1), 2) for k in after}


async def commits(dsn: str, urls: dict[str, str]) -> dict[str, int]:
    """Transactions each service's database has committed so far (`pg_stat_database`,
    which PostgreSQL updates about once a second: wait a little before the last reading)."""
    conn = await asyncpg.connect(f"{dsn}/postgres")
    try:
        rows = await conn.fetch(
            "SELECT datname, xact_commit FROM pg_stat_database WHERE datname = ANY($1)",
            [url.rpartition("/")[2] for url in urls.values()],
        )
    finally:
        await conn.close()
    found = {row["datname"]: int(row["xact_commit"]) for row in rows}
    return {name: found.get(url.rpartition("/")[2], 0) for name, url in urls.items()}


async def drop_databases(dsn: str, names: list[str]) -> None:
    conn = await asyncpg.connect(f"{dsn}/postgres")
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def done_with_databases(args: argparse.Namespace, urls: dict[str, str]) -> None:
    """Drop the run's databases, or say which they are with `--keep-databases`."""
    names = [url.rpartition("/")[2] for url in urls.values()]
    if args.keep_databases:
        print("databases kept: " + ", ".join(names))
    else:
        await drop_databases(args.pg_dsn, names)


def peak_memory(procs: Processes) -> dict[str, float]:
    """Each service's peak resident memory in MiB, the largest of its replicas."""
    return {
        name: round(max(peak_rss_mib(p.pid) for p in group), 1) for name, group in procs.items()
    }


async def stop_services(procs: Processes) -> None:
    for group in procs.values():
        for p in group:
            p.terminate()
            await p.wait()


class Phase(NamedTuple):
    """One stream of cases through the running system."""

    delivered: int
    elapsed_s: float
    latencies_s: list[float]  # in the order the cases were sent


async def send_cases(
    args: argparse.Namespace, topics: Topics, watch: Stopwatch, first: int, count: int, rate: float
) -> Phase:
    """Send cases `first`..`first+count-1` (at `rate` per second, 0: at once) and wait for
    their agency e-mails."""
    producer = AIOKafkaProducer(bootstrap_servers=args.kafka, enable_idempotence=True, linger_ms=5)
    await producer.start()
    sent: dict[int, float] = {}
    start = time.perf_counter()
    for i in range(first, first + count):
        if rate:  # paced: latency without a backlog in front of the services
            await asyncio.sleep(max(0.0, start + (i - first) / rate - time.perf_counter()))
        sent[i] = time.perf_counter()
        item = submission(i, at=received_at(args.received_at))
        await producer.send(topics.intake, item, key=f"BENCH-{i}".encode())
    await producer.flush()
    await producer.stop()
    deadline = time.monotonic() + args.timeout

    def arrived() -> dict[int, float]:
        return {i: t for i, t in watch.snapshot().items() if i in sent}

    while len(arrived()) < count and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    done = arrived()
    if len(done) < count:
        print(f"only {len(done)}/{count} e-mails within {args.timeout}s")
    last = max(done.values(), default=float("nan"))
    return Phase(len(done), last - start, [done[i] - sent[i] for i in sorted(done)])


def quantile_ms(latencies: list[float], q: int) -> float:
    if len(latencies) < 2:
        return float("nan")
    return round(statistics.quantiles(latencies, n=100)[q - 1] * 1000, 1)


async def measure_system(args: argparse.Namespace) -> dict[str, Any]:
    topics = Topics(f"bench{uuid.uuid4().hex[:8]}")
    await create_topics(args.kafka, [*topics.all_fixed(), *map(topics.agency_queue, AGENCIES)])
    watch = Stopwatch()
    smtp = Controller(watch, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    urls: dict[str, str] = {}
    procs = await start_services(args, topics, args.smtp_port, urls)
    try:
        started = cpu_snapshot(procs)
        paced = await send_cases(args, topics, watch, 0, args.paced_cases, args.paced_rate)
        report("paced", paced, args.paced_rate)
        before, committed = cpu_snapshot(procs), await commits(args.pg_dsn, urls)
        cpu_paced = cpu_ms_per_case(started, before, paced.delivered)
        print(
            "system, paced: CPU ms per case " + ", ".join(f"{k} {v}" for k, v in cpu_paced.items())
        )
        full = await send_cases(args, topics, watch, args.paced_cases, args.cases, 0)
        cpu = cpu_ms_per_case(before, cpu_snapshot(procs), full.delivered)
        await asyncio.sleep(1.5)  # for pg_stat_database's last update
        after = await commits(args.pg_dsn, urls)
        per_case = {k: round((after[k] - committed[k]) / max(full.delivered, 1), 2) for k in urls}
        report("full speed", full, 0)
        print(
            "system, full speed: CPU ms per case " + ", ".join(f"{k} {v}" for k, v in cpu.items())
        )
        print(
            "system, full speed: database transactions per case "
            + ", ".join(f"{k} {v}" for k, v in per_case.items())
        )
        memory = peak_memory(procs)
        for name, mib in memory.items():
            print(f"system: peak memory {name} {mib:.0f} MiB (largest of {args.replicas})")
    finally:
        await stop_services(procs)
        smtp.stop()
        await done_with_databases(args, urls)
        await delete_topics(args.kafka, f"{topics.namespace}.")
    return {
        "cases": full.delivered,
        "cases_per_s": round(full.delivered / full.elapsed_s, 1),
        "p50_ms_at_100": quantile_ms(paced.latencies_s, 50),
        "p99_ms_at_100": quantile_ms(paced.latencies_s, 99),
        "rss_mib": memory,
        "cpu_ms_per_case": cpu,
        "cpu_ms_per_case_paced": cpu_paced,
        "commits_per_case": per_case,
    }


def by_block(latencies_s: list[float], size: int = 100) -> list[tuple[int, float, float]]:
    """(first case, median ms, max ms) of each `size` cases in the order they were sent: a
    latency that climbs and then falls shows a queue the system only drains once its
    batches grow, one that stays flat a steady state."""
    blocks = []
    for first in range(0, len(latencies_s), size):
        block = sorted(latencies_s[first : first + size])
        blocks.append((first, round(block[len(block) // 2] * 1000), round(block[-1] * 1000)))
    return blocks


def report(name: str, phase: Phase, rate: float) -> None:
    offered = f"{rate:g} cases/s offered" if rate else "all at once"
    print(
        f"system, {name} ({offered}): {phase.delivered} cases in {phase.elapsed_s:.2f} s = "
        f"{phase.delivered / phase.elapsed_s:.1f} cases/s; latency intake topic → agency "
        f"e-mail p50 {quantile_ms(phase.latencies_s, 50)} ms, "
        f"p99 {quantile_ms(phase.latencies_s, 99)} ms"
    )
    if rate:
        blocks = ", ".join(f"{f}: {m}/{x}" for f, m, x in by_block(phase.latencies_s))
        print(f"system, {name}: median/max ms per 100 cases, as sent: {blocks}")


async def measure_bare_relay(args: argparse.Namespace) -> float:
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
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.timeout)
        elapsed = time.perf_counter() - start
    finally:
        await producer.stop()
        await delete_topics(args.kafka, f"{base}.")
    print(
        f"reference: bare aiokafka relay, {HOPS} hops: {args.cases} messages in {elapsed:.2f} s "
        f"= {args.cases / elapsed:.1f} messages/s"
    )
    return args.cases / elapsed


def classify_ms_per_item() -> float | None:
    """`scripts/bench_classify.py`'s figure: the CPU cost of `pakn classify` per item."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_classify.py"), "--rounds", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(run.stdout.splitlines()):
        if line.startswith("{"):
            figure = json.loads(line).get("classify_ms_per_item")
            return None if figure is None else round(float(figure), 3)
    print(f"bench_classify.py gave no figure: {run.stderr.strip()[-300:]}")
    return None


def add_system_options(p: argparse.ArgumentParser, *, smtp_port: int, timeout_s: float) -> None:
    """The options of a run of the whole system: its processes, broker, database, SMTP port."""
    p.add_argument("--replicas", type=int, default=1, help="processes of each service")
    p.add_argument("--kafka", default=os.environ.get("PAKN_TEST_KAFKA", "127.0.0.1:19092"))
    p.add_argument(
        "--pg-dsn",
        default=os.environ.get("PAKN_TEST_PG_DSN", "postgresql://pakn:pakn@127.0.0.1:15432"),
    )
    p.add_argument("--smtp-port", type=int, default=smtp_port)
    p.add_argument(
        "--keep-databases", action="store_true", help="do not drop the run's databases at its end"
    )
    p.add_argument(
        "--warmup", type=float, default=90.0, help="seconds at most for the services to be ready"
    )
    p.add_argument("--timeout", type=float, default=timeout_s)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cases", type=int, default=500, help="cases sent at once (full speed)")
    p.add_argument("--paced-cases", type=int, default=1000, help="cases sent at --paced-rate")
    p.add_argument("--paced-rate", type=float, default=100.0, help="cases/s offered when paced")
    p.add_argument(
        "--received-at",
        default="now",
        help="the cases' received_at: now (today's cases), backlog (6 Mar 2023) or an ISO time",
    )
    add_system_options(p, smtp_port=18125, timeout_s=600.0)
    args = p.parse_args()
    figures = asyncio.run(measure_system(args))
    relay = asyncio.run(measure_bare_relay(args))
    figures["bare_relay_per_s"] = round(relay, 1)
    figures["ratio"] = round(figures["cases_per_s"] / relay, 4)
    figures["classify_ms_per_item"] = classify_ms_per_item()
    figures["replicas"] = args.replicas
    figures["received_at"] = args.received_at
    # The latencies keep the names (`_at_100`) whatever the rate: say which it was.
    figures["paced"] = {"cases": args.paced_cases, "rate": args.paced_rate}
    order = ("cases", "cases_per_s", "bare_relay_per_s", "ratio", "p50_ms_at_100",
             "p99_ms_at_100", "paced", "rss_mib", "classify_ms_per_item", "replicas",
             "cpu_ms_per_case", "cpu_ms_per_case_paced", "commits_per_case",
             "received_at")  # fmt: skip
    print(json.dumps({key: figures[key] for key in order}, ensure_ascii=False))


if __name__ == "__main__":
    main()
