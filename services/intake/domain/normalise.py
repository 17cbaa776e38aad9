"""Normalise what a channel sent: phone and e-mail forms, regulation references, text.

Pure functions; every matcher works on a folded copy of the text that keeps the
original's character positions, so a match can quote the citizen's own spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from schemas.submission import Submission
from services.kit.text import analysed, clean

# Mobile numbers are 0 + 9 digits since the 2018 renumbering; landlines are 0 + a
# 2xx area code + 8 digits since 2017 (Gia Lai: 0269).
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
# Pre-2018 eleven-digit mobile prefixes still printed on old letterheads.
_OLD_MOBILE_PREFIX = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039", "0186": "056", "0188": "058",
    "0199": "059",
}  # fmt: skip
_PHONE_ALTERNATIVES = re.compile(r"[,;/|]|\s[-–]\s|\bho[aặ]c\b|\bor\b", re.IGNORECASE)
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}"
)


def normalise_phone(raw: str) -> str | None:
    """The national form (10 digits for mobiles, 11 for landlines, leading 0), or None.

    A field holding several numbers ("0905 123 456 / 0269 3823 456") yields the first
    plausible one.
    """
    for part in _PHONE_ALTERNATIVES.split(analysed(raw)):
        national = _national_digits(part)
        if national is not None:
            return national
    return None


def _national_digits(part: str) -> str | None:
    digits = re.sub(r"\D", "", part)
    if part.strip().startswith("+") or digits.startswith("0084"):
        digits = digits.removeprefix("00")
        if not digits.startswith("84"):
            return None  # another country's number
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits  # the leading zero dropped, as people often write it
    if len(digits) == 11 and digits[:4] in _OLD_MOBILE_PREFIX:
        digits = _OLD_MOBILE_PREFIX[digits[:4]] + digits[4:]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def normalise_email(raw: str) -> str | None:
    """Lower-cased and trimmed (also out of "Name <addr>" or "mailto:"), or None."""
    text = clean(raw).lower()
    bracketed = re.search(r"<([^<>]*)>", text)
    if bracketed:
        text = bracketed.group(1).strip()
    text = text.removeprefix("mailto:")
    return text if len(text) <= 254 and _EMAIL.fullmatch(text) else None


def normalise_submission(s: Submission) -> Submission:
    """Cleaned text fields and canonical contact forms; a changed raw value goes to extra."""
    extra = dict(s.extra)
    phone = _with_raw(s.phone, normalise_phone, "phone_raw", extra)
    email = _with_raw(s.email, normalise_email, "email_raw", extra)
    return s.model_copy(
        update={
            "channel_ref": clean(s.channel_ref) or None,
            "name": clean(s.name),
            "organization": clean(s.organization),
            "address": clean(s.address),
            "title": clean(s.title),
            "content": clean_paragraphs(s.content),
            "regulation": clean(s.regulation),
            "attachments": [name for name in map(clean, s.attachments) if name],
            "phone": phone,
            "email": email,
            "extra": extra,
        }
    )


def clean_paragraphs(text: str) -> str:
    """clean() each line, keeping the line breaks: a letter's paragraphs carry meaning."""
    return "\n".join(line for line in map(clean, (text or "").splitlines()) if line)


def _with_raw(
    raw: str, normalise: Callable[[str], str | None], key: str, extra: dict[str, Any]
) -> str:
    if not raw.strip():
        return ""
    value = normalise(raw)
    if value != raw:
        extra.setdefault(key, raw)  # the channel's own spelling is kept: nothing is lost
    return value or ""
