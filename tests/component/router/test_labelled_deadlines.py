"""The forwarding deadline `pakn classify` gives every labelled item, checked against a count
made here by hand from the rulebook (domain.md §5) and the official schedules, not from the
router's calendar data: the day of receipt is not counted, only Monday–Friday that are not
days off count, plus the Saturdays swapped into working days; 5 working days to forward.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SETS = (ROOT.parent / "shared" / "samples" / "pakn-dev.jsonl", ROOT / "tests/data/pakn-2025.jsonl")

# Weekdays off, as announced for each year (2023: domain.md §5 and the 2023 notice; 2025 and
# 2026: the notices cited in services/router/data/holidays.yaml).
DAYS_OFF = {
    *(date(2023, 1, d) for d in (2, 20, 23, 24, 25, 26)),
    date(2023, 5, 1), date(2023, 5, 2), date(2023, 5, 3), date(2023, 9, 1), date(2023, 9, 4),
    date(2025, 1, 1), *(date(2025, 1, d) for d in range(27, 32)), date(2025, 4, 7),
    date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2), date(2025, 9, 1), date(2025, 9, 2),
    date(2026, 1, 1), date(2026, 1, 2), *(date(2026, 2, d) for d in range(16, 21)),
    date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31),
    date(2026, 9, 1), date(2026, 9, 2), date(2026, 11, 24),
}  # fmt: skip
WORKING_SATURDAYS = {date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)}


def working(day: date) -> bool:
    if day in WORKING_SATURDAYS:
        return True
    return day.weekday() < 5 and day not in DAYS_OFF


def after_working_days(received: date, days: int) -> date:
    day, counted = received, 0
    while counted < days:
        day += timedelta(days=1)
        counted += working(day)
    return day


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_the_forwarding_deadline_is_five_working_days_on_every_item(path: Path) -> None:
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    run = subprocess.run(
        [sys.executable, "-m", "services.cli", "classify", str(path)],
        capture_output=True, check=True, text=True, cwd=ROOT,
    )  # fmt: skip
    results = [json.loads(line) for line in run.stdout.splitlines()]
    wrong = []
    for item, got in zip(items, results, strict=True):
        received = datetime.fromisoformat(item["received_at"]).date()
        want = after_working_days(received, 5).isoformat()
        if got["due_forward"] != want:
            wrong.append((item["id"], item["received_at"], got["due_forward"], want))
    assert not wrong, wrong
