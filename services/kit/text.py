"""Text helpers shared by every service: Vietnamese-aware folding for matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """NFC-normalise, drop control characters and collapse runs of whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # a printable text has no character of category C
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


# Characters below this code point keep their computed mapping in a table (Latin with
# Vietnamese letters, Greek, Cyrillic, punctuation): a text made of any other characters
# cannot make the tables grow without bound.
_TABLED = 0x2100


class CharTable(dict[int, str | None]):
    """A `str.translate` table computed one character at a time, on first sight."""

    __slots__ = ("_convert",)

    def __init__(self, convert: Callable[[str], str | None]) -> None:
        super().__init__()
        self._convert = convert

    def __missing__(self, code: int) -> str | None:
        value = self._convert(chr(code))
        if code < _TABLED:
            self[code] = value
        return value


# NFD text without its combining marks (general category Mn).
_NO_MARKS = CharTable(lambda ch: None if unicodedata.category(ch) == "Mn" else ch)


def _has_marks(ch: str) -> bool:
    """A diacritic on the character (a combining mark once decomposed), or đ."""
    return ch == "đ" or any(
        unicodedata.category(c) == "Mn" for c in unicodedata.normalize("NFD", ch)
    )


# Each character as its class for `marked_words`: M a letter with diacritics, L one without,
# m a mark on something else; white space as it is; anything else dropped.
_WORD_CLASSES = CharTable(
    lambda ch: (
        ch
        if ch.isspace()
        else ("M" if ch.isalpha() else "m")
        if _has_marks(ch)
        else ("L" if ch.isalpha() else None)
    )
)
_WORD_WITH_LETTER = re.compile(r"(?<!\S)[^\sLM]*[LM]")  # linear: the start is a word's
_WORD_WITH_MARKED_LETTER = re.compile(r"(?<!\S)[^\sM]*M")


def marked_words(text: str) -> tuple[int, int]:
    """How many words (runs without white space) of `text` hold a letter, and how many of
    those carry a diacritic somewhere (people type Vietnamese with or without them)."""
    classes = text.translate(_WORD_CLASSES)
    if "m" not in classes:  # then a word with a diacritic has a letter that carries it
        return (
            len(_WORD_WITH_LETTER.findall(classes)),
            len(_WORD_WITH_MARKED_LETTER.findall(classes)),
        )
    words = [w for w in classes.split() if "L" in w or "M" in w]
    return len(words), sum("M" in w or "m" in w for w in words)


def fold(text: str | None) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse whitespace.

    People type without diacritics; every matcher compares folded strings.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = text.translate(_NO_MARKS)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


# Text analysis (admissibility, duplicates, routing, places, redaction) reads at most this
# many characters of one field. Every valid submission is read whole (content at most
# 20,000 characters, title 500: schemas.submission); the limit only bounds the work an
# oversized text can cause, whatever a channel let through.
ANALYSED_CHARS = 24_000


def analysed(text: str | None, limit: int = ANALYSED_CHARS) -> str:
    """The part of `text` that analysis reads: its first `limit` characters."""
    return (text or "")[:limit]
