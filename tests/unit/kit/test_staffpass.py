"""The signed staff pass: only the right secret, only before it expires, only short-lived and
tied to a login, nothing forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.kit import staffpass


def _token(ttl: timedelta = timedelta(minutes=10), session: str = "s-1") -> str:
    return staffpass.issue(
        "s3cret", username="vpub.a", agency="VPUB", role="officer", ttl=ttl, session=session
    )


def test_a_pass_verifies_with_its_secret_and_carries_the_officer_and_login() -> None:
    found = staffpass.verify("s3cret", _token())
    assert found is not None and (found.username, found.agency, found.role) == (
        "vpub.a",
        "VPUB",
        "officer",
    )
    assert found.session == "s-1" and not found.half_spent(datetime.now(UTC))
    assert found.half_spent(datetime.now(UTC) + timedelta(minutes=6))


def test_wrong_secret_expiry_tampering_and_garbage_are_refused() -> None:
    token = _token()
    payload, signature = token.split(".")
    forged = staffpass._b64(staffpass._unb64(payload).replace(b"VPUB", b"STNM"))
    assert staffpass.verify("other", token) is None
    assert staffpass.verify("s3cret", token, now=datetime.now(UTC) + timedelta(minutes=11)) is None
    assert staffpass.verify("s3cret", f"{forged}.{signature}") is None
    for garbage in ("", ".", "abc", "a.b.c", "%%%.%%%"):
        assert staffpass.verify("s3cret", garbage) is None


def test_long_lived_or_login_less_passes_are_refused() -> None:
    assert staffpass.verify("s3cret", _token(ttl=timedelta(hours=8))) is None
    assert staffpass.verify("s3cret", _token(session="")) is None


def test_the_form_token_belongs_to_the_login_and_the_secret() -> None:
    first = staffpass.verify("s3cret", _token(session="s-1"))
    renewed = staffpass.verify("s3cret", _token(session="s-1", ttl=timedelta(minutes=5)))
    other = staffpass.verify("s3cret", _token(session="s-2"))
    assert first and renewed and other
    token = staffpass.csrf_token("s3cret", first)
    assert token == staffpass.csrf_token("s3cret", renewed), "stable across renewals"
    assert token != staffpass.csrf_token("s3cret", other)
    assert token != staffpass.csrf_token("guess", first)


def _request(headers: dict[str, str]) -> object:
    from starlette.requests import Request

    raw = [(k.lower().encode(), v.encode()) for k, v in {"host": "pakn.test", **headers}.items()]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": raw})


def test_a_form_from_a_no_referrer_page_is_same_site_by_its_fetch_metadata() -> None:
    from services.kit.staffpass import same_site

    # Chromium posts `Origin: null` from a page with Referrer-Policy: no-referrer.
    assert same_site(_request({"origin": "null", "sec-fetch-site": "same-origin"}))  # type: ignore[arg-type]
    assert not same_site(_request({"origin": "null", "sec-fetch-site": "cross-site"}))  # type: ignore[arg-type]
    assert not same_site(_request({"origin": "null"}))  # type: ignore[arg-type]
    assert not same_site(_request({"origin": "https://evil.example"}))  # type: ignore[arg-type]
    assert same_site(_request({"origin": "http://pakn.test"}))  # type: ignore[arg-type]
