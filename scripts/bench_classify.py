#!/usr/bin/env python
"""Per-item cost of `pakn classify`: admissibility, routing, redaction and the total (issue 12).

Loads the router core once, then times, for every item of the four labelled files,
`assess` on the normalised item, `core.route` on its routing input, `redact_case` on its title
and content with the known personal data that `pakn classify` passes, and the complete
per-item work of `pakn classify` (`classify_item`: normalising, the duplicate register,
admissibility, deadlines, routing and redaction; one register per file, as one run has).
Prints mean, p50 and p99 milliseconds per item for each, then one JSON line of the means;
`--profile` adds a cProfile top-15 (by cumulative time) of each.

    .venv/bin/python scripts/bench_classify.py [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas.submission import Submission  # noqa: E402
from services.classify import Register, _known, classify_item, routing_input  # noqa: E402
from services.intake.domain.admissibility import assess  # noqa: E402
from services.intake.domain.normalise import normalise_submission  # noqa: E402
from services.intake.flatfile import read_flat  # noqa: E402
from services.router.core import RouterCore, load_core  # noqa: E402
from services.text.redaction import redact_case  # noqa: E402

FILES = (
    ROOT.parent / "shared" / "samples" / "pakn-dev.jsonl",
    ROOT / "tests" / "data" / "pakn-tune.jsonl",
    ROOT / "tests" / "data" / "pakn-holdout.jsonl",
    ROOT / "tests" / "data" / "pakn-2025.jsonl",
)


def raw_items(files: tuple[Path, ...]) -> list[list[Submission]]:
    """The submissions of each file, as read (before normalising)."""
    found: list[list[Submission]] = []
    for path in files:
        if not path.exists():
            print(f"skipped (missing): {path}", file=sys.stderr)
            continue
        found.append([line.submission for line in read_flat(path) if line.submission])
    return found


def redaction(item: Submission) -> object:
    """What `pakn classify` publishes of an item, with the personal data it knows."""
    return redact_case(item.title, item.content, known=_known(item))


def timed_totals(files: list[list[Submission]], core: RouterCore, rounds: int) -> list[float]:
    """Milliseconds of `classify_item` per item, the best of `rounds` passes over each file
    with a fresh duplicate register (the register's state depends on the items before)."""
    best: list[float] = []
    for _ in range(rounds):
        times = []
        for subs in files:
            register = Register()
            for item in subs:
                start = time.perf_counter()
                classify_item(item, core=core, register=register)
                times.append((time.perf_counter() - start) * 1000)
        best = [min(a, b) for a, b in zip(best, times, strict=True)] if best else times
    return best


def total_jobs(files: list[list[Submission]], core: RouterCore) -> list[Callable[[], object]]:
    """One job per file: `classify_item` on each of its items, in order (for the profile)."""

    def run(subs: list[Submission]) -> None:
        register = Register()
        for item in subs:
            classify_item(item, core=core, register=register)

    return [partial(run, subs) for subs in files]


def timed(jobs: list[Callable[[], object]], rounds: int) -> list[float]:
    """Milliseconds per job, the best of `rounds` runs of each (least disturbed by others)."""
    best = [float("inf")] * len(jobs)
    for _ in range(rounds):
        for i, job in enumerate(jobs):
            start = time.perf_counter()
            job()
            best[i] = min(best[i], (time.perf_counter() - start) * 1000)
    return best


def summary(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"{name:<13} items={len(ms):4d}  mean={statistics.fmean(ms):7.3f} ms  "
        f"p50={statistics.median(ms):7.3f} ms  p99={p99:7.3f} ms  max={ordered[-1]:7.3f} ms"
    )


def profile(name: str, jobs: list[Callable[[], object]]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for job in jobs:
        job()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
    print(f"--- cProfile: {name} (top 15, cumulative) ---")
    print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs per item; the best counts")
    parser.add_argument("--profile", action="store_true", help="print a cProfile top-15")
    args = parser.parse_args()

    started = time.perf_counter()
    core = load_core()
    print(f"load_core: {(time.perf_counter() - started) * 1000:.0f} ms")
    files = raw_items(FILES)
    subs = [normalise_submission(item) for items in files for item in items]
    inputs = [routing_input(item) for item in subs]
    assess_jobs: list[Callable[[], object]] = [partial(assess, item) for item in subs]
    route_jobs: list[Callable[[], object]] = [partial(core.route, given) for given in inputs]
    redact_jobs: list[Callable[[], object]] = [partial(redaction, item) for item in subs]
    # One warm-up pass: lazily built tables and caches are a one-off cost per process.
    for job in assess_jobs + route_jobs + redact_jobs + total_jobs(files, core):
        job()
    means = {}
    for name, jobs in (
        ("admissibility", assess_jobs),
        ("routing", route_jobs),
        ("redaction", redact_jobs),
    ):
        ms = timed(jobs, args.rounds)
        means[name] = statistics.fmean(ms)
        print(summary(name, ms))
    total = timed_totals(files, core, args.rounds)
    print(summary("total", total))
    if args.profile:
        profile("admissibility", assess_jobs)
        profile("routing", route_jobs)
        profile("redaction", redact_jobs)
        profile("total", total_jobs(files, core))
    figures = {
        "items": len(total),
        "routing_ms": round(means["routing"], 3),
        "redaction_ms": round(means["redaction"], 3),
        "admissibility_ms": round(means["admissibility"], 3),
        "classify_ms_per_item": round(statistics.fmean(total), 3),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
