#!/usr/bin/env python
"""Per-item cost of the two text-heavy cores: routing and redaction (issue 12).

Loads the router core once, then times, for every item of the four labelled files,
`core.route` on the item's routing input and `redact_case` on its title and content with the
known personal data that `pakn classify` passes. Prints mean, p50 and p99 milliseconds per
item for each; `--profile` adds a cProfile top-15 (by cumulative time) of each.

    .venv/bin/python scripts/bench_classify.py [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
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
from services.classify import _known, routing_input  # noqa: E402
from services.intake.domain.normalise import normalise_submission  # noqa: E402
from services.intake.flatfile import read_flat  # noqa: E402
from services.router.core import load_core  # noqa: E402
from services.text.redaction import redact_case  # noqa: E402

FILES = (
    ROOT.parent / "shared" / "samples" / "pakn-dev.jsonl",
    ROOT / "tests" / "data" / "pakn-tune.jsonl",
    ROOT / "tests" / "data" / "pakn-holdout.jsonl",
    ROOT / "tests" / "data" / "pakn-2025.jsonl",
)


def items(files: tuple[Path, ...]) -> list[Submission]:
    found: list[Submission] = []
    for path in files:
        if not path.exists():
            print(f"skipped (missing): {path}", file=sys.stderr)
            continue
        found.extend(
            normalise_submission(line.submission)
            for line in read_flat(path)
            if line.submission is not None
        )
    return found


def redaction(item: Submission) -> object:
    """What `pakn classify` publishes of an item, with the personal data it knows."""
    return redact_case(item.title, item.content, known=_known(item))


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
        f"{name:<10} items={len(ms):4d}  mean={statistics.fmean(ms):7.3f} ms  "
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
    subs = items(FILES)
    inputs = [routing_input(item) for item in subs]
    route_jobs: list[Callable[[], object]] = [partial(core.route, given) for given in inputs]
    redact_jobs: list[Callable[[], object]] = [partial(redaction, item) for item in subs]
    # One warm-up pass: lazily built tables and caches are a one-off cost per process.
    for job in route_jobs + redact_jobs:
        job()
    print(summary("routing", timed(route_jobs, args.rounds)))
    print(summary("redaction", timed(redact_jobs, args.rounds)))
    if args.profile:
        profile("routing", route_jobs)
        profile("redaction", redact_jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
