"""Password hashing (scrypt, standard library), random secrets and their digests. Pure.

A password hash reads `scrypt$<log2 n>$<r>$<p>$<salt>$<key>` (base64 without padding): the
parameters travel with each hash, so they can be raised later without breaking old ones.
Session ids and API tokens are 256-bit random values: a plain SHA-256 digest is enough to
store them (nobody can guess the input), and lets them be looked up by digest.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import re
import secrets
import string
import unicodedata

# n = 2**15, r = 8: 32 MiB and some tens of milliseconds per check (OWASP's scrypt minimum
# is n = 2**17 with r = 8, p = 1 on a dedicated server; this keeps a small host responsive
# and still makes each guess costly; raise LOG_N when the host allows).
LOG_N, R, P = 15, 8, 1
_SALT_BYTES, _KEY_BYTES = 16, 32
_MAXMEM = 128 * R * (2**LOG_N) * 2
MIN_PASSWORD_LENGTH = 12
_ALPHABET = string.ascii_letters + string.digits


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, *, log_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=2**log_n,
        r=r,
        p=p,
        maxmem=max(_MAXMEM, 128 * r * (2**log_n) * 2),
        dklen=_KEY_BYTES,
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, log_n=LOG_N, r=R, p=P)
    return f"scrypt${LOG_N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`; a malformed hash never matches."""
    try:
        scheme, log_n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        found = _scrypt(password, _unb64(salt), log_n=int(log_n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)


@functools.cache
def dummy_hash() -> str:
    """Checked against when the username is unknown, so that a wrong name costs the same
    time as a wrong password and the answer does not tell whether the account exists."""
    return hash_password(secrets.token_urlsafe(16))


# Words found at the top of every leaked-password list, and their local favourites: a
# password that is one of them once digits and symbols are taken away is refused.
COMMON_WORDS = frozenset(
    [
        "password",
        "passw0rd",
        "passwd",
        "matkhau",
        "matkhaumoi",
        "admin",
        "administrator",
        "root",
        "user",
        "guest",
        "login",
        "welcome",
        "letmein",
        "iloveyou",
        "loveyou",
        "anhyeuem",
        "emyeuanh",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "asdfghjkl",
        "zxcvbn",
        "zxcvbnm",
        "abc",
        "abcd",
        "abcde",
        "abcdef",
        "abcdefg",
        "abcdefgh",
        "abc123",
        "qwe",
        "qweasd",
        "qazwsx",
        "aaa",
        "vietnam",
        "hanoi",
        "saigon",
        "gialai",
        "pleiku",
        "quynhon",
        "binhdinh",
        "ubnd",
        "ubndtinh",
        "vanphong",
        "vpub",
        "pakn",
        "canbo",
        "lanhdao",
        "giamdoc",
        "chuyenvien",
        "congchuc",
        "thanhtra",
        "phananh",
        "kiennghi",
        "trustno",
        "dragon",
        "monkey",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "master",
        "superman",
        "batman",
        "shadow",
        "secret",
        "changeme",
        "default",
        "test",
        "tester",
        "testing",
        "demo",
        "sample",
        "example",
        "system",
        "server",
    ]
)
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _folded(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ → d)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _step(a: str, b: str) -> bool:
    """Whether b follows a in a run: the same, the next or previous character, or a
    neighbour on a keyboard row."""
    if abs(ord(a) - ord(b)) <= 1:
        return True
    return any(
        a in row and b in row and abs(row.index(a) - row.index(b)) == 1 for row in _KEYBOARD_ROWS
    )


def _repetitive(text: str) -> bool:
    """One pattern over and over (`abcabcabcabc`, `Abc1Abc1Abc1`), or a run of sequential
    or keyboard-neighbour characters (`123456789012`, `qwertyuiop12`) over most of it."""
    if len(text) < 3:
        return True
    grams = {text[i : i + 3] for i in range(len(text) - 2)}
    if len(grams) * 2 < len(text) - 2:
        return True
    steps = sum(_step(a, b) for a, b in itertools.pairwise(text))
    return steps * 4 >= (len(text) - 1) * 3


def password_problem(password: str, *, username: str = "", agency: str = "") -> str | None:
    """Why a new password is refused (Vietnamese), or None: too short, too few different
    characters, one repeated or sequential pattern, a common password with digits or
    symbols around it, or containing the username or the agency's code."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if len(set(password)) < 5:
        return "Mật khẩu quá đơn giản: hãy dùng nhiều ký tự khác nhau."
    folded = _folded(password)
    if _repetitive(folded):
        return "Mật khẩu quá đơn giản: không dùng một chuỗi lặp lại hay dãy ký tự liên tiếp."
    letters = "".join(c for c in folded if c.isalpha())
    if letters in COMMON_WORDS or not letters or (_repetitive(letters) and len(letters) >= 3):
        return "Mật khẩu quá phổ biến: hãy chọn một cụm từ khó đoán hơn."
    name = _folded(username)
    parts = {name, *(p for p in re.split(r"[._@-]", name) if len(p) >= 3)}
    if any(part and part in folded for part in parts):
        return "Mật khẩu không được chứa tên đăng nhập."
    code = _folded(agency)
    if len(code) >= 3 and code in folded:
        return "Mật khẩu không được chứa mã cơ quan."
    return None


def random_password(length: int = 20, *, username: str = "", agency: str = "") -> str:
    """A random password that passes `password_problem` for this account."""
    while True:
        found = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if password_problem(found, username=username, agency=agency) is None:
            return found


def new_secret() -> str:
    """A 256-bit random value for a session id or an API token."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(session_secret: str) -> str:
    """The session's anti-forgery token: derived from the cookie's secret, never stored, and
    unknown to anyone who cannot read the cookie."""
    return hmac.new(session_secret.encode(), b"pakn-console-csrf", hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
