"""Trial logins for the embedded default: on the first start, a head account for every
agency given (the embedded system gives those in force today) and the office's supervisor,
with random passwords in a file only its owner reads (0600); what is printed names that
file, never a password."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from services.kit.db import Database
from services.router.console.accounts import normal_username
from services.router.console.accounts_cli import SECRETS_HEADER, bootstrap_plan
from services.router.console.credentials import hash_password, random_password
from services.router.domain.agencies import AgencyRegistry
from services.router.models import Account


def _quiet(_: str) -> None:
    pass


async def seed_demo_accounts(
    db: Database, agencies: AgencyRegistry, path: Path, *, say: Callable[[str], None] = _quiet
) -> list[str]:
    """What to print: the logins file, and the supervisor's login when just created.
    `say` hears, before the slow part, that the accounts are being created."""
    async with db.session() as session:
        if (await session.exec(select(func.count()).select_from(Account))).one():
            return [f"  trang cán bộ: /can-bo/ (tài khoản thử, nếu còn: {path})"]
    plan = [
        (agency, normal_username(username), role, random_password(username=username, agency=agency))
        for agency, username, role in bootstrap_plan(agencies)
    ]
    heads = sum(role == "head" for _, _, role, _ in plan)
    say(f"  tài khoản thử: đang tạo {len(plan)} tài khoản (lãnh đạo của {heads} cơ quan) …")
    # scrypt costs ~0.1 s per password on purpose: hash in a worker thread (it releases the
    # GIL), so the pages answer meanwhile, and write every account in one short transaction.
    hashes = [await asyncio.to_thread(hash_password, password) for *_, password in plan]
    async with db.transaction() as session:
        for (agency, username, role, _), password_hash in zip(plan, hashes, strict=True):
            session.add(
                Account(
                    username=username,
                    agency=agency,
                    role=role,
                    password_hash=password_hash,
                    created_by="embedded demo",
                )
            )
    lines = "".join(f"{a}\t{u}\t{r}\t{p}\n" for a, u, r, p in plan)
    await asyncio.to_thread(_write_private, path, lines)
    supervisors = [username for _, username, role, _ in plan if role == "supervisor"]
    # Never the passwords themselves on the terminal (scroll-back, logs): where they are.
    return [
        f"  trang cán bộ: /can-bo/ — tài khoản lãnh đạo của {heads} cơ quan và giám sát "
        f"({', '.join(supervisors)}): mật khẩu trong {path} (chỉ chủ sở hữu đọc được)"
    ]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(SECRETS_HEADER + text)
