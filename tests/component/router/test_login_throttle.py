"""Login throttling in the console on a router's SQLite database: an attacker is slowed before
the key derivation and the officer elsewhere is not (#10 item 7; the throttle itself and the
password deny-list: tests/unit/router/test_login_throttle.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.router.console import pages_auth
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import LAND_RULE


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
