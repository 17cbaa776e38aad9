"""A service process does not hold the document libraries until a document is made.

fpdf2 (with numpy, Pillow and fontTools) and openpyxl are ~70 MiB resident together; the
router and the notifier import them only when a report or an answer letter is downloaded
(issue 12: peak memory of each service process; `scripts/measure_rss.py` measures it).
Each check runs in a fresh interpreter, as `pakn run SERVICE` starts.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("fpdf", "openpyxl", "numpy", "PIL", "fontTools")


def loaded_after(statement: str) -> list[str]:
    probe = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return run.stdout.split()


@pytest.mark.parametrize("service", ["intake", "router", "notifier"])
def test_starting_a_service_loads_no_document_library(service: str) -> None:
    statement = f"import services.cli, services.runners, services.{service}.service"
    assert loaded_after(statement) == []


def test_the_probe_sees_a_document_library_when_one_is_imported() -> None:
    assert "fpdf" in loaded_after("import services.router.reports.pdf")
