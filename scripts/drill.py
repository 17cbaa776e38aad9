#!/usr/bin/env python
"""Fault drill: cases through the three services while something breaks, then a count.

The three services run as their own processes (`pakn run …`) on a real broker (the local
one, or with `--cluster` the secured three-node cluster of deploy/kafka-cluster.sh, each
service with its own SCRAM principal from `pakn acls`), on a PostgreSQL server of the
drill's own (so a restart disturbs nothing else) and on a local SMTP server. For each fault
in turn, on a topic namespace and databases of its own: cases are sent to the intake topic
at a steady rate, the fault happens a third of the way in, and when every agency e-mail has
arrived (or the time is up) the drill counts and prints one row:

    fault | sent | registered | routed | agency mails (uncertain) | lost | duplicated |
    routed twice | outbox left | dead letters | refused by SMTP | recovery

`outbox left` counts the outbox rows unpublished at the count that are still unpublished
30 s later (stuck), not rows a live scheduler has just staged. `recovery` is the time from the end of the fault until every case sent before that end had
its agency mail (for `none`, the same measured a third of the way in: the normal lag).
With `--one-flight` the faults happen in turn on ONE running system (one namespace, the
same databases and processes throughout), `--cases` split evenly between them, and each
row counts everything so far: 10,000 cases in flight through every fault. Faults: none, pg-restart (fast shutdown, start after --down s),
kill-intake, kill-router, kill-notifier (kill -9, restart after --down s), kill-broker
(kill -9 the broker; on the cluster the one that leads the busiest partitions; restart
after --down s), smtp-outage (421/451 to every mail for --down s, then accept), smtp-550
(some submitters' addresses answer 550: their receipt fails once and is not retried).
Some submitters give an address of the refusing domain in every fault, so a 550 never
blocks anything else. Exits 1 if any case was lost or duplicated.

    scripts/drill --fault all --cases 10000 --rate 30 --cluster --one-flight
    scripts/drill --fault pg-restart --down 15 --cases 2000 --rate 20
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench import service_env, submission  # noqa: E402
from drill_parts import (  # noqa: E402
    REJECTED_DOMAIN,
    Broker,
    Mailbox,
    cluster_settings,
    count,
    dead_letters,
    grant,
    kill_broker,
    queue_copies,
    stuck_outbox_rows,
)

from schemas.topics import Topics, dead_letter  # noqa: E402
from tests.integration.restartable_pg import RestartablePostgres  # noqa: E402

SERVICES = ("intake", "router", "notifier")
FAULTS = ("none", "pg-restart", *(f"kill-{n}" for n in SERVICES), "kill-broker", "smtp-outage",
          "smtp-550")  # fmt: skip
REFUSED_EVERY = 50  # one submitter in 50 gives an address that answers 550


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
            sys.executable, "-m", "services.cli", "run", name,
            env=self.envs[name], stdout=out, stderr=out,
        )  # fmt: skip

    async def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        await self.procs[name].wait()

    async def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()


@dataclass
class Row:
    fault: str
    sent: int
    registered: int
    routed: int
    mailed: int
    uncertain: int
    duplicated: int
    routed_twice: int
    outbox_left: int
    parked: int
    refused: str
    recovery_s: float

    @property
    def lost(self) -> int:
        """Cases with neither an agency mail nor an uncertain one (at most once: a mail
        whose SMTP transaction was cut during DATA is never resent, it is listed for the
        office as uncertain; not lost without a word)."""
        return max(0, self.sent - self.mailed - self.uncertain)

    def line(self) -> str:
        note = f" ({self.uncertain} uncertain)" if self.uncertain else ""
        return (
            f"| {self.fault} | {self.sent} | {self.registered} | {self.routed} | "
            f"{self.mailed}{note} | {self.lost} | {self.duplicated} | {self.routed_twice} | "
            f"{self.outbox_left} | {self.parked} | {self.refused or '-'} | "
            f"{self.recovery_s:.1f} s |"
        )


HEADER = (
    "| fault | sent | registered | routed | agency mails (uncertain) | lost | duplicated | routed twice "
    "| outbox left | dead letters | refused by SMTP | recovery |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def case(i: int) -> bytes:
    """The bench's submission; every REFUSED_EVERY-th gives an address that answers 550."""
    if i % REFUSED_EVERY:
        return submission(i)
    return submission(i, email=f"nguoi-{i}@{REJECTED_DOMAIN}")


async def create_topics(broker: Broker, names: list[str], replication: int) -> None:
    admin = AIOKafkaAdminClient(**broker.client())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, 3, replication) for n in names])
    finally:
        await admin.close()


async def fault(args: argparse.Namespace, name: str, ctx: dict[str, Any]) -> str:
    pg: RestartablePostgres = ctx["pg"]
    services: Services = ctx["services"]
    if name == "none":
        return "none"
    if name == "pg-restart":
        await pg.stop()
        await asyncio.sleep(args.down)
        await pg.start()
        return f"PostgreSQL fast shutdown, start after {args.down:g} s"
    if name == "kill-broker":
        return await kill_broker(ctx["broker"], ctx["topics"], args.broker_down)
    if name == "smtp-outage":
        ctx["mailbox"].outage_until = time.monotonic() + args.smtp_down
        await asyncio.sleep(args.smtp_down)
        return f"SMTP answers 421/451 for {args.smtp_down:g} s"
    if name == "smtp-550":
        return f"1 submitter in {REFUSED_EVERY} at a mailbox answering 550"
    service = name.removeprefix("kill-")
    await services.kill(service)
    await asyncio.sleep(args.down)
    await services.start(service)
    return f"kill -9 {service}, restart after {args.down:g} s"


async def timed(fault: Any) -> tuple[str, float]:
    """The fault's label and when it ended (the start of the recovery)."""
    label = await fault
    return label, time.monotonic()


@dataclass
class Flight:
    """One running system: a namespace, databases, the three services, the SMTP server."""

    args: argparse.Namespace
    topics: Topics
    broker: Broker
    mailbox: Mailbox
    smtp: Controller
    pg: RestartablePostgres
    urls: dict[str, str]
    services: Services
    sent: int = 0

    @property
    def ctx(self) -> dict[str, Any]:
        return {"pg": self.pg, "services": self.services, "broker": self.broker,
                "topics": self.topics, "mailbox": self.mailbox}  # fmt: skip


async def take_off(args: argparse.Namespace, broker: Broker, logs: Path | None) -> Flight:
    topics = Topics(f"drill{uuid.uuid4().hex[:8]}")
    replication = 3 if broker.cluster else 1
    fixed = topics.all_fixed()
    await create_topics(
        broker, [*fixed, *map(dead_letter, fixed), topics.agency_queue("IGR")], replication
    )
    if broker.cluster is not None:
        credentials = Path(tempfile.mkdtemp(prefix="pakn-drill-"))
        grant(topics, broker.cluster, credentials)
        broker = Broker(broker.bootstrap, broker.cluster, credentials)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    pg = RestartablePostgres()
    await pg.start()
    urls = {n: await pg.database() for n in SERVICES}
    envs = {
        n: {
            **service_env(n, database_url=urls[n], kafka=broker.bootstrap, topics=topics,
                          port=port, smtp_port=args.smtp_port, mail_poll_s=0.1),
            **broker.service_env(n, topics),
        }
        for port, n in enumerate(SERVICES, start=18201)
    }  # fmt: skip
    services = Services(envs, logs)
    for n in SERVICES:
        await services.start(n)
    await asyncio.sleep(args.warmup)
    return Flight(args, topics, broker, mailbox, smtp, pg, urls, services)


async def land(flight: Flight) -> None:
    await flight.services.stop_all()
    flight.smtp.stop()
    await flight.pg.remove()


async def leg(flight: Flight, name: str, cases: int) -> Row:
    """`cases` more cases at the drill's rate, `name` a third of the way in; then wait for
    every agency mail so far and count everything so far."""
    args, mailbox = flight.args, flight.mailbox
    first, flight.sent = flight.sent, flight.sent + cases
    producer = AIOKafkaProducer(enable_idempotence=True, **flight.broker.client("admin"))
    await producer.start()
    start = time.monotonic()
    faulted: asyncio.Task[tuple[str, float]] | None = None
    for i in range(first, flight.sent):
        await asyncio.sleep(max(0.0, start + (i - first) / args.rate - time.monotonic()))
        await producer.send(flight.topics.intake, case(i), key=f"BENCH-{i}".encode())
        if faulted is None and i - first >= cases // 3:
            faulted = asyncio.create_task(timed(fault(args, name, flight.ctx)))
    await producer.flush()
    await producer.stop()
    label, ended = await faulted if faulted else ("none", time.monotonic())
    sent_before = first + int(min(cases, (ended - start) * args.rate))
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if len(mailbox.arrived) >= flight.sent:
            break
        if len(mailbox.arrived) + await uncertain_agency_mails(flight) >= flight.sent:
            break  # the rest were cut during DATA: listed as uncertain, never resent
        await asyncio.sleep(1.0)
    await asyncio.sleep(5)  # late duplicates would show up now
    caught_up = max(
        (t for i, t in mailbox.arrived.items() if first <= i < sent_before), default=ended
    )
    urls = flight.urls
    row = Row(
        fault=label,
        sent=flight.sent,
        registered=await count(urls["intake"], "SELECT count(*) FROM intake_case"),
        routed=await count(urls["router"], "SELECT count(*) FROM router_case"),
        mailed=len(mailbox.arrived),
        uncertain=await uncertain_agency_mails(flight),
        duplicated=sum(n - 1 for n in mailbox.per_item.values()),
        routed_twice=(await queue_copies(flight.broker, flight.topics, "IGR"))[0],
        outbox_left=sum([await stuck_outbox_rows(urls[n]) for n in ("intake", "router")]),
        parked=await dead_letters(flight.broker, flight.topics),
        refused=", ".join(f"{code}×{n}" for code, n in sorted(mailbox.refused.items())),
        recovery_s=max(0.0, caught_up - ended),
    )
    row.duplicated += max(0, row.registered - flight.sent)
    return row


async def uncertain_agency_mails(flight: Flight) -> int:
    """Agency mails the notifier lists as uncertain (cut during DATA, e.g. by kill -9)."""
    return await count(
        flight.urls["notifier"],
        "SELECT count(*) FROM notifier_delivery"
        " WHERE status = 'uncertain' AND template = 'assignment'",
    )


async def run_one(args: argparse.Namespace, name: str, broker: Broker) -> Row:
    """`name` on a system of its own: `--cases` cases."""
    flight = await take_off(args, broker, args.logs / name if args.logs else None)
    try:
        return await leg(flight, name, args.cases)
    finally:
        await land(flight)


async def one_flight(args: argparse.Namespace, faults: tuple[str, ...], broker: Broker) -> bool:
    """Every fault in turn on one running system, `--cases` cases in all; after each fault
    a row of what the system holds so far (cumulative counts)."""
    flight = await take_off(args, broker, args.logs)
    failed = False
    try:
        for n, name in enumerate(faults):
            share = args.cases // len(faults) + (n < args.cases % len(faults))
            row = await leg(flight, name, share)
            print(row.line(), flush=True)
            failed |= bool(row.lost or row.duplicated or row.routed_twice)
    finally:
        await land(flight)
    return failed


async def drill(args: argparse.Namespace) -> int:
    faults = FAULTS if args.fault == "all" else tuple(args.fault.split(","))
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise SystemExit(f"unknown fault(s): {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    if args.cluster:
        settings = cluster_settings()
        broker = Broker(settings["PAKN_CLUSTER_BOOTSTRAP"], settings)
    else:
        broker = Broker(args.kafka)
    print(HEADER, flush=True)
    if args.one_flight:
        return 1 if await one_flight(args, faults, broker) else 0
    failed = False
    for name in faults:
        row = await run_one(args, name, broker)
        print(row.line(), flush=True)
        failed |= bool(row.lost or row.duplicated or row.routed_twice)
    return 1 if failed else 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--fault", default="pg-restart", help="one, a comma list, or 'all'")
    p.add_argument(
        "--down", type=float, default=15.0, help="seconds a service or PostgreSQL is down"
    )
    p.add_argument("--broker-down", type=float, default=60.0, help="seconds the broker is down")
    p.add_argument("--smtp-down", type=float, default=120.0, help="seconds SMTP refuses")
    p.add_argument("--cases", type=int, default=2000)
    p.add_argument("--rate", type=float, default=20.0, help="cases/s sent to the intake topic")
    p.add_argument("--cluster", action="store_true", help="on deploy/kafka-cluster.sh's cluster")
    p.add_argument(
        "--one-flight",
        action="store_true",
        help="every fault in turn on one running system, --cases in all (counts cumulative)",
    )
    p.add_argument(
        "--kafka", default="127.0.0.1:19092", help="the local broker (without --cluster)"
    )
    p.add_argument("--smtp-port", type=int, default=18225)
    p.add_argument("--warmup", type=float, default=8.0, help="seconds for services to join")
    p.add_argument("--timeout", type=float, default=900.0)
    p.add_argument(
        "--logs", type=Path, help="write each service's output to DIR/<fault>/<name>.log"
    )
    sys.exit(asyncio.run(drill(p.parse_args())))


if __name__ == "__main__":
    main()
