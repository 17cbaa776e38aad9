"""Words of a text for matching names: folded (services.kit.text.fold), with their offsets.

Shared by the router's structure (places, departments) and the notifier's directory, so
both read a department's name and a split department's share the same way. Every matcher
compares folded words: lower case, no diacritics (đ → d),
apostrophes dropped ("K'Bang" → "kbang"). Punctuation is kept as one-character tokens so
that callers can tell "TP. Pleiku" (an abbreviation's dot) from a sentence end, and
addresses' commas from the words they separate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from services.kit.text import fold

_TOKEN = re.compile(r"[^\W_]+(?:['’‘ʼ`´][^\W_]+)*|[^\w\s]")
_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_MARKED_SHARE = 0.2  # as services.router.domain.matching: below this, typed without diacritics

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as typed (NFC)
    folded: str  # folded word; the character itself for punctuation
    start: int  # offsets in the NFC text
    end: int
    is_word: bool


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """One word folded, apostrophes dropped: "K'Bang" → "kbang", "Đắk" → "dak"."""
    return _APOSTROPHES.sub("", fold(word))


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def tokenize(text: str) -> list[Token]:
    """Words and punctuation of an NFC text (see `nfc`), in order."""
    tokens = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        is_word = raw[0].isalnum()
        tokens.append(
            Token(raw, fold_word(raw) if is_word else raw, match.start(), match.end(), is_word)
        )
    return tokens


def folded_words(text: str) -> tuple[str, ...]:
    """The folded words of a text, punctuation dropped: "Sở TN&MT" → ("so", "tn", "mt")."""
    return tuple(t.folded for t in tokenize(nfc(text)) if t.is_word)


def compact(text: str) -> str:
    """A name's key: its folded words without spaces ("Ia Kha", "Iakha" → "iakha")."""
    return "".join(folded_words(text))


def typed_with_diacritics(tokens: Sequence[Token], share: float = _MARKED_SHARE) -> bool:
    """Whether the text was typed with diacritics (then "xa" is not "xã"): at least `share`
    of its words carry some."""
    words = [t for t in tokens if t.is_word and any(ch.isalpha() for ch in t.text)]
    marked = sum(t.folded != _APOSTROPHES.sub("", t.text.lower()) for t in words)
    return marked >= share * max(len(words), 1)


def mixed_case(tokens: Sequence[Token]) -> bool:
    """Whether the text uses capitals and small letters both (names then start with one)."""
    letters = "".join(t.text for t in tokens if t.is_word)
    return letters.lower() != letters and letters.upper() != letters


class PhraseIndex(Generic[V]):
    """Whole-word phrases (tuples of folded words) → values; longest match wins."""

    def __init__(self, phrases: Mapping[tuple[str, ...], V]) -> None:
        self._phrases = dict(phrases)
        self._longest: dict[str, int] = {}
        for phrase in self._phrases:
            first = phrase[0]
            self._longest[first] = max(self._longest.get(first, 0), len(phrase))

    def __len__(self) -> int:
        return len(self._phrases)

    def find(self, words: Sequence[str]) -> Iterator[tuple[int, int, V]]:
        """Non-overlapping (start, end, value) of the phrases in `words`, left to right."""
        i, n = 0, len(words)
        while i < n:
            longest = self._longest.get(words[i], 0)
            for size in range(min(longest, n - i), 0, -1):
                value = self._phrases.get(tuple(words[i : i + size]))
                if value is not None:
                    yield i, i + size, value
                    i += size
                    break
            else:
                i += 1


def without_spans(words: Sequence[str], spans: Sequence[tuple[int, int]]) -> list[str]:
    """The words outside the spans, a "|" where each span was (so that no phrase joins
    across it): a department's name cut out of a text is not a field word."""
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.extend(words[last:start])
        out.append("|")
        last = end
    out.extend(words[last:])
    return out


def most_found(index: PhraseIndex[V], words: Sequence[str]) -> V | None:
    """The value whose phrases occur most often in `words`; None when none occurs or two
    values tie."""
    hits: dict[V, int] = {}
    for _, _, value in index.find(words):
        hits[value] = hits.get(value, 0) + 1
    if not hits:
        return None
    best = max(hits.values())
    top = [value for value, count in hits.items() if count == best]
    return top[0] if len(top) == 1 else None
