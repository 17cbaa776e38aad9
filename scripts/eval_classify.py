#!/usr/bin/env python
"""Compare `pakn classify` with the labels of a flat file that carries `expected` objects.

.venv/bin/python scripts/eval_classify.py ../shared/samples/pakn-dev.jsonl
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from services.kit.text import fold


def main(path: str) -> None:
    lines = [
        json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    out = subprocess.run(
        [sys.executable, "-m", "services.cli", "classify", path], capture_output=True, check=True
    ).stdout.decode()
    results = [json.loads(x) for x in out.splitlines()]
    admit = agency = cls = kind = accepted = clean = 0
    confusion: Counter[str] = Counter()
    for item, got in zip(lines, results, strict=True):
        want = item["expected"]
        admit += (got["accepted"], got["reason"]) == (want["accepted"], want["reason"])
        if not (want["accepted"] and got["accepted"]):
            if got["accepted"] != want["accepted"] or got["reason"] != want["reason"]:
                print(
                    f"admissibility miss {item['id']}: want {want['reason']}, got {got['reason']}"
                )
        else:
            accepted += 1
            agency += got["agency"] == want["agency"]
            cls += got["class"] == want["class"]
            kind += got["kind"] == want["kind"]
            if got["agency"] != want["agency"]:
                confusion[f"{want['agency']} -> {got['agency']}"] += 1
        public = fold(json.dumps(got["public"], ensure_ascii=False))
        leaks = [p for p in want.get("pii", []) if fold(p) in public]
        clean += not leaks
        if leaks:
            print(f"pii leak {item['id']}: {leaks}")
    n = len(lines)
    print(f"admissibility: {admit}/{n} = {admit / n:.1%}")
    print(f"agency (accepted items): {agency}/{accepted} = {agency / accepted:.1%}")
    print(
        f"class: {cls}/{accepted} = {cls / accepted:.1%}; kind: {kind}/{accepted} = {kind / accepted:.1%}"
    )
    print(f"public text free of expected.pii: {clean}/{n}")
    for pair, count in confusion.most_common():
        print(f"  confusion {pair}: {count}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/samples/pakn-dev.jsonl")
