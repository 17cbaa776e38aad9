"""Logging in and out, and changing one's password."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, delete, select

from services.kit import staffpass
from services.router.console import audit
from services.router.console.access import Officer
from services.router.console.accounts import AccountError, authenticate, set_password
from services.router.console.auth import (
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
from services.router.console.models import Account, LoginSession

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


async def log_in(
    console: Console, request: Request, *, username: str, password: str, token: str, target: str
) -> Response:
    """Check the password (counting failures), open a session, and go where asked."""
    if not login_form_valid(request, token):
        return _login_page(console, request, next_path=target, error=FORM_EXPIRED, status_code=403)
    address, name = client_address(request), username.strip()[:64]
    async with console.db.transaction() as session:
        account = await authenticate(
            session, username=username, password=password, now=console.now(), policy=console.lockout
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
    if not secret:
        return _login_page(
            console, request, next_path=target, error=LOGIN_REFUSED, username=name, status_code=400
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, secret, console)
    if account is not None:
        set_staff_pass(response, account, console)
    return response


def set_staff_pass(response: Response, account: Account, console: Console) -> None:
    """The pass other services' internal pages accept (the office's intake forms, mail log)."""
    secret = console.settings.staff_secret
    if not secret:
        return
    hours = console.settings.console_session_hours
    token = staffpass.issue(
        secret,
        username=account.username,
        agency=account.agency,
        role=account.role,
        ttl=timedelta(hours=hours),
    )
    response.set_cookie(
        staffpass.COOKIE,
        token,
        max_age=int(hours * 3600),
        path="/",
        secure=console.settings.console_cookie_secure,
        httponly=True,
        samesite="strict",
    )


async def log_out(console: Console, request: Request, officer: Officer) -> Response:
    async with console.db.transaction() as session:
        await close_session(session, secret=request.cookies.get(SESSION_COOKIE, ""))
        audit.record(session, action="logout", officer=officer, address=client_address(request))
    response = RedirectResponse(PREFIX + "/dang-nhap", status_code=303)
    clear_session_cookie(response, console)
    response.delete_cookie(staffpass.COOKIE, path="/", httponly=True, samesite="strict")
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
        if not verify_password(current, account.password_hash):
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
