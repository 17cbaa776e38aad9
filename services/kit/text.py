"""Text helpers shared by every service: Vietnamese-aware folding for matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """NFC-normalise, drop control characters and collapse runs of whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


def fold(text: str | None) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse whitespace.

    People type without diacritics; every matcher compares folded strings.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


# Text analysis (admissibility, duplicates, routing, places, redaction) reads at most this
# many characters of one field. Every valid submission is read whole (content at most
# 20,000 characters, title 500: schemas.submission); the limit only bounds the work an
# oversized text can cause, whatever a channel let through.
ANALYSED_CHARS = 24_000


def analysed(text: str | None, limit: int = ANALYSED_CHARS) -> str:
    """The part of `text` that analysis reads: its first `limit` characters."""
    return (text or "")[:limit]
