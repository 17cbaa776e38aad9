"""A signed, short-lived staff pass shared by the services' internal pages.

The console (router) is where officers log in. Intake's entry forms for the hotline and
the post desk, and the office pages of intake and the notifier, run in other processes
and own no accounts: they accept the pass the console sets at login, an HMAC-signed token
(stateless, like a JWT) checked with the secret all services share (`STAFF_SECRET`).
A pass cannot be revoked before it expires; its lifetime is the console session's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from fastapi import HTTPException, Request

COOKIE = "pakn_staff"
LOGIN = "/can-bo/dang-nhap"
OFFICE = "VPUB"


@dataclass(frozen=True)
class StaffPass:
    username: str
    agency: str
    role: str
    expires: datetime


def issue(secret: str, *, username: str, agency: str, role: str, ttl: timedelta) -> str:
    expires = int((datetime.now(UTC) + ttl).timestamp())
    payload = json.dumps({"u": username, "a": agency, "r": role, "exp": expires}).encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def verify(secret: str, token: str, *, now: datetime | None = None) -> StaffPass | None:
    """The pass, if `token` is signed with `secret` and not expired; else None."""
    try:
        encoded, signature = token.split(".", 1)
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(signature), _sign(secret, payload)):
            return None
        fields = json.loads(payload)
        expires = datetime.fromtimestamp(int(fields["exp"]), UTC)
        found = StaffPass(str(fields["u"]), str(fields["a"]), str(fields["r"]), expires)
    except (ValueError, KeyError, TypeError):
        return None
    return found if expires > (now or datetime.now(UTC)) else None


def office_only(
    secret: str | None, *, agencies: Collection[str] = (OFFICE,)
) -> Callable[[Request], StaffPass]:
    """A FastAPI dependency admitting officers of `agencies` who hold a valid pass."""

    def guard(request: Request) -> StaffPass:
        if not secret:
            raise HTTPException(503, "Trang nội bộ chưa được cấu hình (thiếu khóa STAFF_SECRET).")
        found = verify(secret, request.cookies.get(COOKIE, ""))
        if found is None:
            target = quote(request.url.path, safe="/")
            raise HTTPException(
                303, "Cần đăng nhập.", headers={"Location": f"{LOGIN}?next={target}"}
            )
        if found.agency not in agencies:
            raise HTTPException(403, "Tài khoản không có quyền xem trang này.")
        return found

    return guard


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
