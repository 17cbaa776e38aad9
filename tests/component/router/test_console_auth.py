"""Logins: hashed passwords, session cookies, forms that need their token, lock-out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from services.kit import staffpass
from services.kit.outbox import OutboxMessage
from services.router.console.access import FailureCount, LockoutPolicy, after_failure
from services.router.console.auth import safe_next
from services.router.console.credentials import (
    csrf_token,
    digest,
    hash_password,
    password_problem,
    verify_password,
)
from services.router.console.throttle import LoginThrottle
from services.router.models import Account, AuditEntry, LoginSession
from tests.support import STAFF_SECRET
from tests.unit.router.console_support import PASSWORD, Console, csrf_of
from tests.unit.router.lifecycle_support import LAND_RULE

REFUSED = "Đăng nhập không thành công"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)
    yield harness
    await harness.close()


def test_a_password_hash_is_salted_scrypt_and_verifies() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$15$8$1$") and first != second  # a salt per hash
    assert PASSWORD not in first
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "x", first)
    assert not verify_password(PASSWORD, "scrypt$broken") and not verify_password(PASSWORD, "")
    assert password_problem("ngắn") and password_problem("a" * 20)
    assert password_problem(PASSWORD) is None


def test_repeated_failures_within_the_window_lock_the_account() -> None:
    policy = LockoutPolicy(max_failures=3, window=timedelta(minutes=15))
    start = datetime(2023, 3, 6, 8, tzinfo=UTC)
    count = FailureCount(0, None, None)
    for minute in range(2):
        count = after_failure(count, now=start + timedelta(minutes=minute), policy=policy)
    assert count.failed == 2 and count.locked_until is None
    late = after_failure(count, now=start + timedelta(minutes=20), policy=policy)
    assert late.failed == 1 and late.locked_until is None, "old failures fall out of the window"
    locked = after_failure(count, now=start + timedelta(minutes=3), policy=policy)
    assert locked.locked_until == start + timedelta(minutes=18)


async def test_passwords_are_stored_hashed_and_the_session_id_only_as_a_digest(
    console: Console,
) -> None:
    await console.account("cb.stnmt", "STNMT")
    response = await console.login("CB.STNMT")  # usernames ignore case
    assert response.status_code == 303 and response.headers["location"] == "/can-bo/"
    cookie = response.headers["set-cookie"]
    assert "pakn_phien=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=strict" in cookie and "Path=/can-bo" in cookie
    secret = cookie.split("pakn_phien=")[1].split(";")[0].strip('"')
    async with console.router.service.db.session() as session:
        account = (await session.exec(select(Account))).one()
        stored = (await session.exec(select(LoginSession))).one()
    assert PASSWORD not in account.password_hash and verify_password(
        PASSWORD, account.password_hash
    )
    assert stored.id_hash == digest(secret) and secret not in stored.id_hash


async def test_the_secure_flag_can_be_turned_off_for_plain_http(tmp_path: Path) -> None:
    harness = await Console.start(tmp_path)
    try:
        harness.app.state.console.settings = harness.settings.model_copy(
            update={"console_cookie_secure": False}
        )
        await harness.account("cb.stnmt", "STNMT")
        cookie = (await harness.login("cb.stnmt")).headers["set-cookie"]
        assert "HttpOnly" in cookie and "Secure" not in cookie
    finally:
        await harness.close()


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(console: Console) -> None:
    await console.account("cb.stnmt", "STNMT")
    wrong = await console.login("cb.stnmt", "not the password at all")
    unknown = await console.login("nobody.here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert REFUSED in wrong.text and REFUSED in unknown.text
    assert "pakn_phien" not in wrong.headers.get("set-cookie", "")
    async with console.router.service.db.session() as session:
        failed = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "login_failed"))
        ).all()
    assert sorted(entry.actor for entry in failed) == ["cb.stnmt", "nobody.here"]


async def test_repeated_bad_logins_lock_the_account_for_a_while(console: Console) -> None:
    """The account-wide lock (attacks from many addresses); the per-address back-off that
    comes first is tested in test_login_throttle.py, and is off here."""
    console.app.state.console.throttle = LoginThrottle(burst=1000, free=1000)
    await console.account("cb.stnmt", "STNMT")
    for _ in range(console.settings.console_max_failures):
        assert (await console.login("cb.stnmt", "sai mật khẩu rồi")).status_code == 400
    locked = await console.login("cb.stnmt")  # the right password, while locked
    assert locked.status_code == 400 and REFUSED in locked.text
    later = console.app.state.console
    lock = timedelta(minutes=console.settings.console_lock_minutes + 1)
    later.now = lambda: datetime.now(UTC) + lock
    assert (await console.login("cb.stnmt")).status_code == 303, "the lock ends by itself"


async def test_forms_without_the_right_token_are_refused(console: Console) -> None:
    client = await console.officer("cb.stnmt", "STNMT")
    for data in ({}, {"csrf": ""}, {"csrf": "0" * 64}):
        response = await client.post("/can-bo/ho-so/land/tiep-nhan", data=data)
        assert response.status_code == 403
    other = await console.officer("cb2.stnmt", "STNMT")  # another session's token
    foreign = csrf_of((await other.get("/can-bo/")).text)
    response = await client.post("/can-bo/ho-so/land/tiep-nhan", data={"csrf": foreign})
    assert response.status_code == 403
    assert (await client.post("/can-bo/dang-xuat", data={})).status_code == 403
    async with console.router.service.db.session() as session:
        assert not (
            await session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.topic == console.router.topics.agency_actions
                )
            )
        ).all()
    accepted = await console.post_form(client, "/can-bo/", "/can-bo/ho-so/land/tiep-nhan", {})
    assert accepted.status_code == 303


async def test_the_login_form_needs_its_own_token(console: Console) -> None:
    await console.account("cb.stnmt", "STNMT")
    client = console.client()
    forged = await client.post(
        "/can-bo/dang-nhap", data={"username": "cb.stnmt", "password": PASSWORD, "login_token": "x"}
    )
    assert forged.status_code == 403 and "pakn_phien" not in forged.headers.get("set-cookie", "")


async def test_logging_out_ends_the_session_and_idle_sessions_expire(console: Console) -> None:
    client = await console.officer("cb.stnmt", "STNMT")
    logout = await console.post_form(client, "/can-bo/", "/can-bo/dang-xuat", {})
    assert logout.status_code == 303
    assert (await client.get("/can-bo/")).status_code == 303
    async with console.router.service.db.session() as session:
        assert not (await session.exec(select(LoginSession))).all()

    idle = await console.officer("cb2.stnmt", "STNMT")
    assert (await idle.get("/can-bo/")).status_code == 200
    clock = console.app.state.console
    clock.now = lambda: datetime.now(UTC) + timedelta(minutes=61)
    assert (await idle.get("/can-bo/")).status_code == 303


async def test_after_login_the_officer_returns_to_the_page_asked_for_but_never_off_site(
    console: Console,
) -> None:
    await console.account("cb.stnmt", "STNMT")
    client = console.client()
    asked = await client.get("/can-bo/ho-so/land")
    assert asked.headers["location"] == "/can-bo/dang-nhap?next=%2Fcan-bo%2Fho-so%2Fland"
    form = (await client.get(asked.headers["location"])).text
    assert 'name="next" value="/can-bo/ho-so/land"' in form
    for target, expected in (
        ("/can-bo/ho-so/land", "/can-bo/ho-so/land"),
        ("https://evil.example/", "/can-bo/"),
        ("//evil.example", "/can-bo/"),
    ):
        token = form.split('name="login_token" value="')[1].split('"')[0]
        response = await client.post(
            "/can-bo/dang-nhap",
            data={
                "username": "cb.stnmt",
                "password": PASSWORD,
                "login_token": token,
                "next": target,
            },
        )
        assert response.headers["location"] == expected


async def test_an_officer_changes_the_password_and_other_sessions_end(console: Console) -> None:
    first = await console.officer("cb.stnmt", "STNMT")
    second = console.client()
    assert (await console.login("cb.stnmt", client=second)).status_code == 303
    new = "mật khẩu mới thật dài 2024"
    changed = await console.post_form(
        first,
        "/can-bo/mat-khau",
        "/can-bo/mat-khau",
        {"current": PASSWORD, "new": new, "repeat": new},
    )
    assert changed.status_code == 200 and "Đã đổi mật khẩu" in changed.text
    assert (await first.get("/can-bo/")).status_code == 200
    assert (await second.get("/can-bo/")).status_code == 303
    assert (await console.login("cb.stnmt", new)).status_code == 303
    assert csrf_token("a") != csrf_token("b")


async def test_login_hands_out_the_staff_pass_and_logout_takes_it_back(console: Console) -> None:
    client = await console.officer("vpub.tiepnhan", "VPUB")
    held = staffpass.verify(STAFF_SECRET, client.cookies.get(staffpass.COOKIE) or "")
    assert held is not None and (held.username, held.agency) == ("vpub.tiepnhan", "VPUB")
    token = csrf_of((await client.get("/can-bo/")).text)
    await client.post("/can-bo/dang-xuat", data={"csrf": token})
    assert client.cookies.get(staffpass.COOKIE) is None


def test_other_services_internal_pages_may_follow_a_login() -> None:
    assert safe_next("/noi-bo/tong-dai") == "/noi-bo/tong-dai"
    assert safe_next("/van-phong/thu-dien-tu") == "/van-phong/thu-dien-tu"
    assert safe_next("/khac") == "/can-bo/"
