"""Liveness and readiness probes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.kit.health import add_probes, backoff_s, readiness


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    readiness.reset()
    app = FastAPI()
    add_probes(app, service="intake")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client
    readiness.reset()


async def test_not_ready_while_waiting_for_the_database_then_ready_again(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/readyz")).status_code == 200
    readiness.down("intake consumer", ConnectionRefusedError(111, "refused"))
    readiness.down("intake consumer", ConnectionRefusedError(111, "refused"))
    answer = await client.get("/readyz")
    assert answer.status_code == 503
    waiting = answer.json()["waiting"]["intake consumer"]
    assert waiting["failures"] == 2 and "refused" in waiting["error"]
    assert (await client.get("/healthz")).status_code == 200  # alive all along
    readiness.up("intake consumer")
    assert (await client.get("/readyz")).json()["ready"] is True


def test_backoff_grows_and_stays_bounded() -> None:
    assert [backoff_s(n, base_s=0.5, cap_s=10) for n in (1, 2, 3, 5, 6, 500)] == [
        0.5,
        1.0,
        2.0,
        8.0,
        10.0,
        10.0,
    ]


async def test_a_request_that_meets_an_outage_gets_503_and_may_retry() -> None:
    from sqlalchemy.exc import OperationalError

    app = FastAPI()
    add_probes(app, service="intake")

    @app.post("/gui")
    async def submit() -> None:
        raise OperationalError("INSERT", {}, ConnectionRefusedError(111, "refused"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.post("/gui", headers={"accept": "text/html"})
        api = await client.post("/gui", headers={"accept": "application/json"})
    assert page.status_code == 503 and page.headers["retry-after"] == "30"
    assert "chưa được ghi nhận" in page.text
    assert api.status_code == 503 and "gửi lại" in api.json()["detail"]
