#!/usr/bin/env python
"""Write `tests/data/classify-golden.jsonl`: what `pakn classify` prints for the labelled files.

Each of the four labelled files is classified as one `pakn classify FILE` run would do it
(one duplicate register per file, input order), and every output line is written with the
file's name and its line number:

    {"file": "pakn-tune.jsonl", "line": 7, "output": {...the pakn classify line...}}

`tests/unit/test_classify_golden.py` recomputes these lines and compares them field by field.
A change that moves a decision regenerates the file and says why in its commit:

    .venv/bin/python scripts/classify_golden.py --write-golden
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.classify import classify_lines  # noqa: E402
from services.intake.flatfile import read_flat  # noqa: E402
from services.router.core import RouterCore, load_core  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "classify-golden.jsonl"
FILES = (
    ROOT.parent / "shared" / "samples" / "pakn-dev.jsonl",
    ROOT / "tests" / "data" / "pakn-tune.jsonl",
    ROOT / "tests" / "data" / "pakn-holdout.jsonl",
    ROOT / "tests" / "data" / "pakn-2025.jsonl",
)


def golden_lines(core: RouterCore, files: tuple[Path, ...] = FILES) -> Iterator[dict[str, Any]]:
    """One record per input line of each file, as `pakn classify FILE` classifies it."""
    for path in files:
        for line_no, output in enumerate(classify_lines(read_flat(path), core=core), start=1):
            yield {"file": path.name, "line": line_no, "output": output}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-golden", action="store_true", help=f"rewrite {GOLDEN.name}")
    args = parser.parse_args()
    if not args.write_golden:
        parser.error("nothing to do: pass --write-golden to rewrite the golden file")
    missing = [str(path) for path in FILES if not path.exists()]
    if missing:
        parser.error(f"missing labelled file(s): {', '.join(missing)}")
    records = list(golden_lines(load_core()))
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"wrote {len(records)} lines to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
