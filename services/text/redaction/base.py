"""Vocabulary shared by the redaction detectors: kinds, spans and an offset-preserving view.

Every detector reports spans on the same NFC text. The view keeps a lower-cased and a
folded copy of exactly the same length, so a match found on either copy has valid
offsets in the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal, NamedTuple

from services.kit.text import CharTable, fold


class Kind(StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    ID_NUMBER = "id_number"
    BANK_ACCOUNT = "bank_account"
    TAX_CODE = "tax_code"
    LICENCE_PLATE = "licence_plate"
    ADDRESS = "address"
    ORGANIZATION = "organization"


PLACEHOLDER: dict[Kind, str] = {
    Kind.NAME: "[họ tên]",
    Kind.PHONE: "[số điện thoại]",
    Kind.EMAIL: "[email]",
    Kind.ID_NUMBER: "[số CCCD/CMND]",
    Kind.BANK_ACCOUNT: "[số tài khoản]",
    Kind.TAX_CODE: "[mã số thuế]",
    Kind.LICENCE_PLATE: "[biển số xe]",
    Kind.ADDRESS: "[địa chỉ]",
    Kind.ORGANIZATION: "[tên tổ chức]",
}

# When two detectors claim overlapping text, the more specific kind names the result.
PRIORITY: dict[Kind, int] = {
    Kind.EMAIL: 0,
    Kind.TAX_CODE: 1,
    Kind.BANK_ACCOUNT: 2,
    Kind.ID_NUMBER: 3,
    Kind.LICENCE_PLATE: 4,
    Kind.PHONE: 5,
    Kind.ORGANIZATION: 6,
    Kind.ADDRESS: 7,
    Kind.NAME: 8,
}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: Kind


_ANY_PLACEHOLDER = "(?:" + "|".join(re.escape(p) for p in PLACEHOLDER.values()) + ")"
_PLACEHOLDER_BEFORE = re.compile(_ANY_PLACEHOLDER + r"[ \u00a0]$")
_PLACEHOLDER_AFTER = re.compile(r"[ \u00a0]" + _ANY_PLACEHOLDER)
_PLACEHOLDER_ANYWHERE = re.compile(_ANY_PLACEHOLDER)
_WORD = re.compile(r"[^\W\d_]+(?:['’‘][^\W\d_]+)*")


class Token(NamedTuple):  # a tuple: a text has many, and a tuple is quickest to make
    start: int
    end: int
    text: str
    key: str  # folded form, for comparisons that ignore case and diacritics

    @property
    def capitalised(self) -> bool:
        """Title-case word ("Hòa", "H'Plăk", "Y"); acronyms such as "UBND" are not names."""
        return self.text[0].isupper() and (len(self.text) == 1 or not self.text.isupper())

    @property
    def upper(self) -> bool:
        return self.text.isupper()


def _one_for_one(convert: Callable[[str], str]) -> Callable[[str], str]:
    def mapped(ch: str) -> str:
        out = convert(ch)
        return out if len(out) == 1 else ch

    return mapped


# Each character converted once per process, then by table (`str.translate`).
_SAME_LENGTH: dict[str, CharTable] = {
    "fold": CharTable(_one_for_one(fold)),
    "lower": CharTable(_one_for_one(str.lower)),
}


def _same_length(text: str, convert: Literal["fold", "lower"]) -> str:
    """Convert char by char so that every offset stays valid in the original."""
    return text.translate(_SAME_LENGTH[convert])


@dataclass(frozen=True)
class TextView:
    text: str
    lower: str
    folded: str
    plain: bool  # typed without diacritics: keywords and names must be matched folded
    tokens: tuple[Token, ...]
    token_at: dict[int, int]  # start offset -> token index

    def adjacent(self, left: Token, right: Token) -> bool:
        """Two words separated by a single space only (no punctuation, no line break)."""
        return self.text[left.end : right.start] in (" ", "\u00a0")

    def next_to_placeholder(self, token: Token) -> bool:
        """A placeholder stands for capitalised words already redacted ("[họ tên] Duyên")."""
        before = self.text[max(0, token.start - 24) : token.start]
        after = self.text[token.end : token.end + 24]
        return bool(_PLACEHOLDER_BEFORE.search(before) or _PLACEHOLDER_AFTER.match(after))

    def sentence_start(self, token: Token) -> bool:
        before = self.text[max(0, token.start - 80) : token.start].rstrip()
        return not before or before[-1] in ".!?:;\n\"'“(-–"


def make_view(text: str) -> TextView:
    lower = _same_length(text, "lower")
    folded = _same_length(text, "fold")
    spans = map(re.Match.span, _WORD.finditer(text))
    tokens = tuple([Token._make((a, b, text[a:b], folded[a:b])) for a, b in spans])
    # Placeholders carry diacritics of their own; they must not change the mode. A text
    # without one (any text on the first pass) is its own bare form, converted above.
    if _PLACEHOLDER_ANYWHERE.search(text) is None:
        plain = folded == lower
    else:
        bare = _PLACEHOLDER_ANYWHERE.sub("", text)
        plain = _same_length(bare, "fold") == _same_length(bare, "lower")
    return TextView(
        text=text,
        lower=lower,
        folded=folded,
        plain=plain,
        tokens=tokens,
        token_at={t.start: i for i, t in enumerate(tokens)},
    )


@dataclass(frozen=True)
class Lexicon:
    """A word list usable in both modes: exact lower-case forms and folded forms."""

    exact: frozenset[str]
    folded: frozenset[str]

    @classmethod
    def of(cls, words: str | list[str]) -> Lexicon:
        items = words.split() if isinstance(words, str) else words
        return cls(frozenset(w.lower() for w in items), frozenset(fold(w) for w in items))

    def has(self, view: TextView, text: str) -> bool:
        if not view.plain:
            return text.lower() in self.exact
        return (_fold_word(text) if len(text) <= _WORD_CACHED else fold(text)) in self.folded


_WORD_CACHED = 40  # characters: a longer "word" is folded each time, not kept


@lru_cache(maxsize=16384)  # words, not texts: a language has only so many
def _fold_word(word: str) -> str:
    return fold(word)


def alternation(phrases: list[str]) -> str:
    """Regex alternation over folded phrases, longest first, bounded by non-letters.

    Patterns built from it run on `TextView.folded`.
    """
    alts = sorted({fold(p) for p in phrases}, key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)
    return rf"(?<![^\W\d_])(?:{body})(?![^\W\d_])"


def keyword_ok(view: TextView, start: int, end: int, lexicon: Lexicon) -> bool:
    """In text with diacritics a single-word keyword must be spelled exactly.

    Folding merges many words ("cô", "có", "cỏ" → "co"); only the exact spelling
    is the honorific, and only the exact "tổ" is a residential group.
    """
    found = view.lower[start:end]
    if view.plain or " " in found:
        return True
    return found in lexicon.exact
