"""Which whole words a regular expression cannot match without (issue 12).

A rule pattern such as `\\b(?:den nay|van)\\b[^.]{0,40}?\\bchua\\b` can only match a text that
has the word "chua" and one of "den" or "van" as whole words. `required_words` reads this off
the parsed pattern, so a text whose words (`matching.words_of`) miss a clause is not scanned:
the scan would find nothing. It is conservative: a word counts only where the pattern itself
bounds it on both sides (by `\\b`, a space or another non-word character), and anything it
cannot read (lookarounds, classes, optional parts) simply adds no clause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any


@dataclass(frozen=True, slots=True)
class Clause:
    """At least one of these is in every text the pattern matches: a whole word, or a phrase
    of whole words (then found through the phrase index; without it, its first word)."""

    words: frozenset[str]
    phrases: frozenset[str]
    fallback: frozenset[str]  # `words` and the first word of each phrase


def required_words(pattern: re.Pattern[str]) -> tuple[Clause, ...]:
    """Clauses that all hold for a text the pattern matches anywhere in (() when unknown)."""
    # Other cases, ASCII word edges or free spacing would read the pattern otherwise.
    odd = re.IGNORECASE | re.ASCII | re.LOCALE | re.VERBOSE
    if pattern.flags & odd or not isinstance(pattern.pattern, str):
        return ()
    try:
        parsed = parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return ()
    found = dict.fromkeys(_sequence(list(parsed), False, False))
    return tuple(_clause(items) for items in found)


def phrases_of(clauses: Sequence[Clause]) -> set[str]:
    """The phrases of several words the clauses look for (to be registered in the index)."""
    return {phrase for clause in clauses for phrase in clause.phrases}


def may_match(
    clauses: Sequence[Clause], words: frozenset[str], present: frozenset[str] | None
) -> bool:
    """False only when the pattern with these clauses cannot match a text of these words
    and, when the text has a phrase index that knows the clauses' phrases, these phrases."""
    if present is None:
        return all(not clause.fallback.isdisjoint(words) for clause in clauses)
    return all(
        not clause.words.isdisjoint(words) or not clause.phrases.isdisjoint(present)
        for clause in clauses
    )


def _clause(items: frozenset[str]) -> Clause:
    words = frozenset(item for item in items if " " not in item)
    phrases = items - words
    return Clause(words, phrases, words | {phrase.split(" ")[0] for phrase in phrases})


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what `\w` and `\b` mean for str patterns


def _separates(item: tuple[Any, Any] | None, inherited: bool) -> bool:
    """Whether the item next to a word guarantees a word edge there (None: the sequence end,
    where the enclosing context decides)."""
    if item is None:
        return inherited
    op, av = item
    if op is sre.AT:
        return bool(av is sre.AT_BOUNDARY)
    if op is sre.LITERAL:
        return not _is_word(chr(av))
    if op is sre.IN:
        return all(_non_word_member(member) for member in av)
    return False


def _non_word_member(member: tuple[Any, Any]) -> bool:
    op, av = member
    if op is sre.LITERAL:
        return not _is_word(chr(av))
    return bool(op is sre.CATEGORY and av is sre.CATEGORY_SPACE)


_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


_LOOKAROUNDS = (sre.ASSERT, sre.ASSERT_NOT)  # they read no character: passed over


def _edge_before(items: list[tuple[Any, Any]], i: int, left: bool) -> bool:
    """Whether a word edge is certain just before `items[i]` (`left`: before the sequence).
    A repeat ending with a separator ("(?:\\w+ ){0,3}") is one, or, repeated no time, what
    comes before it decides."""
    i -= 1
    while i >= 0 and items[i][0] in _LOOKAROUNDS:
        i -= 1
    if i < 0:
        return left
    op, av = items[i]
    if op in _REPEATS:
        low, _high, inner = av
        if not len(inner) or not _separates(inner[-1], False):
            return False
        return low >= 1 or _edge_before(items, i, left)
    return _separates(items[i], left)


def _edge_after(items: list[tuple[Any, Any]], i: int, right: bool) -> bool:
    """`_edge_before`, just after `items[i]`."""
    i += 1
    while i < len(items) and items[i][0] in _LOOKAROUNDS:
        i += 1
    if i == len(items):
        return right
    op, av = items[i]
    if op in _REPEATS:
        low, _high, inner = av
        if not len(inner) or not _separates(inner[0], False):
            return False
        return low >= 1 or _edge_after(items, i, right)
    return _separates(items[i], right)


def _sequence(items: list[tuple[Any, Any]], left: bool, right: bool) -> list[frozenset[str]]:
    """The clauses of a sequence; `left`/`right`: whether its edges are word edges."""
    clauses: list[frozenset[str]] = []
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is sre.LITERAL:
            end = i
            while end < len(items) and items[end][0] is sre.LITERAL:
                end += 1
            run = "".join(chr(code) for _, code in items[i:end])
            edges = (_edge_before(items, i, left), _edge_after(items, end - 1, right))
            clauses += _run_words(run, *edges)
            i = end
            continue
        edges = (_edge_before(items, i, left), _edge_after(items, i, right))
        if op is sre.SUBPATTERN:
            _group, add_flags, _del_flags, inner = av
            if not add_flags & re.IGNORECASE:
                clauses += _sequence(list(inner), *edges)
        elif op is sre.BRANCH:
            alternatives = [_sequence(list(alt), *edges) for alt in av[1]]
            if alternatives and all(alternatives):
                clauses.append(frozenset().union(*(alt[0] for alt in alternatives)))
        elif op in _REPEATS:
            low, _high, inner = av
            if low >= 1:
                clauses += _sequence(list(inner), False, False)
        elif op is sre.ATOMIC_GROUP:
            clauses += _sequence(list(av), *edges)
        i += 1
    return clauses


def _run_words(run: str, left: bool, right: bool) -> list[frozenset[str]]:
    """The phrases of a literal run made of whole words (bounded on both sides), each of
    its words and the single spaces between them."""
    found: list[frozenset[str]] = []
    phrase: list[str] = []
    start = 0
    for pos in range(len(run) + 1):
        if pos < len(run) and _is_word(run[pos]):
            continue
        whole = pos > start and (start > 0 or left) and (pos < len(run) or right)
        if whole:
            phrase.append(run[start:pos])
        if not whole or pos == len(run) or run[pos] != " ":
            if phrase:
                found.append(frozenset([" ".join(phrase)]))
            phrase = []
        start = pos + 1
    return found
