"""A signed, short-lived staff pass shared by the services' internal pages.

The console (router) is where officers log in. Intake's entry forms for the hotline and
the post desk, and the office pages of intake and the notifier, run in other processes
and own no accounts: they accept the pass the console sets, an HMAC-signed token checked
with the secret all services share (`STAFF_SECRET`).

The pass dies with the login (docs/decisions/0004-console-access.md, "The staff pass"):
it names the console session it was issued for (`session`, an HMAC of the session's
secret, not the secret) and lives a few minutes only (router `STAFF_PASS_MINUTES`, never
past the session's own end). Past half its life a staff page sends a GET through the
console's renewal address (`RENEW`), which issues a new pass only while the session is
alive: after logout, a password change elsewhere, a disabled account or the console's idle
limit, no new pass is issued and the old one ends within one lifetime. A pass longer-lived
than `MAX_LIFETIME`, or without its session, is refused (old 8-hour passes included).

Every POST to a staff page must come from this site (`Origin`, else `Referer`, else
`Sec-Fetch-Site`) and carry the pass's form token (`csrf_token`: the form field `csrf`,
or the header `X-CSRF-Token` for the JSON APIs, which accept `application/json` only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

COOKIE = "pakn_staff"
LOGIN = "/can-bo/dang-nhap"
RENEW = "/can-bo/the-noi-bo"  # the console renews the pass from its session, then returns
OFFICE = "VPUB"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
MAX_LIFETIME = timedelta(minutes=30)  # whatever the router says, no pass lives longer
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The console's rules for private pages: never cached, never framed, no scripts, forms to
# this site only, no Referer to other sites.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
FORGED = (
    "Biểu mẫu đã hết hiệu lực hoặc không xuất phát từ trang của hệ thống. "
    "Hãy tải lại trang rồi thực hiện lại."
)
CROSS_SITE = "Yêu cầu không xuất phát từ trang của hệ thống nên không được thực hiện."
JSON_ONLY = "Chỉ nhận dữ liệu JSON (Content-Type: application/json)."


@dataclass(frozen=True)
class StaffPass:
    username: str
    agency: str
    role: str
    expires: datetime
    session: str = ""  # which console login it belongs to (an HMAC of its secret)
    issued: datetime | None = None

    def half_spent(self, now: datetime) -> bool:
        """Past half its life: time to have the console renew it."""
        if self.issued is None:
            return True
        return now >= self.issued + (self.expires - self.issued) / 2


def issue(
    secret: str,
    *,
    username: str,
    agency: str,
    role: str,
    ttl: timedelta,
    session: str,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    payload = json.dumps(
        {
            "u": username,
            "a": agency,
            "r": role,
            "s": session,
            "iat": int(issued.timestamp()),
            "exp": int((issued + ttl).timestamp()),
        }
    ).encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def verify(secret: str, token: str, *, now: datetime | None = None) -> StaffPass | None:
    """The pass, if `token` is signed with `secret`, names its session, is not expired and
    not longer-lived than `MAX_LIFETIME`; else None."""
    try:
        encoded, signature = token.split(".", 1)
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(signature), _sign(secret, payload)):
            return None
        fields = json.loads(payload)
        expires = datetime.fromtimestamp(int(fields["exp"]), UTC)
        issued = datetime.fromtimestamp(int(fields["iat"]), UTC)
        found = StaffPass(
            str(fields["u"]),
            str(fields["a"]),
            str(fields["r"]),
            expires,
            session=str(fields["s"]),
            issued=issued,
        )
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        return None
    moment = now or datetime.now(UTC)
    if (
        not found.session
        or expires - issued > MAX_LIFETIME
        or issued > moment + timedelta(minutes=1)
    ):
        return None
    return found if expires > moment else None


def session_id(session_secret: str) -> str:
    """What the pass says of the console login: derived from its cookie's secret, which
    neither the pass nor the other services ever see."""
    return hmac.new(session_secret.encode(), b"pakn-staff-pass", hashlib.sha256).hexdigest()[:32]


def csrf_token(secret: str, found: StaffPass) -> str:
    """The staff pages' form token: bound to the login (stable across renewals), unknown to
    anyone without the shared secret."""
    message = f"pakn-staff-csrf\x00{found.session}\x00{found.username}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same_site(request: Request) -> bool:
    """Whether an unsafe request comes from this site's own pages.

    `Sec-Fetch-Site` first: browsers send it on every request and no page can forge it,
    whatever the referrer policy (our private pages send no Referer, and with that policy
    Chromium sends `Origin: null` on a form POST). Else `Origin`, else `Referer`. A client
    that sends none of them (not a browser) is judged by the form token alone.
    """
    host = request.headers.get("host", "").lower()
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and _netloc(origin) == host
    referer = request.headers.get("referer")
    return _netloc(referer) == host if referer else True


def _netloc(url: str) -> str | None:
    try:
        return urlsplit(url).netloc.lower() or None
    except ValueError:
        return None


def is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json"


Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def office_only(
    secret: str | None,
    *,
    agencies: Collection[str] = (OFFICE,),
    clock: Clock = _utc_now,
) -> Callable[[Request], StaffPass]:
    """A FastAPI dependency admitting officers of `agencies` who hold a live pass. A page
    asked for with a pass past half its life (or none) goes through the console's renewal;
    a POST must come from this site. The pass and its form token are left on
    `request.state.staff` and `request.state.staff_csrf` for the pages."""

    def guard(request: Request) -> StaffPass:
        if not secret:
            raise HTTPException(503, "Trang nội bộ chưa được cấu hình (thiếu khóa STAFF_SECRET).")
        now = clock()
        found = verify(secret, request.cookies.get(COOKIE, ""), now=now)
        safe = request.method in SAFE_METHODS
        if found is None or (safe and found.half_spent(now)):
            if not safe and _is_api(request):
                raise HTTPException(401, "Phiên làm việc đã hết hạn: xin đăng nhập lại.")
            raise HTTPException(303, "Cần đăng nhập.", headers={"Location": renew_url(request)})
        if found.agency not in agencies:
            raise HTTPException(403, "Tài khoản không có quyền xem trang này.")
        if not safe and not same_site(request):
            raise HTTPException(403, CROSS_SITE)
        request.state.staff = found
        request.state.staff_csrf = csrf_token(secret, found)
        return found

    return guard


def _is_api(request: Request) -> bool:
    return "/api/" in request.url.path


def renew_url(request: Request) -> str:
    """The console's renewal address, back to this page (a GET of it, for a POST)."""
    target = request.url.path
    if request.method in SAFE_METHODS and request.url.query:
        target += "?" + request.url.query
    return f"{RENEW}?next={quote(target, safe='')}"


def json_api(secret: str | None) -> Callable[[Request], None]:
    """A FastAPI dependency for the staff JSON APIs (after `office_only`): the body must be
    `application/json` (a cross-site form cannot send it without the browser asking first)
    and the header `X-CSRF-Token` must carry the pass's form token."""

    def check(request: Request) -> None:
        if request.method in SAFE_METHODS:
            return
        if not is_json(request):
            raise HTTPException(415, JSON_ONLY)
        expected = getattr(request.state, "staff_csrf", "")
        sent = request.headers.get(CSRF_HEADER, "")
        if not secret or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise HTTPException(403, FORGED)

    return check


def form_token_ok(request: Request, sent: str | None) -> bool:
    """Whether a staff form's `csrf` field is the pass's form token."""
    expected = getattr(request.state, "staff_csrf", "")
    return (
        bool(expected)
        and isinstance(sent, str)
        and hmac.compare_digest(sent.encode(), expected.encode())
    )


class StaffRoute(APIRoute):
    """A staff page's route: the console's private-page headers on every answer (pages,
    downloads, refusals alike). A route class survives `include_router`, so the embedded
    system keeps it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await inner(request)
            except HTTPException as error:
                headers = {**PRIVATE_HEADERS, **(error.headers or {})}
                raise HTTPException(error.status_code, error.detail, headers=headers) from error
            response.headers.update(PRIVATE_HEADERS)
            return response

        return handler


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
