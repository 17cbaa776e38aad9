"""Measure redaction on a labelled file: how many items publish no personal data.

Usage: python scripts/eval_redaction.py [FILE.jsonl]   (default: ../shared/samples/pakn-dev.jsonl)

Each line is an item in the flat import format with `expected.pii`, the strings that
must never appear in the public version. Prints the figure, every leak, and the number
of findings per kind. Exit status 1 when anything leaked.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from services.text.redaction import KnownPersonalData, leaked, redact_case

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "samples" / "pakn-dev.jsonl"


def known_of(item: dict[str, Any]) -> KnownPersonalData:
    return KnownPersonalData.for_submitter(
        submitter_type=item.get("submitter_type") or "individual",
        name=item.get("name") or "",
        organization=item.get("organization") or "",
        address=item.get("address") or "",
        phone=item.get("phone") or "",
        email=item.get("email") or "",
    )


def evaluate(items: list[dict[str, Any]]) -> tuple[dict[str, list[str]], Counter[str]]:
    """Leaks per item id, and findings per kind, over all items."""
    leaks: dict[str, list[str]] = {}
    per_kind: Counter[str] = Counter()
    for item in items:
        result = redact_case(
            item.get("title") or "", item.get("content") or "", known=known_of(item)
        )
        per_kind.update(str(f.kind) for f in result.findings)
        found = leaked(f"{result.title}\n{result.content}", item.get("expected", {}).get("pii", []))
        if found:
            leaks[str(item.get("id", "?"))] = found
    return leaks, per_kind


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    items = [json.loads(line) for line in lines if line.strip()]
    leaks, per_kind = evaluate(items)
    clean = len(items) - len(leaks)
    share = clean / len(items) if items else 1.0
    print(f"clean: {clean}/{len(items)} ({share:.1%})")
    for item_id, values in leaks.items():
        print(f"  leak {item_id}: {', '.join(values)}")
    print("findings per kind:")
    for kind, count in per_kind.most_common():
        print(f"  {kind:<15} {count}")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
