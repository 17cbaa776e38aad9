"""The `pakn` commands find the embedded default's data (`var/embedded`) when no database
URL is configured, or take `--data DIR`; an operator's mistake is one Vietnamese line and
exit 2, never a traceback; help is in Vietnamese with defaults and examples (issue 14)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.databases import migrated_template

ROOT = Path(__file__).parents[2]
PASSWORD = "Mat-khau-du-dai-2026!x"


def pakn(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAKN_")}
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def _embedded_data(folder: Path) -> Path:
    """A data folder as `pakn embedded` leaves it (its databases migrated)."""
    folder.mkdir(parents=True)
    for name in ("intake", "router", "notifier"):
        shutil.copyfile(migrated_template(), folder / f"{name}.db")
    return folder


def test_without_data_a_command_says_what_to_run(tmp_path: Path) -> None:
    done = pakn("accounts", "list", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "pakn embedded" in done.stderr
    assert "var/embedded" in done.stderr


def test_accounts_create_finds_the_embedded_default(tmp_path: Path) -> None:
    _embedded_data(tmp_path / "var" / "embedded")
    (tmp_path / "mk.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    made = pakn(
        "accounts",
        "create",
        "--agency",
        "STC",
        "--username",
        "ketoan",
        "--role",
        "officer",
        "--password-file",
        "mk.txt",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    listed = pakn("accounts", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "ketoan" in listed.stdout


def test_data_names_another_folder(tmp_path: Path) -> None:
    _embedded_data(tmp_path / "thu")
    listed = pakn("accounts", "list", "--data", "thu", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    missing = pakn("accounts", "list", "--data", "khong-co", cwd=tmp_path)
    assert missing.returncode == 2 and "khong-co" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_folder_without_tables_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "trong").mkdir()
    (tmp_path / "a.jsonl").write_text("{}\n", encoding="utf-8")
    done = pakn("import", "--quiet", "--data", "trong", "a.jsonl", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "pakn migrate" in done.stderr
    listed = pakn("accounts", "list", "--data", "trong", cwd=tmp_path)
    assert listed.returncode == 2 and "Traceback" not in listed.stderr
    assert "pakn migrate" in listed.stderr


def test_migrate_creates_the_data_folder(tmp_path: Path) -> None:
    done = pakn("migrate", "router", "--data", "moi", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "moi" / "router.db").is_file()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ((), ("Ví dụ", "pakn embedded --port 8080 --data")),
        (("embedded",), ("--port", "(8000)", "var/embedded", "tai-khoan-thu.tsv")),
        (("import",), ("--no-notify", "Ví dụ", "--data", "không gửi thư")),
        (("accounts", "create"), ("Ví dụ", "--data", "lãnh đạo")),
        (("migrate",), ("Ví dụ", "mặc định: all")),
    ],
)
def test_help_is_in_vietnamese_with_defaults_and_examples(
    tmp_path: Path, argv: tuple[str, ...], words: tuple[str, ...]
) -> None:
    done = pakn(*argv, "--help", cwd=tmp_path)
    assert done.returncode == 0
    for word in words:
        assert word in done.stdout, (argv, word)
