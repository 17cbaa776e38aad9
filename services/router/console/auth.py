"""Login sessions, their cookie, the anti-forgery check on every form, and the guards each
route depends on (a logged-in officer for pages, plus a valid form token for POSTs, or an
API token for the agencies' systems)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit import staffpass
from services.router import audit
from services.router.console.access import Officer
from services.router.console.accounts import officer_of, officer_of_token, token_for
from services.router.console.context import (
    LOGIN_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    Console,
    Denied,
    client_address,
)
from services.router.console.credentials import csrf_token, digest, new_secret, same
from services.router.cutover import is_retired
from services.router.models import Account, LoginSession

_TOUCH_EVERY = timedelta(minutes=1)  # write last_seen_at at most this often


async def open_session(session: AsyncSession, *, account: Account, console: Console) -> str:
    """A new login for `account`; returns the cookie's secret (stored only as a digest)."""
    secret, now = new_secret(), console.now()
    lifetime = timedelta(hours=console.settings.console_session_hours)
    assert account.id is not None
    session.add(
        LoginSession(
            id_hash=digest(secret),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    return secret


async def close_session(session: AsyncSession, *, secret: str) -> None:
    row = await session.get(LoginSession, digest(secret))
    if row is not None:
        await session.delete(row)


async def session_officer(
    session: AsyncSession, *, secret: str, console: Console
) -> tuple[Officer, Account] | None:
    """Who holds this cookie, if the login is still valid (not expired, not idle too long,
    account still active)."""
    row = await session.get(LoginSession, digest(secret))
    if row is None:
        return None
    now = console.now()
    idle = timedelta(minutes=console.settings.console_idle_minutes)
    if now >= row.expires_at or now - row.last_seen_at > idle:
        await session.delete(row)
        return None
    account = await session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    retired = await is_retired(session, account.agency)
    return officer_of(account, csrf=csrf_token(secret), retired=retired), account


def set_session_cookie(response: Response, secret: str, console: Console) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(console.settings.console_session_hours * 3600),
        path=PREFIX,
        secure=console.settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, console: Console) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path=PREFIX,
        secure=console.settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/dang-nhap?next={quote(target, safe='')}", status_code=303)


STAFF_PAGES = ("/noi-bo/", "/van-phong/")  # other services' internal pages (staff pass)


def safe_next(raw: str | None) -> str:
    """Only a console path may follow a login (no open redirect to another site)."""
    allowed = (PREFIX + "/", *STAFF_PAGES)
    if raw and raw.startswith(allowed) and "//" not in raw and "\\" not in raw:
        return raw
    return PREFIX + "/"


class Guards:
    """FastAPI dependencies; each raises `Denied` with the response to give instead."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def page(self, request: Request) -> Officer:
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            raise Denied(login_redirect(request))
        async with self.console.db.transaction() as session:
            found = await session_officer(session, secret=secret, console=self.console)
        if found is None:
            response = login_redirect(request)
            clear_session_cookie(response, self.console)
            raise Denied(response)
        return found[0]

    async def form(self, request: Request) -> Officer:
        """A logged-in officer posting a form that carries the session's token."""
        officer = await self.page(request)
        sent = (await request.form()).get("csrf")
        forged = not isinstance(sent, str) or not same(sent, officer.csrf)
        if forged or not staffpass.same_site(request):  # the token, and Origin if sent
            message = (
                "Biểu mẫu đã hết hiệu lực hoặc không xuất phát từ trang của hệ thống. "
                "Hãy tải lại trang rồi thực hiện lại."
            )
            raise Denied(
                self.console.problem(request, status_code=403, message=message, officer=officer)
            )
        return officer

    async def api(self, request: Request) -> Officer:
        """An agency's system with a live API token (`Authorization: Bearer …`)."""
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        async with self.console.db.transaction() as session:
            token, retired = None, False
            if scheme.lower() == "bearer" and secret.strip():
                token = await token_for(session, secret=secret.strip(), now=self.console.now())
                retired = token is not None and await is_retired(session, token.agency)
            if token is None:
                audit.record(
                    session,
                    action="token_refused",
                    actor="api",
                    detail=request.url.path,
                    address=client_address(request),
                )
        if token is None:
            raise Denied(
                JSONResponse(
                    {"detail": "Thiếu khóa API hoặc khóa không hợp lệ."},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="pakn"'},
                )
            )
        return officer_of_token(token, retired=retired)


def login_form_token(request: Request) -> str:
    """The login form's value, also set as a cookie: a forged form cannot know it."""
    return request.cookies.get(LOGIN_COOKIE) or new_secret()


def login_form_valid(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    return bool(cookie) and same(cookie, sent)


def set_login_cookie(response: Response, value: str, console: Console) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        value,
        max_age=3600,
        path=PREFIX,
        secure=console.settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )
