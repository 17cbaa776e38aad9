"""The signed staff pass: only the right secret, only before it expires, nothing forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.kit import staffpass


def _token(ttl: timedelta = timedelta(hours=1)) -> str:
    return staffpass.issue("s3cret", username="vpub.a", agency="VPUB", role="officer", ttl=ttl)


def test_a_pass_verifies_with_its_secret_and_carries_the_officer() -> None:
    found = staffpass.verify("s3cret", _token())
    assert found is not None and (found.username, found.agency, found.role) == (
        "vpub.a",
        "VPUB",
        "officer",
    )


def test_wrong_secret_expiry_tampering_and_garbage_are_refused() -> None:
    token = _token()
    payload, signature = token.split(".")
    forged = staffpass._b64(staffpass._unb64(payload).replace(b"VPUB", b"STNM"))
    assert staffpass.verify("other", token) is None
    assert staffpass.verify("s3cret", token, now=datetime.now(UTC) + timedelta(hours=2)) is None
    assert staffpass.verify("s3cret", f"{forged}.{signature}") is None
    for garbage in ("", ".", "abc", "a.b.c", "%%%.%%%"):
        assert staffpass.verify("s3cret", garbage) is None
