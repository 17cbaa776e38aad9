#!/usr/bin/env python
"""Benchmark: `pakn import` of a large flat file, then its routing and agency e-mails.

The three services run as their own processes on the real broker and PostgreSQL (as in
`scripts/bench.py`, which this reuses) with a local SMTP server. A JSON Lines file of
`--lines` items in the flat import format (interfaces.md §1) is written, each from its own
caller (name and phone differ, as in a call centre's export), and imported with
`pakn import` against the intake's database. The run measures, from the start of the
import:
- `import_s`: until `pakn import` has registered every line (its own process, as an
  officer runs it);
- `routed_s`: until the router has every case;
- `mailed_s`: until the SMTP server has accepted every case's agency e-mail.
The items are dated 6 Mar 2023, like `scripts/bench.py`'s: a backlog, so the router's
scheduler also escalates them as they come. The last line is one JSON object:

    {"lines", "import_s", "import_lines_per_s", "routed_s", "mailed_s", "cases_per_s",
     "rss_mib": {service: MiB}}

    deploy/kafka.sh start; deploy/postgres.sh start
    .venv/bin/python scripts/bench_import.py --lines 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from aiosmtpd.controller import Controller
from bench import (
    Processes,
    Stopwatch,
    add_system_options,
    create_topics,
    delete_topics,
    done_with_databases,
    peak_memory,
    service_env,
    start_services,
    stop_services,
)

from schemas.topics import Topics


def flat_line(i: int) -> str:
    return json.dumps(
        {
            "id": f"NHAP-{i}",
            "channel": "hotline",
            "received_at": "2023-03-06T08:15:00+07:00",
            "name": f"Người Gọi {i}",
            "address": "thôn 3, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai",
            "phone": f"09{i:08d}",
            "email": "",
            "title": "Chậm cấp giấy chứng nhận quyền sử dụng đất",
            "content": (
                f"Hồ sơ số {i}: tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ "
                "phận một cửa UBND huyện Ia Grai, quá hạn đã lâu chưa được giải quyết, đề nghị "
                "kiểm tra."
            ),
        },
        ensure_ascii=False,
    )


def write_file(directory: Path, lines: int) -> Path:
    path = directory / f"nhap-{lines}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            out.write(flat_line(i) + "\n")
    return path


async def count_cases(url: str) -> int:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM router_case"))
    finally:
        await conn.close()


async def measure(args: argparse.Namespace, work: Path) -> dict[str, object]:
    topics = Topics(f"benchimp{uuid.uuid4().hex[:8]}")
    await create_topics(args.kafka, [*topics.all_fixed(), topics.agency_queue("IGR")])
    path = write_file(work, args.lines)
    watch = Stopwatch()
    smtp = Controller(watch, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    urls: dict[str, str] = {}
    procs: Processes = await start_services(args, topics, args.smtp_port, urls)
    try:
        env = service_env(
            "intake",
            database_url=urls["intake"],
            kafka=args.kafka,
            topics=topics,
            port=18199,
            smtp_port=args.smtp_port,
        )
        start = time.perf_counter()
        imported = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.cli", "import", "--quiet", "--json", str(path),
            env=env, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        summary, _ = await imported.communicate()
        import_s = time.perf_counter() - start
        print(f"pakn import: {args.lines} lines in {import_s:.1f} s; {summary.decode().strip()}")
        routed_s = mailed_s = float("nan")
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if routed_s != routed_s and await count_cases(urls["router"]) >= args.lines:
                routed_s = time.perf_counter() - start
                print(f"routed: {args.lines} cases {routed_s:.1f} s after the import began")
            if len(watch.accepted) >= args.lines:
                mailed_s = max(watch.snapshot().values()) - start
                break
            await asyncio.sleep(1.0)
        print(f"agency e-mails: {len(watch.accepted)}/{args.lines}, last {mailed_s:.1f} s in")
        memory = peak_memory(procs)
    finally:
        await stop_services(procs)
        smtp.stop()
        await done_with_databases(args, urls)
        await delete_topics(args.kafka, f"{topics.namespace}.")
    return {
        "lines": args.lines,
        "import_s": round(import_s, 1),
        "import_lines_per_s": round(args.lines / import_s, 1),
        "routed_s": round(routed_s, 1),
        "mailed_s": round(mailed_s, 1),
        "cases_per_s": round(len(watch.accepted) / mailed_s, 1) if mailed_s == mailed_s else None,
        "rss_mib": memory,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--lines", type=int, default=10_000)
    add_system_options(p, smtp_port=18126, timeout_s=7200.0)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="pakn-bench-import-") as work:
        figures = asyncio.run(measure(args, Path(work)))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
