"""Every labelled set is a regression test: its figures may not drop.

The floors are the figures of the day they were set (2 Dec 2026); a change that moves a
decision must say why in its commit, and raise or justify a floor here. `pakn-2025.jsonl`
(items received after 1 Jul 2025, written from the rulebook without reading the rules)
holds the issue-9 targets: agency ≥ 95% of accepted items, admissibility ≥ 97%.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.router.test_holdout import Figures, _figures

DATA = Path(__file__).resolve().parents[2] / "data"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "samples" / "pakn-dev.jsonl"

# set → (admissibility, agency, class, kind) floors
FLOORS = {
    "dev": (1.0, 1.0, 1.0, 1.0),
    "tune": (0.993, 0.983, 0.99, 0.974),
    "2025": (0.978, 0.962, 0.937, 0.962),
}
FILES = {"dev": SHARED, "tune": DATA / "pakn-tune.jsonl", "2025": DATA / "pakn-2025.jsonl"}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def labelled(request: pytest.FixtureRequest) -> tuple[str, Figures]:
    path = FILES[request.param]
    assert path.exists(), f"labelled set missing: {path}"
    return request.param, _figures(path)


def test_figures_do_not_drop(labelled: tuple[str, Figures]) -> None:
    name, figures = labelled
    admissibility, agency, case_class, kind = FLOORS[name]
    assert figures.admissibility >= admissibility, figures
    assert figures.agency >= agency, figures
    assert figures.case_class >= case_class, figures
    assert figures.kind >= kind, figures


def test_the_2025_set_is_after_the_merger_and_names_both_former_provinces() -> None:
    import json

    items = [json.loads(x) for x in FILES["2025"].read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 60
    assert min(i["received_at"] for i in items) >= "2025-07-01"
    communes = {
        i["expected"]["agency"] for i in items if str(i["expected"]["agency"]).startswith("X")
    }
    assert len(communes) >= 30
