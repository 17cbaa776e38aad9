"""`pakn import FILE` fails loudly (exit status and a Vietnamese message) when the file
cannot be used, and every `pakn` command ends quietly when its reader closes the pipe."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.intake.errors import ImportFailed
from services.intake.import_command import run_import
from services.kit.db import Database
from services.kit.settings import data_dir_url
from services.router.models import Account
from tests.unit.databases import migrated_template
from tests.unit.intake.http_support import intake_settings
from tests.unit.intake.test_bulk_import import ITEM, csv_bytes, jsonl

ROOT = Path(__file__).parents[3]
ENGLISH = ("Field required", "Input should", "bad JSON", "not valid", "value_error")


def pakn(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    shutil.copyfile(migrated_template(), tmp_path / "intake.db")
    shutil.copyfile(migrated_template(), tmp_path / "router.db")
    return {
        "PAKN_INTAKE_DATABASE_URL": data_dir_url(tmp_path, "intake"),
        "PAKN_INTAKE_PUBLIC_BASE_URL": "https://pakn.gialai.gov.vn",
        "PAKN_INTAKE_ATTACHMENT_DIR": str(tmp_path / "files"),
        "PAKN_ROUTER_DATABASE_URL": data_dir_url(tmp_path, "router"),
    }


def test_a_csv_with_wrong_columns_is_refused_before_any_line(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "so.csv"
    path.write_text("ma,kenh,ngay,noi_dung\nCV-1,post,2023-03-06T08:15:00+07:00,Nội dung\n")
    done = pakn("import", "--quiet", str(path), env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert "thiếu cột bắt buộc channel, received_at, content" in done.stderr
    assert "Các cột của định dạng nhập: id, channel, received_at" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_of_which_no_line_could_be_read_fails(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(jsonl("{not json", {**ITEM, "channel": "pigeon"}, {"id": "X"}))
    done = pakn("import", "--quiet", str(path), env=env)
    assert done.returncode == 1, done.stderr
    assert "dòng lỗi: 3" in done.stdout and "không đọc được dòng nào" in done.stderr
    assert "dòng 1: không phải JSON hợp lệ" in done.stdout
    assert "Cột channel (web, portal, email, hotline, post): giá trị không được hỗ trợ" in (
        done.stdout
    )
    assert "Cột received_at: chưa điền" in done.stdout
    assert not any(word in done.stdout + done.stderr for word in ENGLISH)
    # One good line among bad ones: the file was read.
    path.write_bytes(jsonl("{not json", ITEM))
    done = pakn("import", "--quiet", "--json", str(path), env=env)
    assert done.returncode == 0 and json.loads(done.stdout)["accepted"] == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "nhị phân"),
        ("empty.jsonl", b"", "tệp rỗng"),
    ],
)
def test_a_binary_or_empty_file_fails_with_a_message(
    tmp_path: Path, env: dict[str, str], name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = pakn("import", "--quiet", str(path), env=env)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("blank.csv", b"\r\n  \n", "tệp rỗng"),
        ("tcvn.jsonl", json.dumps(ITEM, ensure_ascii=False).encode("cp1258", "replace"), "UTF-8"),
        ("bom-less-utf16.csv", "channel,received_at,content\n".encode("utf-16-le"), "nhị phân"),
        ("utf32.jsonl", json.dumps(ITEM).encode("utf-32"), "UTF-32"),
        ("notes.txt", b"channel,received_at,content\n", ".jsonl hoặc .csv"),
    ],
)
async def test_a_file_in_another_encoding_is_refused_before_any_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    shutil.copyfile(migrated_template(), tmp_path / "intake.db")
    path = tmp_path / name
    path.write_bytes(content)
    settings = intake_settings(tmp_path)
    with pytest.raises(ImportFailed, match=message):
        await run_import(path, settings=settings, err=io.StringIO(), progress=False)


def test_a_csv_with_a_header_and_no_item_fails(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "header-only.csv"
    path.write_bytes(csv_bytes())
    done = pakn("import", "--quiet", str(path), env=env)
    assert done.returncode == 1 and "không có mục nào" in done.stderr


async def _accounts(url: str, count: int) -> None:
    db = Database(url)
    async with db.transaction() as session:
        for i in range(count):
            session.add(Account(username=f"u{i}", agency="SXD", role="officer", password_hash="x"))
    await db.dispose()


@pytest.mark.parametrize("argv", [("accounts", "list"), ("acls", "--dry-run")])
def test_a_closed_pipe_ends_the_command_quietly(env: dict[str, str], argv: tuple[str]) -> None:
    asyncio.run(_accounts(env["PAKN_ROUTER_DATABASE_URL"], 50))
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **env},
    )
    assert process.stdout is not None
    process.stdout.close()  # like `| head` having read what it wanted, before any output
    _, err = process.communicate(timeout=120)
    assert process.returncode in (0, 141), err
    assert b"Traceback" not in err and b"BrokenPipe" not in err
