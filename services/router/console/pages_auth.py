"""Logging in and out, and changing one's password."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, delete, select

from services.kit import staffpass
from services.router import audit
from services.router.console.access import Officer
from services.router.console.accounts import AccountError, authenticate, set_password
from services.router.console.auth import (
    STAFF_PAGES,
    Guards,
    clear_session_cookie,
    close_session,
    login_form_token,
    login_form_valid,
    open_session,
    safe_next,
    set_login_cookie,
    set_session_cookie,
)
from services.router.console.context import (
    PREFIX,
    SESSION_COOKIE,
    Console,
    ConsoleRoute,
    client_address,
)
from services.router.console.credentials import digest, verify_password
from services.router.console.throttle import Busy
from services.router.console.throttle import plausible as throttle_plausible
from services.router.models import Account, LoginSession

Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=2000)]
# One message for every refusal: it must not tell whether the account exists or is locked.
LOGIN_REFUSED = (
    "Đăng nhập không thành công: tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang "
    "tạm khóa vì nhập sai nhiều lần. Xin kiểm tra lại, hoặc thử lại sau ít phút."
)
FORM_EXPIRED = "Trang đăng nhập đã hết hiệu lực. Xin nhập lại."


def _login_page(
    console: Console,
    request: Request,
    *,
    next_path: str,
    error: str = "",
    username: str = "",
    status_code: int = 200,
) -> Response:
    token = login_form_token(request)
    context = {"error": error, "next": next_path, "username": username, "login_token": token}
    response = console.page(request, "login.html", context, status_code=status_code)
    set_login_cookie(response, token, console)
    return response


TOO_MANY = (
    "Đăng nhập tạm thời bị chặn vì có quá nhiều lần thử từ máy này. Xin thử lại sau {seconds} giây."
)
BUSY = "Hệ thống đang bận kiểm tra đăng nhập. Xin thử lại sau ít giây."


async def log_in(
    console: Console, request: Request, *, username: str, password: str, token: str, target: str
) -> Response:
    """Check the password (throttled, failures counted), open a session, go where asked.
    The cheap checks and the throttle come before any key derivation."""
    if not login_form_valid(request, token):
        return _login_page(console, request, next_path=target, error=FORM_EXPIRED, status_code=403)
    address, name, now = client_address(request), username.strip()[:64], console.now()
    throttle = console.throttle

    def refused(message: str, status: int, retry_s: int = 0) -> Response:
        page = _login_page(
            console, request, next_path=target, error=message, username=name, status_code=status
        )
        if retry_s:
            page.headers["Retry-After"] = str(retry_s)
        return page

    if not throttle_plausible(username, password):
        async with console.db.transaction() as session:
            audit.record(session, action="login_failed", actor=name, address=address)
        return refused(LOGIN_REFUSED, 400)
    wait = throttle.wait_s(address, username, now=now)
    if wait:
        return refused(TOO_MANY.format(seconds=wait), 429, wait)

    async def check(given: str, stored: str) -> bool:
        return await throttle.derive(lambda: verify_password(given, stored))

    try:
        async with console.db.transaction() as session:
            account = await authenticate(
                session,
                username=username,
                password=password,
                now=now,
                policy=console.lockout,
                check=check,
                spare_lock=throttle.known(address, username, now=now),
            )
            if account is None:
                audit.record(session, action="login_failed", actor=name, address=address)
                secret = ""
            else:
                secret = await open_session(session, account=account, console=console)
                audit.record(
                    session,
                    action="login",
                    actor=account.username,
                    agency=account.agency,
                    address=address,
                )
            old = request.cookies.get(SESSION_COOKIE)
            if old and secret:  # a new login never keeps an old session id
                await close_session(session, secret=old)
    except Busy:
        return refused(BUSY, 503, 5)
    if not secret or account is None:
        throttle.failed(address, username, now=now)
        return refused(LOGIN_REFUSED, 400)
    throttle.succeeded(address, username, now=now)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, secret, console)
    lifetime = timedelta(hours=console.settings.console_session_hours)
    set_staff_pass(response, account, console, session_secret=secret, ends=now + lifetime)
    return response


def set_staff_pass(
    response: Response, account: Account, console: Console, *, session_secret: str, ends: datetime
) -> None:
    """The pass other services' internal pages accept (the office's intake forms, mail log):
    a few minutes long, never past the login's end, naming the login it belongs to."""
    secret = console.settings.staff_secret
    if not secret:
        return
    now = console.now()
    ttl = min(timedelta(minutes=console.settings.staff_pass_minutes), ends - now)
    if ttl <= timedelta(0):
        return
    token = staffpass.issue(
        secret,
        username=account.username,
        agency=account.agency,
        role=account.role,
        ttl=ttl,
        session=staffpass.session_id(session_secret),
        now=now,
    )
    response.set_cookie(
        staffpass.COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        path="/",
        secure=console.settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_staff_pass(response: Response, console: Console) -> None:
    response.delete_cookie(
        staffpass.COOKIE,
        path="/",
        secure=console.settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )


async def renew_staff_pass(console: Console, request: Request, target: str) -> Response:
    """A new staff pass for a login that is still valid (the guard checked the session,
    its idle limit and the account), then back to the staff page."""
    if not console.settings.staff_secret:
        message = "Trang nội bộ chưa được cấu hình (thiếu khóa STAFF_SECRET)."
        return console.problem(request, status_code=503, message=message)
    secret = request.cookies.get(SESSION_COOKIE, "")
    async with console.db.transaction() as session:
        row = await session.get(LoginSession, digest(secret))
        account = await session.get(Account, row.account_id) if row is not None else None
    response = RedirectResponse(target, status_code=303)
    if row is None or account is None or not account.active:
        clear_staff_pass(response, console)
        return response
    set_staff_pass(response, account, console, session_secret=secret, ends=row.expires_at)
    response.headers["Cache-Control"] = "no-store"
    return response


async def log_out(console: Console, request: Request, officer: Officer) -> Response:
    async with console.db.transaction() as session:
        await close_session(session, secret=request.cookies.get(SESSION_COOKIE, ""))
        audit.record(session, action="logout", officer=officer, address=client_address(request))
    response = RedirectResponse(PREFIX + "/dang-nhap", status_code=303)
    clear_session_cookie(response, console)
    clear_staff_pass(response, console)
    return response


def routes(console: Console, guards: Guards) -> APIRouter:
    api = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    Viewer = Annotated[Officer, Depends(guards.page)]
    Poster = Annotated[Officer, Depends(guards.form)]

    @api.get(PREFIX + "/dang-nhap")
    async def login_form(request: Request, next: str = "") -> Response:
        return _login_page(console, request, next_path=safe_next(next))

    @api.post(PREFIX + "/dang-nhap")
    async def login(
        request: Request,
        username: Short = "",
        password: Long = "",
        login_token: Short = "",
        next: Long = "",
    ) -> Response:
        return await log_in(
            console,
            request,
            username=username,
            password=password,
            token=login_token,
            target=safe_next(next),
        )

    @api.get(staffpass.RENEW)
    async def renew(request: Request, officer: Viewer, next: str = "") -> Response:
        target = safe_next(next)
        if not target.startswith(STAFF_PAGES):
            target = PREFIX + "/"
        return await renew_staff_pass(console, request, target)

    @api.post(PREFIX + "/dang-xuat")
    async def logout(request: Request, officer: Poster) -> Response:
        return await log_out(console, request, officer)

    @api.get(PREFIX + "/mat-khau")
    async def password_form(request: Request, officer: Viewer) -> Response:
        return console.page(request, "password.html", {"error": "", "done": False}, officer=officer)

    @api.post(PREFIX + "/mat-khau")
    async def change_password(
        request: Request, officer: Poster, current: Long = "", new: Long = "", repeat: Long = ""
    ) -> Response:
        error = await _change(console, request, officer, current=current, new=new, repeat=repeat)
        context = {"error": error, "done": not error}
        status = 400 if error else 200
        return console.page(request, "password.html", context, officer=officer, status_code=status)

    return api


async def _change(
    console: Console, request: Request, officer: Officer, *, current: str, new: str, repeat: str
) -> str:
    """Change the password; other logins of the account end. Returns the problem, if any."""
    async with console.db.transaction() as session:
        query = select(Account).where(Account.username == officer.username)
        account = (await session.exec(query)).one()
        try:
            right = await console.throttle.derive(
                lambda: verify_password(current, account.password_hash)
            )
        except Busy:
            return BUSY
        if not right:
            return "Mật khẩu hiện tại không đúng."
        if new != repeat:
            return "Hai lần nhập mật khẩu mới không giống nhau."
        try:
            await set_password(session, account=account, password=new, now=console.now())
        except AccountError as problem:
            return str(problem)
        keep = digest(request.cookies.get(SESSION_COOKIE, ""))
        await session.exec(
            delete(LoginSession)
            .where(col(LoginSession.account_id) == account.id)
            .where(col(LoginSession.id_hash) != keep)
        )
        audit.record(
            session, action="password_changed", officer=officer, address=client_address(request)
        )
    return ""
