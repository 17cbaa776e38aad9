"""The garbage collector of a long-running service process, set once it has started.

What a service builds at start-up (routing rules, gazetteers, templates, SQLAlchemy's
mappers, the web app) lives as long as the process; every full collection used to walk it
again. Measured on the benchmark (`scripts/bench.py`, 2,600 cases) before this: seven full
collections per service, up to 330 ms each, about 1 s per service in all, and as long
again in the young generations, collected every 700 allocations. `settle` freezes what
exists at start-up (`gc.freeze`: never collected, never walked again) and lets the
youngest generation grow to `YOUNG` objects between collections: most objects die by
reference counting alone, and only cycles wait for the collector, so this bounds the
garbage waiting at a few MiB.
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # allocations between collections of the youngest generation (default 700)


def settle() -> None:
    """Collect what start-up left, freeze the rest, and collect the young less often."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG, older, oldest)
