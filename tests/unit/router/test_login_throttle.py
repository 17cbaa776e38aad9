"""Login throttling before the key derivation, a back-off per address and account that
spares the officer elsewhere, a bounded number of key derivations (#10 item 7), and the
password deny-list (item 8); the console's login on SQLite:
tests/component/router/test_login_throttle.py."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

from services.router.console.credentials import password_problem, random_password
from services.router.console.throttle import Busy, LoginThrottle, plausible

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
