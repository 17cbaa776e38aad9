"""Officers' accounts and agencies' API tokens: creation, password checks with lock-out,
token lookup. Used by the console, the API and `pakn accounts`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.router.console.access import (
    ROLES,
    FailureCount,
    LockoutPolicy,
    Officer,
    Role,
    after_failure,
    is_locked,
    role_problem,
)
from services.router.console.credentials import (
    digest,
    dummy_hash,
    hash_password,
    new_secret,
    password_problem,
    verify_password,
)
from services.router.domain.agencies import AgencyRegistry
from services.router.errors import AccountError
from services.router.models import Account, ApiToken

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
TOKEN_PREFIX = "pakn_"


def normal_username(raw: str) -> str:
    return raw.strip().lower()


def _check_new(username: str, agency: str, role: str, agencies: AgencyRegistry) -> None:
    if not (3 <= len(username) <= 64) or not set(username) <= USERNAME_CHARS:
        raise AccountError(
            "Tên đăng nhập dài 3-64 ký tự, chỉ gồm chữ thường không dấu, số và . _ - @"
        )
    if agencies.get(agency) is None:
        raise AccountError(f"Không có cơ quan mã {agency} trong danh mục cơ quan.")
    problem = role_problem(role, agency)
    if problem:
        raise AccountError(problem)


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    agency: str,
    role: str,
    agencies: AgencyRegistry,
    display_name: str = "",
    created_by: str = "",
) -> Account:
    username = normal_username(username)
    _check_new(username, agency, role, agencies)
    problem = password_problem(password, username=username, agency=agency)
    if problem:
        raise AccountError(problem)
    taken = select(func.count()).where(col(Account.username) == username)
    if (await session.exec(taken)).one():
        raise AccountError(f"Tên đăng nhập {username} đã có.")
    account = Account(
        username=username,
        display_name=display_name.strip(),
        agency=agency,
        role=role,
        password_hash=hash_password(password),
        created_by=created_by,
    )
    session.add(account)
    await session.flush()
    return account


async def account_named(session: AsyncSession, username: str) -> Account | None:
    query = select(Account).where(Account.username == normal_username(username))
    return (await session.exec(query.with_for_update())).first()


Check = Callable[[str, str], Awaitable[bool]]


async def _check_here(password: str, stored: str) -> bool:
    return verify_password(password, stored)


async def authenticate(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    now: datetime,
    policy: LockoutPolicy,
    check: Check = _check_here,
    spare_lock: bool = False,
) -> Account | None:
    """The account if the password is right and the account usable; None otherwise, with
    the failure counted. Every refusal costs one password check, whatever its cause.
    `check` runs the key derivation (the console's: in a worker thread, a bounded number at
    once); `spare_lock`: this client logged in to the account lately, so the account-wide
    lock (meant for attacks from many addresses) does not hold it back."""
    account = await account_named(session, username)
    if account is None or not account.active:
        await check(password, dummy_hash())
        return None
    right = await check(password, account.password_hash)
    if is_locked(account.locked_until, now=now) and not spare_lock:
        return None
    if not right:
        count = FailureCount(account.failed_logins, account.failures_since, account.locked_until)
        count = after_failure(count, now=now, policy=policy)
        account.failed_logins, account.failures_since = count.failed, count.since
        account.locked_until = count.locked_until
        session.add(account)
        return None
    account.failed_logins, account.failures_since, account.locked_until = 0, None, None
    account.last_login_at = now
    session.add(account)
    return account


def officer_of(account: Account, *, csrf: str = "", retired: bool = False) -> Officer:
    role = cast(Role, account.role) if account.role in ROLES else "officer"
    return Officer(
        username=account.username,
        agency=account.agency,
        role=role,
        display_name=account.display_name,
        csrf=csrf,
        retired=retired,
    )


async def set_password(
    session: AsyncSession, *, account: Account, password: str, now: datetime
) -> None:
    problem = password_problem(password, username=account.username, agency=account.agency)
    if problem:
        raise AccountError(problem)
    account.password_hash, account.password_changed_at = hash_password(password), now
    session.add(account)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


async def issue_token(
    session: AsyncSession, *, agency: str, label: str, created_by: str, agencies: AgencyRegistry
) -> IssuedToken:
    if agencies.get(agency) is None:
        raise AccountError(f"Không có cơ quan mã {agency} trong danh mục cơ quan.")
    secret = TOKEN_PREFIX + new_secret()
    token = ApiToken(
        token_hash=digest(secret),
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        agency=agency,
        label=label.strip()[:200],
        created_by=created_by,
    )
    session.add(token)
    await session.flush()
    return IssuedToken(token, secret)


async def token_for(session: AsyncSession, *, secret: str, now: datetime) -> ApiToken | None:
    """The live token with this secret, its use noted."""
    query = select(ApiToken).where(ApiToken.token_hash == digest(secret))
    token = (await session.exec(query)).first()
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = now
    session.add(token)
    return token


def officer_of_token(token: ApiToken, *, retired: bool = False) -> Officer:
    return Officer(
        username=f"api:{token.agency}",
        agency=token.agency,
        role="officer",
        display_name=token.label,
        token_prefix=token.prefix,
        retired=retired,
    )
