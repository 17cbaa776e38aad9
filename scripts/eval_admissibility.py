"""How often `assess` agrees with the labelled samples (accepted + reason), and where not.

    python scripts/eval_admissibility.py [FILE.jsonl]   (default: ../shared/samples/pakn-dev.jsonl)

Lines labelled `duplicate` are left out: that reason needs the register.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.intake.domain.admissibility import Decision, assess
from services.intake.domain.normalise import normalise_submission
from services.intake.flatfile import to_submission

DEFAULT_SAMPLES = Path(__file__).resolve().parents[1].parent / "shared/samples/pakn-dev.jsonl"


@dataclass(frozen=True)
class Miss:
    line: int
    item_id: str
    expected: str
    got: Decision


@dataclass(frozen=True)
class Report:
    counted: int
    agreed: int
    misses: list[Miss]
    unreadable: list[int]  # line numbers the importer refused

    @property
    def agreement(self) -> float:
        return self.agreed / self.counted if self.counted else 0.0


def evaluate(lines: list[str]) -> Report:
    counted, agreed, misses, unreadable = 0, 0, [], []
    for number, line in enumerate(lines, start=1):
        row: dict[str, Any] = json.loads(line)
        expected = row.pop("expected")
        if expected.get("reason") == "duplicate":
            continue
        read = to_submission(number, row)
        if read.submission is None:
            unreadable.append(number)
            continue
        decision = assess(normalise_submission(read.submission))
        counted += 1
        if decision.accepted == expected["accepted"] and decision.reason == expected["reason"]:
            agreed += 1
        else:
            label = "accepted" if expected["accepted"] else f"refused: {expected['reason']}"
            misses.append(Miss(number, str(row.get("id")), label, decision))
    return Report(counted, agreed, misses, unreadable)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SAMPLES
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = evaluate(lines)
    print(f"{path}: {report.agreed}/{report.counted} agree ({report.agreement:.1%})")
    if report.unreadable:
        print(f"  not counted, the importer refused lines {report.unreadable}")
    for miss in report.misses:
        got = "accepted" if miss.got.accepted else f"refused: {miss.got.reason}"
        print(f"  line {miss.line} {miss.item_id}: expected {miss.expected}, got {got}")
        print(f"    {miss.got.explanation}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
