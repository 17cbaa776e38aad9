"""`pakn classify` decides and publishes exactly what tests/data/classify-golden.jsonl records.

The golden file holds every output line of `pakn classify` on the four labelled files
(scripts/classify_golden.py). Speed work (issue 12) must not move any of them. A change that
is meant to move a decision (a new rule, a fixed redaction) regenerates the file with

    .venv/bin/python scripts/classify_golden.py --write-golden

and says in its commit why each moved item moved. On failure this test lists every moved
item with the fields that changed, old → new.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from services.router.core import load_core

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "classify-golden.jsonl"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "classify_golden", ROOT / "scripts" / "classify_golden.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Field-by-field differences, nested fields (public.title) spelt with a dot."""
    moved = []
    for key in sorted(set(old) | set(new), key=str):
        before, after = old.get(key), new.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            moved.extend(_changes(before, after, f"{prefix}{key}."))
        elif before != after or (key in old) != (key in new):
            moved.append(f"{prefix}{key}: {before!r} → {after!r}")
    return moved


def test_classify_outputs_equal_the_golden_file() -> None:
    script = _script()
    if any(not path.exists() for path in script.FILES):
        pytest.skip("a labelled file is missing")
    golden = [json.loads(line) for line in GOLDEN.read_text("utf-8").splitlines()]
    fresh = list(script.golden_lines(load_core()))
    expected = {(r["file"], r["line"]): r["output"] for r in golden}
    found = {(r["file"], r["line"]): r["output"] for r in fresh}
    report = [f"{key}: missing from the fresh run" for key in expected.keys() - found.keys()]
    report += [f"{key}: not in the golden file" for key in found.keys() - expected.keys()]
    for key in sorted(expected.keys() & found.keys()):
        if changes := _changes(expected[key], found[key]):
            name = expected[key].get("id") or key
            report.append(f"{key[0]}:{key[1]} ({name}): " + "; ".join(changes))
    assert not report, f"{len(report)} item(s) moved:\n" + "\n".join(report)
