"""The import contracts of pyproject.toml ([tool.importlinter]; docs/architecture.md).

The first test runs `lint-imports` on the code as it is; the others copy the code, add one
forbidden import, and check that the same configuration then fails on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` with the configuration and the packages found in `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(cwd), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    """The packages and the configuration, copied so that a test may add an import."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "data", "*.html")
    for package in ("services", "schemas"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "new_import", "broken", "reported"),
    [
        (
            "services/intake/register.py",
            "import services.router.domain.calendar",
            "intake, router and notifier do not import each other BROKEN",
            "services.intake.register -> services.router.domain.calendar",
        ),
        (
            "services/router/service.py",
            "import services.notifier.mail",
            "intake, router and notifier do not import each other BROKEN",
            "services.router.service -> services.notifier.mail",
        ),
        (
            "services/kit/outbox.py",
            "import services.notifier.models",
            "services.kit, services.text and schemas import none of the three services BROKEN",
            "services.kit.outbox -> services.notifier.models",
        ),
        (
            "services/text/redaction/names.py",
            "import services.notifier.labels",
            "services.kit, services.text and schemas import none of the three services BROKEN",
            "services.text.redaction.names -> services.notifier.labels",
        ),
        (
            "schemas/events.py",
            "import services.kit.text",
            "schemas imports nothing from services BROKEN",
            "schemas.events -> services.kit.text",
        ),
        (
            "services/kit/faults.py",
            "import services.kit.health",  # health imports faults
            "no import cycles between the modules of a package BROKEN",
            "No cycles are allowed in services.kit.",
        ),
    ],
)
def test_a_new_forbidden_import_breaks_a_contract(
    copy_of_the_code: Path, module: str, new_import: str, broken: str, reported: str
) -> None:
    path = copy_of_the_code / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{new_import}  # new\n", "utf-8")

    result = lint_imports(copy_of_the_code)

    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout, result.stdout
    assert reported in result.stdout, result.stdout


def test_an_ignored_import_that_is_gone_must_leave_the_baseline(copy_of_the_code: Path) -> None:
    """The baseline of debt can only shrink: a stale `ignore_imports` line fails the check."""
    config = copy_of_the_code / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    stale = '"services.intake.register -> services.router.nowhere",'
    assert "ignore_imports = [\n" in text
    config.write_text(text.replace("ignore_imports = [\n", f"ignore_imports = [\n  {stale}\n", 1))

    result = lint_imports(copy_of_the_code)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "services.intake.register -> services.router.nowhere" in result.stdout + result.stderr
