"""What every service's web app shares at its edge: security headers on every response, a
public OpenAPI document without the internal pages and APIs, and the checks of the query
parameters that every list takes (page numbers, ids, dates), with Vietnamese messages.

Each app builder calls `harden(app)`; the embedded default calls it on its one app.
"""

from __future__ import annotations

from datetime import date
from html import escape
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import RouteContext, iter_route_contexts
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.kit.errors import MissingSetting as MissingSetting  # re-exported
from services.kit.errors import ParameterError as ParameterError  # re-exported

# Pages without JavaScript: nothing but this site's own resources, inline styles (the shared
# layout and the statistics chart use them), no plug-ins, never inside a frame, forms only
# to this site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'none'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

# Pages and APIs for officers, the office and the machines that watch the processes: they
# are not part of the public contract, so the public OpenAPI document leaves them out.
INTERNAL_PREFIXES = (
    "/noi-bo",
    "/can-bo",
    "/api/v1",
    "/van-phong",
    "/healthz",
    "/readyz",
    "/metrics",
)

# Bounds of the parameters every list takes: beyond them a request is a 4xx, never a 5xx.
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response (pages, feeds, JSON,
    errors); a header the route set itself is kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


PAGE_PARAMETERS = ("trang", "page", "page_size")
PAGE_PROBLEM = "Số trang: phải là số nguyên từ 1 đến {maximum}, viết bằng chữ số 0–9."


class PageNumbers:
    """ASGI middleware: a page number written in digits (`trang`, `page`, `page_size`) must
    be ASCII and from 1 to 10 000, whichever route reads it; otherwise 400 with a
    Vietnamese message before any route runs (`²` passes `isdigit()`, and a number beyond
    64 bits overflows the database). Values that are not digits at all are the route's to
    judge (the public list treats them as the first page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            for name, value in parse_qsl(scope["query_string"].decode("utf-8", "replace")):
                if name in PAGE_PARAMETERS and not _page_ok(value):
                    message = PAGE_PROBLEM.format(maximum=MAX_PAGE)
                    response: Response = JSONResponse({"detail": message}, status_code=400)
                    if "text/html" in Headers(scope=scope).get("accept", ""):
                        response = _page(message, 400)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _page_ok(raw: str) -> bool:
    text = raw.strip()
    if not text or not text.isdigit():
        return True  # not a number: the route decides
    number = ascii_number(text)
    return number is not None and 1 <= number <= MAX_PAGE


async def number_too_large(request: Request, error: Exception) -> Response:
    """A safety net: a number too large for the database is the client's mistake (400)."""
    message = "Số quá lớn: xin kiểm tra lại đường dẫn hoặc tham số."
    if _wants_html(request):
        return _page(message, 400)
    return JSONResponse({"detail": message}, status_code=400)


def is_internal(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in INTERNAL_PREFIXES)


class _Shown(RouteContext):
    """A route described even though it is left out of the served document."""

    @property
    def include_in_schema(self) -> bool:
        return True


def _document(app: FastAPI, routes: list[RouteContext]) -> dict[str, Any]:
    return get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=routes,
    )


def public_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document without the internal paths (built once, then cached)."""
    if app.openapi_schema is None:
        routes = iter_route_contexts(app.routes)
        app.openapi_schema = _document(app, [r for r in routes if not is_internal(r.path or "")])
    return app.openapi_schema


def full_openapi(app: FastAPI) -> dict[str, Any]:
    """Every route of the app, internal and hidden ones included: the document the route
    fuzz test runs on. Never served."""
    shown = [_Shown(r.route, r._route_context) for r in iter_route_contexts(app.routes)]
    return _document(app, list(shown))


_FIELD_VI = {"query": "tham số", "path": "đường dẫn", "body": "nội dung", "header": "tiêu đề"}
_STANDARD_VI = {
    404: "Không tìm thấy trang này.",
    405: "Phương thức này không được hỗ trợ ở địa chỉ này.",
}


def _problem_vi(error: dict[str, Any]) -> str:
    where = [str(part) for part in error.get("loc", ())]
    kind = _FIELD_VI.get(where[0], where[0]) if where else "yêu cầu"
    name = ".".join(where[1:])
    what = f"{kind} «{name}»" if name else kind
    if error.get("type") == "missing":
        return f"{what.capitalize()}: chưa có."
    return f"{what.capitalize()}: giá trị không hợp lệ."


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _page(message: str, status_code: int) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Yêu cầu không hợp lệ'
        f"</title></head><body><main><h1>Yêu cầu không hợp lệ</h1><p>{escape(message)}</p>"
        '<p><a href="/">Về trang chủ</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=status_code)


async def validation_problem(request: Request, error: Exception) -> Response:
    """422 for a parameter or body FastAPI could not read, said in Vietnamese."""
    problems = [_problem_vi(e) for e in getattr(error, "errors", list)()] or [
        "Yêu cầu không hợp lệ."
    ]
    if _wants_html(request):
        return _page(" ".join(problems), 422)
    return JSONResponse({"detail": problems}, status_code=422)


async def http_problem(request: Request, error: Exception) -> Response:
    """Starlette's own 404 and 405 in Vietnamese; a route's own message is kept."""
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail
    if detail == HTTPStatus(error.status_code).phrase and error.status_code in _STANDARD_VI:
        detail = _STANDARD_VI[error.status_code]
    headers = dict(error.headers or {})
    if error.status_code in (204, 304):
        return Response(status_code=error.status_code, headers=headers)
    if _wants_html(request) and isinstance(detail, str):
        page = _page(detail, error.status_code)
        page.headers.update(headers)
        return page
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=headers)


def harden(app: FastAPI) -> FastAPI:
    """Security headers on every response, the public OpenAPI document, and Vietnamese
    answers to requests FastAPI refuses by itself (422, 404, 405)."""
    app.add_middleware(PageNumbers)
    app.add_middleware(SecurityHeaders)  # outermost: its headers go on PageNumbers' 400 too
    app.add_exception_handler(RequestValidationError, validation_problem)
    app.add_exception_handler(OverflowError, number_too_large)
    app.add_exception_handler(StarletteHTTPException, http_problem)

    def openapi() -> dict[str, Any]:
        return public_openapi(app)

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def require_base_url(value: str, *, variable: str) -> str:
    """The configured public address, or `MissingSetting`: links are never built from the
    request's Host header."""
    if not value.strip():
        raise MissingSetting(
            f"{variable} is not set: the links the service prints need the public address of "
            "the site (for example https://pakn.gialai.gov.vn); links are never built from the "
            "request's Host header."
        )
    return value


def ascii_number(raw: str | None) -> int | None:
    """The integer written with ASCII digits only (no sign, no `²`, no other scripts'
    digits), or None."""
    text = (raw or "").strip()
    if not text or not text.isascii() or not text.isdecimal() or len(text) > 18:
        return None
    return int(text)


def page_number(raw: str | None, *, label: str = "Trang", maximum: int = MAX_PAGE) -> int:
    """A page number from 1 to `maximum`; empty means the first."""
    if raw is None or not raw.strip():
        return 1
    number = ascii_number(raw)
    if number is None or not 1 <= number <= maximum:
        raise ParameterError(f"{label}: phải là số nguyên từ 1 đến {maximum}.")
    return number


def record_id(raw: str | None) -> int | None:
    """A database id (1 to 2³¹−1), or None when it is not one: the caller answers 404."""
    number = ascii_number(raw)
    return number if number is not None and 1 <= number <= MAX_ID else None


def bounded_day(raw: str | None, *, label: str = "Ngày") -> date | None:
    """A day written YYYY-MM-DD between 2000 and 2100; empty means none."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text[:10]) if text.isascii() else None
    except ValueError:
        day = None
    if day is None:
        raise ParameterError(f"{label}: ngày không hợp lệ, hãy nhập theo dạng NNNN-TT-NN.")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ParameterError(
            f"{label}: chỉ nhận ngày từ {FIRST_DAY:%d/%m/%Y} đến {LAST_DAY:%d/%m/%Y}."
        )
    return day
