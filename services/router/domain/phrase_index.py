"""Every phrase of every phrase list found in one pass over a text (issue 12).

Routing reads each item against a few hundred phrase lists. Instead of one regular
expression per list and text, all the lists' phrases go into one Aho–Corasick automaton
(pyahocorasick, BSD-3-Clause), and one pass over a text in the normal form
(`matching.normalise`) finds where each phrase occurs as whole words. A list's matches are
then read off that index exactly as its regular expression `\\b(?:longest|…|shortest)\\b`
would find them: leftmost first, the longest phrase at a place, none overlapping.

The index is only built for a text in the normal form (letters a-z, digits, single dots
between spaces): there a whole-word occurrence is one with a space or the text's edge on
either side, which is what the automaton's space-padded keys find. It also knows the
phrases that rule patterns cannot match without (prefilter.py), so that a condition can
tell from it alone that it cannot fire.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

# What the normal form never holds: another character, or a dot touching a word.
_NOT_NORMAL = re.compile(r"[^a-z0-9. ]|[a-z0-9]\.|\.[a-z0-9]")


class Hit:
    """A phrase found through the index: the part of `re.Match` that routing reads."""

    __slots__ = ("_end", "_start", "string")

    def __init__(self, string: str, start: int, end: int) -> None:
        self.string = string
        self._start = start
        self._end = end

    def group(self, index: int = 0, /) -> str:
        if index != 0:
            raise IndexError("a phrase hit has no groups")
        return self.string[self._start : self._end]

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def __repr__(self) -> str:
        return f"<Hit span={self.span()} match={self.group(0)!r}>"


@dataclass(frozen=True, slots=True)
class Serial:
    """How many phrases the registry held once a condition's own were in: an index built
    from at least as many knows them all. It takes no part in comparing what holds it."""

    value: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class TextIndex:
    """Where each registered phrase occurs as whole words in one text (start offsets, in
    reading order); `serial`: how many phrases were registered when it was built."""

    starts: dict[str, list[int]]
    serial: int
    present: frozenset[str]  # the phrases found


class _Registry:
    """Every phrase of every list built in this process, and their automaton."""

    def __init__(self) -> None:
        self._forms: dict[str, None] = {}
        self._lock = threading.Lock()
        self._built: tuple[int, ahocorasick.Automaton | None] = (0, None)

    def register(self, forms: Iterable[str]) -> int:
        """Add phrases; the serial an index must have reached to know them all."""
        with self._lock:
            self._forms.update(dict.fromkeys(forms))
            return len(self._forms)

    def automaton(self) -> tuple[int, ahocorasick.Automaton | None]:
        built = self._built
        if built[0] == len(self._forms):
            return built
        with self._lock:
            forms = list(self._forms)
            automaton = ahocorasick.Automaton()
            for form in forms:
                automaton.add_word(f" {form} ", form)
            if forms:
                automaton.make_automaton()
            self._built = (len(forms), automaton if forms else None)
            return self._built


REGISTRY = _Registry()


def index_text(text: str) -> TextIndex | None:
    """The whole-word occurrences of every registered phrase, or None for a text that is not
    in the normal form (its lists are then matched by their regular expressions)."""
    if _NOT_NORMAL.search(text):
        return None
    serial, automaton = REGISTRY.automaton()
    starts: dict[str, list[int]] = {}
    if automaton is not None:
        for end, form in automaton.iter(f" {text} "):
            starts.setdefault(form, []).append(end - len(form) - 1)
    return TextIndex(starts, serial, frozenset(starts))


def leftmost_longest(text: str, forms: frozenset[str], index: TextIndex) -> list[Hit]:
    """The occurrences of `forms` that `\\b(?:forms, longest first)\\b` finds in `text`."""
    present = forms & index.present
    if not present:
        return []
    found = sorted((start, -len(form)) for form in present for start in index.starts[form])
    hits: list[Hit] = []
    reached = 0
    for start, minus_length in found:
        if start >= reached:  # the longest phrase at this place; the others overlap it
            reached = start - minus_length
            hits.append(Hit(text, start, reached))
    return hits
