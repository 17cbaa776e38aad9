"""Login throttling before the key derivation, a back-off per address and account that
spares the officer elsewhere, a bounded number of key derivations (#10 item 7), and the
password deny-list (item 8)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.router.console import pages_auth
from services.router.console.credentials import password_problem, random_password
from services.router.console.throttle import Busy, LoginThrottle, plausible
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import LAND_RULE

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def test_the_form_is_checked_before_any_hashing() -> None:
    assert plausible("stnmt.lanhdao", "x")
    for name, password in (("ab", "x"), ("a b c", "x"), ("Ồ.ồ.ồ", "x"), ("stnmt.lanhdao", "")):
        assert not plausible(name, password)
    assert not plausible("stnmt.lanhdao", "x" * 1025)


def test_an_address_has_a_bucket_of_attempts() -> None:
    throttle = LoginThrottle(burst=3, refill=timedelta(seconds=10), free=100)
    assert [throttle.wait_s("1.1.1.1", f"u{i}.x", now=NOW) for i in range(4)] == [0, 0, 0, 10]
    assert throttle.wait_s("2.2.2.2", "u0.x", now=NOW) == 0, "another address is not slowed"
    assert throttle.wait_s("1.1.1.1", "u9.x", now=NOW + timedelta(seconds=10)) == 0


def test_failures_of_one_account_from_one_address_back_off_and_spare_the_others() -> None:
    throttle = LoginThrottle(burst=1000, free=3, backoff=timedelta(seconds=2))
    waits = []
    for minute in range(7):
        now = NOW + timedelta(minutes=minute)
        assert throttle.wait_s("6.6.6.6", "stnmt.lanhdao", now=now) == 0
        throttle.failed("6.6.6.6", "stnmt.lanhdao", now=now)
        waits.append(throttle.wait_s("6.6.6.6", "stnmt.lanhdao", now=now))
    assert waits == [0, 0, 0, 2, 4, 8, 16], "doubling after the free failures"
    assert throttle.wait_s("10.0.0.5", "stnmt.lanhdao", now=NOW) == 0, "the officer elsewhere"
    throttle.succeeded("10.0.0.5", "stnmt.lanhdao", now=NOW)
    assert throttle.known("10.0.0.5", "stnmt.lanhdao", now=NOW + timedelta(days=1))
    assert not throttle.known("6.6.6.6", "stnmt.lanhdao", now=NOW)
    capped = LoginThrottle(free=0, backoff=timedelta(seconds=2), backoff_max=timedelta(minutes=15))
    for _ in range(40):
        capped.failed("6.6.6.6", "x.y", now=NOW)
    assert capped.wait_s("6.6.6.6", "x.y", now=NOW) == 900


async def test_key_derivations_run_a_few_at_a_time_off_the_event_loop() -> None:
    throttle = LoginThrottle(concurrent=2, queue=3)
    running, most, lock = [0], [0], threading.Lock()

    def work() -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return threading.get_ident()

    results = await asyncio.gather(
        *(throttle.derive(work) for _ in range(5)), return_exceptions=True
    )
    assert most[0] == 2 and all(isinstance(r, int) for r in results)
    assert threading.get_ident() not in results, "not on the event loop's thread"
    crowd = await asyncio.gather(*(throttle.derive(work) for _ in range(8)), return_exceptions=True)
    assert sum(isinstance(r, Busy) for r in crowd) == 3, "2 running, 3 waiting, the rest refused"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)
    yield harness
    await harness.close()


async def test_an_attacker_is_slowed_before_scrypt_and_the_officer_is_not(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    await console.account("stnmt.lanhdao", "STNMT", "head")
    hashed = [0]
    real = pages_auth.verify_password

    def counting(password: str, stored: str) -> bool:
        hashed[0] += 1
        return real(password, stored)

    monkeypatch.setattr(pages_auth, "verify_password", counting)

    def at(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=console.app, client=(address, 4000))
        client = httpx.AsyncClient(transport=transport, base_url="https://pakn.test")
        console._clients.append(client)
        return client

    attacker = at("203.0.113.9")
    statuses = [
        (await console.login("stnmt.lanhdao", "đoán-mò-mật-khẩu", client=attacker)).status_code
        for _ in range(8)
    ]
    # three free failures, the fourth starts the back-off
    assert statuses[:4] == [400] * 4 and set(statuses[4:]) == {429}
    assert hashed[0] == 4, "refused attempts cost no key derivation"
    refused = await console.login("stnmt.lanhdao", "đoán-mò-mật-khẩu", client=attacker)
    assert int(refused.headers["retry-after"]) >= 1
    officer = at("10.20.30.40")
    assert (await console.login("stnmt.lanhdao", client=officer)).status_code == 303
    nonsense = await console.login("a", "x", client=at("198.51.100.1"))
    assert nonsense.status_code == 400 and hashed[0] == 5


def test_the_deny_list_refuses_repeated_sequential_common_and_personal_passwords() -> None:
    for weak in (
        "abcabcabcabc",
        "Abcd1!Abcd1!Abcd1!",
        "123456789012",
        "qwertyuiop12",
        "Password2024!",
        "Mật-khẩu@123456",
        "stnmt.lanhdao2024",
        "Lanhdao#Bao2024",
        "Hoa!STNMT-2024x",
    ):
        assert password_problem(weak, username="stnmt.lanhdao", agency="STNMT"), weak
    for fine in ("mật-khẩu-đủ-dài-2023", "correct horse battery staple", "Gia Lai mùa hoa dã quỳ"):
        assert password_problem(fine, username="stnmt.lanhdao", agency="STNMT") is None, fine
    generated = random_password(username="stnmt.lanhdao", agency="STNMT")
    assert password_problem(generated, username="stnmt.lanhdao", agency="STNMT") is None
