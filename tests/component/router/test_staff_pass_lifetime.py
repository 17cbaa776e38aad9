"""The staff pass dies with the login (#10 item 5): it is short, tied to its session, and
renewed by the console only while the session lives; logout, a password change elsewhere,
a disabled account and the idle limit each end it within one pass lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from sqlmodel import select

from services.kit import staffpass
from services.kit.web import harden
from services.router.models import Account
from tests.support import STAFF_SECRET
from tests.unit.router.console_support import Console, csrf_of
from tests.unit.router.lifecycle_support import LAND_RULE

RENEW = "/can-bo/the-noi-bo?next=%2Fnoi-bo%2Fthu-gui"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)
    yield harness
    await harness.close()


def _pass_of(client: httpx.AsyncClient) -> staffpass.StaffPass | None:
    return staffpass.verify(STAFF_SECRET, client.cookies.get(staffpass.COOKIE) or "")


async def _staff_page(token: str, *, at: datetime) -> httpx.Response:
    """A staff page of another service (its own clock), asked for with `token`."""
    app = FastAPI()
    guard = staffpass.office_only(STAFF_SECRET, clock=lambda: at)
    pages = APIRouter(dependencies=[Depends(guard)], route_class=staffpass.StaffRoute)

    @pages.get("/noi-bo/thu-gui")
    async def page() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(pages)
    transport = httpx.ASGITransport(app=harden(app))
    async with httpx.AsyncClient(transport=transport, base_url="https://pakn.test") as http:
        return await http.get("/noi-bo/thu-gui", cookies={staffpass.COOKIE: token})


async def _renewed(client: httpx.AsyncClient) -> bool:
    """Whether the console issues a new pass for this client's login."""
    client.cookies.delete(staffpass.COOKIE)
    response = await client.get(RENEW)
    if response.status_code != 303 or response.headers["location"] != "/noi-bo/thu-gui":
        assert "/can-bo/dang-nhap" in response.headers.get("location", "")
        return False
    return _pass_of(client) is not None


async def test_the_pass_is_short_tied_to_the_login_and_renewed_while_it_lasts(
    console: Console,
) -> None:
    client = await console.officer("vpub.cb", "VPUB")
    held = _pass_of(client)
    assert held is not None and held.issued is not None
    assert held.expires - held.issued == timedelta(minutes=console.settings.staff_pass_minutes)
    session = client.cookies.get("pakn_phien") or ""
    assert held.session == staffpass.session_id(session)
    token = client.cookies.get(staffpass.COOKIE) or ""
    fresh = await _staff_page(token, at=datetime.now(UTC))
    assert fresh.status_code == 200 and fresh.headers["cache-control"] == "no-store"
    half = await _staff_page(token, at=datetime.now(UTC) + timedelta(minutes=6))
    assert half.status_code == 303 and half.headers["location"] == RENEW
    assert await _renewed(client)
    renewed = _pass_of(client)
    assert renewed is not None and renewed.session == held.session
    assert staffpass.csrf_token(STAFF_SECRET, renewed) == staffpass.csrf_token(STAFF_SECRET, held)


async def test_logout_ends_the_pass_within_its_lifetime(console: Console) -> None:
    client = await console.officer("vpub.cb", "VPUB")
    token = client.cookies.get(staffpass.COOKIE) or ""
    session = client.cookies.get("pakn_phien") or ""
    page = (await client.get("/can-bo/")).text
    out = await client.post("/can-bo/dang-xuat", data={"csrf": csrf_of(page)})
    assert out.status_code == 303 and client.cookies.get(staffpass.COOKIE) is None
    client.cookies.set("pakn_phien", session, path="/can-bo")  # a copied cookie, replayed
    assert not await _renewed(client)
    bound = timedelta(minutes=console.settings.staff_pass_minutes, seconds=1)
    late = await _staff_page(token, at=datetime.now(UTC) + bound)
    assert late.status_code == 303 and "/can-bo/the-noi-bo" in late.headers["location"]


async def test_a_password_change_ends_the_other_logins_passes(console: Console) -> None:
    elsewhere = await console.officer("vpub.cb", "VPUB")
    here = console.client()
    assert (await console.login("vpub.cb", client=here)).status_code == 303
    changed = await console.post_form(
        here,
        "/can-bo/mat-khau",
        "/can-bo/mat-khau",
        {
            "current": "mật-khẩu-đủ-dài-2023",
            "new": "một mật khẩu mới khác hẳn 2024",
            "repeat": "một mật khẩu mới khác hẳn 2024",
        },
    )
    assert changed.status_code == 200, changed.text
    assert not await _renewed(elsewhere)
    assert await _renewed(here), "the login that changed it goes on"


async def test_a_disabled_account_gets_no_new_pass(console: Console) -> None:
    client = await console.officer("vpub.cb", "VPUB")
    async with console.router.service.db.transaction() as session:
        account = (await session.exec(select(Account).where(Account.username == "vpub.cb"))).one()
        account.active = False
        session.add(account)
    assert not await _renewed(client)


async def test_the_idle_limit_holds_on_staff_pages_too(console: Console) -> None:
    client = await console.officer("vpub.cb", "VPUB")
    assert await _renewed(client)
    idle = timedelta(minutes=console.settings.console_idle_minutes + 1)
    console.app.state.console.now = lambda: datetime.now(UTC) + idle
    assert not await _renewed(client)
