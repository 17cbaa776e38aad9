"""kit.heap.settle: start-up's objects frozen out of the collector's walks, the youngest
generation collected less often."""

from __future__ import annotations

import gc

from services.kit import heap


def test_settle_freezes_what_exists_and_raises_the_young_threshold() -> None:
    threshold = gc.get_threshold()
    built_at_start = [{"rule": n} for n in range(1000)]  # a service's long-lived tables
    try:
        heap.settle()
        assert gc.get_freeze_count() >= len(built_at_start)
        assert gc.get_threshold() == (heap.YOUNG, threshold[1], threshold[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
