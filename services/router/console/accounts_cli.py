"""`pakn accounts …`: agencies' first accounts and API tokens, on the router's database
(settings from `PAKN_ROUTER_*`).

    pakn accounts create --agency STNMT --username nguyen.van.a --role head
    pakn accounts bootstrap --out heads.tsv
    pakn accounts token --agency STNMT --label "Hệ thống một cửa của Sở" --by admin
    pakn accounts list
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlmodel import col, select

from services.kit.db import Database
from services.router import audit
from services.router.console.access import ROLE_VI
from services.router.console.accounts import AccountError, create_account, issue_token
from services.router.console.credentials import random_password
from services.router.cutover import all_agencies
from services.router.domain.agencies import AgencyRegistry, load_agencies
from services.router.emit import TRIAGE_HOME
from services.router.models import Account
from services.router.settings import RouterSettings

Prompt = Callable[[str], str]
# The passwords file's first line. Its columns stay the codes `--role` takes (head,
# supervisor), so a line can be typed back into `pakn accounts create`.
SECRETS_HEADER = "# cơ quan\ttên đăng nhập\tvai trò\tmật khẩu (đổi tại /can-bo/mat-khau)\n"


def run_accounts(
    args: argparse.Namespace, *, out: TextIO, err: TextIO, prompt: Prompt = getpass.getpass
) -> int:
    settings = RouterSettings()
    try:
        file = settings.agencies_file
        agencies = load_agencies(file) if file else all_agencies()  # 2023 to today
        if args.action == "create":
            password = _password(args, prompt)
            return asyncio.run(_create(settings, agencies, args, password, out=out))
        if args.action == "bootstrap":
            return _bootstrap(settings, agencies, Path(args.out), out=out)
        if args.action == "token":
            return asyncio.run(_token(settings, agencies, args, out=out))
        return asyncio.run(_list(settings, out=out))
    except AccountError as error:
        print(f"pakn accounts: {error}", file=err)
        return 2
    except OSError as error:
        print(f"pakn accounts: {_file_problem(error)}", file=err)
        return 2


def _file_problem(error: OSError) -> str:
    """What went wrong with a file, in Vietnamese (the system's own words are English)."""
    name = f"tệp {error.filename}" if error.filename else "tệp"
    if isinstance(error, FileExistsError):
        return f"{name} đã có; không ghi đè tệp mật khẩu, hãy chọn tên tệp khác."
    if isinstance(error, FileNotFoundError):
        return f"không tìm thấy {name} (hoặc thư mục chứa tệp)."
    if isinstance(error, PermissionError):
        return f"không có quyền đọc, ghi {name}."
    return f"không đọc, ghi được {name} (lỗi hệ thống số {error.errno})."


def _password(args: argparse.Namespace, prompt: Prompt) -> str:
    if args.password_file:
        return Path(args.password_file).read_text(encoding="utf-8").strip("\r\n")
    first = prompt("Mật khẩu: ")
    if prompt("Nhập lại mật khẩu: ") != first:
        raise AccountError("Hai lần nhập mật khẩu không giống nhau.")
    return first


async def _create(
    settings: RouterSettings,
    agencies: AgencyRegistry,
    args: argparse.Namespace,
    password: str,
    *,
    out: TextIO,
) -> int:
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            account = await create_account(
                session,
                username=args.username,
                password=password,
                agency=args.agency.upper(),
                role=args.role,
                agencies=agencies,
                display_name=args.name,
                created_by="pakn accounts",
            )
            audit.record(
                session, action="account_created", actor="pakn accounts", detail=account.username
            )
    finally:
        await db.dispose()
    role = ROLE_VI.get(account.role, account.role)
    print(f"Đã tạo tài khoản {account.username} ({role}, {account.agency}).", file=out)
    return 0


def bootstrap_plan(agencies: AgencyRegistry) -> list[tuple[str, str, str]]:
    """(agency, username, role): a head for every agency, and the office's supervisor."""
    plan = [(a.code, f"{a.code.lower()}.lanhdao", "head") for a in agencies.agencies]
    if agencies.get(TRIAGE_HOME) is not None:
        plan.append((TRIAGE_HOME, f"{TRIAGE_HOME.lower()}.giamsat", "supervisor"))
    return plan


def _private_file(path: Path) -> TextIO:
    """A new file only its owner can read (refuses to overwrite one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


def _bootstrap(
    settings: RouterSettings, agencies: AgencyRegistry, path: Path, *, out: TextIO
) -> int:
    """The file is created first (never over an existing one) and written once the
    accounts are committed; if they are not, it is removed."""
    with _private_file(path) as secrets_file:
        try:
            lines = asyncio.run(_create_heads(settings, agencies))
        except BaseException:
            path.unlink()
            raise
        secrets_file.write(SECRETS_HEADER)
        secrets_file.writelines(lines)
    print(
        f"Đã tạo {len(lines)} tài khoản; mật khẩu trong tệp {path} (chỉ bạn đọc được).",
        file=out,
    )
    return 0


async def _create_heads(settings: RouterSettings, agencies: AgencyRegistry) -> list[str]:
    db = Database(settings.database_url)
    lines = []
    try:
        async with db.transaction() as session:
            existing = set((await session.exec(select(Account.username))).all())
            for agency, username, role in bootstrap_plan(agencies):
                if username in existing:
                    continue
                password = random_password(username=username, agency=agency)
                await create_account(
                    session,
                    username=username,
                    password=password,
                    agency=agency,
                    role=role,
                    agencies=agencies,
                    created_by="pakn accounts bootstrap",
                )
                audit.record(
                    session,
                    action="account_created",
                    detail=username,
                    actor="pakn accounts bootstrap",
                )
                lines.append(f"{agency}\t{username}\t{role}\t{password}\n")
    finally:
        await db.dispose()
    return lines


async def _token(
    settings: RouterSettings, agencies: AgencyRegistry, args: argparse.Namespace, *, out: TextIO
) -> int:
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            issued = await issue_token(
                session,
                agency=args.agency.upper(),
                label=args.label,
                created_by=args.by,
                agencies=agencies,
            )
            audit.record(
                session,
                action="token_created",
                actor=args.by,
                agency=args.agency,
                detail=f"{issued.token.prefix} {args.label}",
            )
    finally:
        await db.dispose()
    print("Khóa API (chỉ hiện một lần; hệ thống chỉ lưu mã băm của khóa):", file=out)
    print(issued.secret, file=out)
    return 0


async def _list(settings: RouterSettings, *, out: TextIO) -> int:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            query = select(Account).order_by(col(Account.agency), col(Account.username))
            accounts = (await session.exec(query)).all()
    finally:
        await db.dispose()
    for account in accounts:
        state = "đang hoạt động" if account.active else "ngừng hoạt động"
        role = ROLE_VI.get(account.role, account.role)
        print(f"{account.agency}\t{account.username}\t{role}\t{state}", file=out)
    return 0
