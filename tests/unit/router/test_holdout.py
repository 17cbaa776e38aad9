"""The acceptance figures on items the rules were not developed on (tests/data/pakn-holdout.jsonl).

The rules were tuned on the shared dev file and tests/data/pakn-tune.jsonl only; this file is
the honest estimate of how they do on unseen items, composed exactly as `pakn classify` is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.classify import classify_lines
from services.intake.flatfile import read_flat
from services.router.core import load_core

HOLDOUT = Path(__file__).resolve().parents[2] / "data" / "pakn-holdout.jsonl"

# The acceptance thresholds (admissibility on all items; the rest on items accepted by both
# the labels and the system).
ADMISSIBILITY = 0.95
AGENCY = 0.90
CLASS = 0.85
KIND = 0.85


@dataclass(frozen=True)
class Figures:
    items: int
    admissibility: float
    accepted: int
    agency: float
    case_class: float
    kind: float


def _figures(path: Path) -> Figures:
    expected = [
        json.loads(line)["expected"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    results = list(classify_lines(read_flat(path), core=load_core()))
    assert len(results) == len(expected) and not [r for r in results if "error" in r]
    pairs = list(zip(results, expected, strict=True))
    admitted = sum(_admission(got) == _admission(want) for got, want in pairs)
    both = [(got, want) for got, want in pairs if got["accepted"] and want["accepted"]]

    def share(key: str) -> float:
        return sum(got[key] == want[key] for got, want in both) / len(both)

    return Figures(
        items=len(expected),
        admissibility=admitted / len(expected),
        accepted=len(both),
        agency=share("agency"),
        case_class=share("class"),
        kind=share("kind"),
    )


def _admission(decision: dict[str, Any]) -> tuple[bool, str | None]:
    return bool(decision["accepted"]), decision["reason"]


@pytest.fixture(scope="module")
def figures() -> Figures:
    return _figures(HOLDOUT)


def test_the_holdout_covers_every_channel_and_refusal() -> None:
    items = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 50
    assert {i["channel"] for i in items} == {"web", "portal", "email", "hotline", "post"}
    reasons = {i["expected"]["reason"] for i in items} - {None}
    assert reasons >= {
        "missing_contact",
        "not_vietnamese",
        "empty_content",
        "complaint_or_denunciation",
        "not_administrative",
    }


def test_admissibility_on_unseen_items(figures: Figures) -> None:
    assert figures.admissibility >= ADMISSIBILITY, figures


def test_agency_on_unseen_accepted_items(figures: Figures) -> None:
    assert figures.accepted >= 40, figures
    assert figures.agency >= AGENCY, figures


def test_class_and_kind_on_unseen_accepted_items(figures: Figures) -> None:
    assert figures.case_class >= CLASS, figures
    assert figures.kind >= KIND, figures
