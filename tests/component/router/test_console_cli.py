"""`pakn accounts`: an agency's first accounts and API tokens from the command line."""

from __future__ import annotations

import asyncio
import io
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from services.cli import parser
from services.kit.db import Database
from services.kit.settings import data_dir_url
from services.router.console.accounts_cli import run_accounts
from services.router.console.credentials import digest, verify_password
from services.router.console.demo import seed_demo_accounts
from services.router.domain.agencies import DEFAULT_AGENCIES, AgencyRegistry, load_agencies
from services.router.models import Account, ApiToken
from tests.unit.router.console_support import PASSWORD, _migrated_template


@pytest.fixture
async def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    shutil.copy(await _migrated_template(), tmp_path / "router.db")
    url = data_dir_url(tmp_path, "router")
    monkeypatch.setenv("PAKN_ROUTER_DATABASE_URL", url)
    return url


async def _accounts(url: str) -> list[Account]:
    db = Database(url)
    try:
        async with db.session() as session:
            return list((await session.exec(select(Account))).all())
    finally:
        await db.dispose()


def _run(argv: list[str], **kwargs: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_accounts(parser().parse_args(argv), out=out, err=err, **kwargs)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


async def test_create_reads_the_password_from_a_file_and_stores_only_its_hash(
    db_url: str, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    argv = ["accounts", "create", "--agency", "stnmt", "--username", "Le.Thi.B", "--role", "head"]
    code, out, _ = await _in_thread([*argv, "--password-file", str(secret)])
    assert code == 0 and out == "Đã tạo tài khoản le.thi.b (lãnh đạo cơ quan, STNMT).\n"
    (account,) = await _accounts(db_url)
    assert account.password_hash != PASSWORD and verify_password(PASSWORD, account.password_hash)
    again, _, err = await _in_thread([*argv, "--password-file", str(secret)])
    assert again == 2 and "đã có" in err


async def test_create_asks_twice_and_refuses_weak_or_misplaced_accounts(db_url: str) -> None:
    base = ["accounts", "create", "--agency", "STNMT", "--username", "cb.stnmt"]
    answers = iter(["mật khẩu một lần đủ dài", "khác hẳn"])
    code, _, err = await _in_thread([*base, "--role", "officer"], prompt=lambda _: next(answers))
    assert code == 2 and "không giống nhau" in err
    weak = iter(["ngắn", "ngắn"])
    code, _, err = await _in_thread([*base, "--role", "officer"], prompt=lambda _: next(weak))
    assert code == 2 and "ít nhất 12 ký tự" in err
    same = iter([PASSWORD, PASSWORD])
    code, _, err = await _in_thread([*base, "--role", "supervisor"], prompt=lambda _: next(same))
    assert code == 2 and "Chỉ tài khoản của VPUB" in err
    assert await _accounts(db_url) == []


async def test_bootstrap_creates_a_head_per_agency_with_passwords_only_the_owner_reads(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three agencies of the packaged file keep the test quick (each password costs a KDF).
    every = yaml.safe_load(DEFAULT_AGENCIES.read_text(encoding="utf-8"))["agencies"]
    few = [a for a in every if a["code"] in ("VPUB", "STNMT", "IGR")]
    (tmp_path / "agencies.yaml").write_text(yaml.safe_dump({"agencies": few}), encoding="utf-8")
    monkeypatch.setenv("PAKN_ROUTER_AGENCIES_FILE", str(tmp_path / "agencies.yaml"))
    out_file = tmp_path / "heads.tsv"
    code, out, _ = await _in_thread(["accounts", "bootstrap", "--out", str(out_file)])
    assert code == 0
    assert out == f"Đã tạo 4 tài khoản; mật khẩu trong tệp {out_file} (chỉ bạn đọc được).\n"
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    header, *lines = out_file.read_text().splitlines()
    assert header == "# cơ quan\ttên đăng nhập\tvai trò\tmật khẩu (đổi tại /can-bo/mat-khau)"
    rows = [line.split("\t") for line in lines]
    assert sorted(row[1] for row in rows) == [
        "igr.lanhdao",
        "stnmt.lanhdao",
        "vpub.giamsat",
        "vpub.lanhdao",
    ]
    accounts = {a.username: a for a in await _accounts(db_url)}
    agency, username, role, password = rows[0]
    assert accounts[username].agency == agency and role == "head"
    assert verify_password(password, accounts[username].password_hash)
    assert accounts["vpub.giamsat"].role == "supervisor"
    refused, _, err = await _in_thread(["accounts", "bootstrap", "--out", str(out_file)])
    assert refused == 2, "never overwrites a passwords file"
    assert (
        err
        == f"pakn accounts: tệp {out_file} đã có; không ghi đè tệp mật khẩu, hãy chọn tên tệp khác.\n"
    )
    listed, out, _ = await _in_thread(["accounts", "list"])
    assert listed == 0
    assert "STNMT\tstnmt.lanhdao\tlãnh đạo cơ quan\tđang hoạt động" in out.splitlines()
    assert "VPUB\tvpub.giamsat\tgiám sát (Văn phòng UBND tỉnh)\tđang hoạt động" in out


async def test_a_token_is_printed_once_and_stored_hashed(db_url: str) -> None:
    argv = ["accounts", "token", "--agency", "IGR", "--label", "Một cửa huyện", "--by", "admin"]
    code, out, _ = await _in_thread(argv)
    said, secret = out.splitlines()
    assert said == "Khóa API (chỉ hiện một lần; hệ thống chỉ lưu mã băm của khóa):"
    assert code == 0 and secret.startswith("pakn_")
    db = Database(db_url)
    async with db.session() as session:
        (token,) = (await session.exec(select(ApiToken))).all()
    await db.dispose()
    assert token.token_hash == digest(secret) and token.agency == "IGR"


async def _in_thread(argv: list[str], **kwargs: object) -> tuple[int, str, str]:
    """The command runs its own event loop, as from the shell."""
    return await asyncio.to_thread(_run, argv, **kwargs)


async def test_the_embedded_system_seeds_trial_logins_once(db_url: str, tmp_path: Path) -> None:
    every = load_agencies()
    few = AgencyRegistry(agencies=tuple(a for a in every.agencies if a.code in ("VPUB", "IGR")))
    path = tmp_path / "tai-khoan-thu.tsv"
    db = Database(db_url)
    try:
        printed = await seed_demo_accounts(db, few, path)
        assert any("vpub.giamsat" in line and str(path) in line for line in printed)
        assert not any(" / " in line for line in printed), "no password on the terminal"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        rows = [line.split("\t") for line in path.read_text().splitlines()[1:]]
        accounts = {a.username: a for a in await _accounts(db_url)}
        assert (
            {row[1] for row in rows}
            == set(accounts)
            == {"vpub.lanhdao", "igr.lanhdao", "vpub.giamsat"}
        )
        assert all(verify_password(row[3], accounts[row[1]].password_hash) for row in rows)
        again = await seed_demo_accounts(db, few, path)
        assert len(await _accounts(db_url)) == 3 and not any(" / " in line for line in again)
    finally:
        await db.dispose()


async def test_a_file_problem_is_told_in_vietnamese(db_url: str, tmp_path: Path) -> None:
    nowhere = tmp_path / "khong-co" / "heads.tsv"
    code, out, err = await _in_thread(["accounts", "bootstrap", "--out", str(nowhere)])
    assert (code, out) == (2, "")
    assert err == f"pakn accounts: không tìm thấy tệp {nowhere} (hoặc thư mục chứa tệp).\n"
    assert await _accounts(db_url) == []
