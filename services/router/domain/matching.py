"""Text matching for the routing rules: one normal form, phrase lists, conditions, places.

People type with or without diacritics, "TP. Pleiku" or "thanh pho Pleiku", "Iakha" or
"Ia Kha": everything is compared in one folded form, and place names tolerate spacing.
Folding makes different words collide ("chậm"/"Châm", "bỏ"/"bộ", "thuê"/"thuế"), so a
phrase found in a text typed with diacritics must also be spelt with the phrase's own.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from services.kit.text import CharTable, analysed, marked_words
from services.router.domain.phrase_index import (
    REGISTRY,
    Serial,
    TextIndex,
    index_text,
    leftmost_longest,
)
from services.router.domain.prefilter import Clause, may_match, phrases_of, required_words

Scope = Literal["text", "title", "regulation", "address"]
LOCAL = "LOCAL"  # candidate standing for "the district where it happened"
MARKED = "~"  # suffix of a texts key holding the same text with its diacritics kept
_MARKED_SHARE = 0.2  # below this share of words with diacritics a text was typed without

_APOSTROPHES = re.compile(r"['’‘`´]")
_ABBREVIATION_DOT = re.compile(r"\b(tp|tx|tt|ths|ts|bs)\s*\.")
_SENTENCE_END = re.compile(r"[.!?;]+")
_NOT_WORD = re.compile(r"[^a-z0-9. ]+")
_SPACES = re.compile(r"\s+")
_NOT_WORD_RUNS = re.compile(r"[^a-z0-9.]{2,}|[^a-z0-9. ]")  # a lone space is one already
_WORD_RUN = re.compile(r"\w+")
_COMMUNE_UNIT = r"(?:xa|phuong|thi tran|tt)"
_DISTRICT_UNIT = r"(?:huyen|thi xa|thanh pho|tp|tx)"


class Match(Protocol):
    """What routing reads of a match: a `re.Match`, or a phrase_index `Hit`."""

    def group(self, index: Literal[0] = 0, /) -> str: ...
    def span(self) -> tuple[int, int]: ...
    def start(self) -> int: ...
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Read:
    """One text as the memo knows it: its whole words, and its phrase index (None when the
    text is not in the normal form)."""

    words: frozenset[str]
    index: TextIndex | None


class Texts(dict[str, str]):
    """An item's texts by scope, with a memo of what each matcher found in them.

    The class, kind, competence and agency choices run the same rules and phrase lists on
    the same texts many times over; each is matched once per item. A memo entry is keyed by
    the matcher and the very texts it read, so it never outlives or misreads its item.
    """

    __slots__ = ("memo",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memo: dict[tuple[Any, ...], Any] = {}

    def read(self, text: str) -> Read:
        """The words and phrase index of one of these texts, computed once."""
        key = ("read", text)
        found: Read | None = self.memo.get(key)
        if found is None:
            found = self.memo[key] = Read(words_of(text), index_text(text))
        return found


def normalise(text: str | None) -> str:
    """The one form every rule matches against: folded words, sentence ends kept as " . "."""
    return normalise_pair(text)[0]


def normalise_pair(text: str | None) -> tuple[str, str]:
    """The normal form, and the same text with its diacritics, aligned letter for letter.

    A text is read up to `ANALYSED_CHARS` (services.kit.text): every valid item whole.
    """
    nfc = unicodedata.normalize("NFC", analysed(text).lower())
    both = (nfc.translate(_FOLDED), nfc.translate(_KEPT))
    both = _aligned_sub(_APOSTROPHES, "", both)
    both = _aligned_sub(_ABBREVIATION_DOT, None, both)
    both = _aligned_sub(_SENTENCE_END, " . ", both)
    # `_NOT_WORD` runs to " ", then runs of spaces to one, in one pass: each run of
    # anything but letters, digits and dots becomes one space.
    folded, marked = _aligned_sub(_NOT_WORD_RUNS, " ", both)
    start = len(folded) - len(folded.lstrip())
    end = len(folded.rstrip())
    return folded[start:end], marked[start:end]


def typed_with_diacritics(marked: str) -> bool:
    """Whether a text was typed with diacritics (then an unmarked word is really unmarked)."""
    if marked.isascii():
        return False  # no letter carries a diacritic (đ is not ASCII either)
    words, marked_ones = marked_words(marked)
    return marked_ones >= _MARKED_SHARE * max(words, 1)


@lru_cache(maxsize=4096)
def _fold_letter(ch: str) -> str:
    """One letter without its diacritics ("" for a lone mark), so offsets stay aligned."""
    if ch == "đ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", base)[:1] if base else ""


@lru_cache(maxsize=16384)  # words, not texts: Vietnamese has a few thousand syllables
def _marks(word: str) -> tuple[str, ...]:
    """The diacritics of a word, wherever they sit ("hoà" and "hòa" carry the same)."""
    marks = [c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) == "Mn"]
    return tuple(sorted(marks + ["đ"] * word.count("đ")))


# `str.translate` tables, filled one letter at a time: each letter without its diacritics
# ("" for a lone mark); the letter itself where that is not empty (aligned with the first).
_FOLDED = CharTable(lambda ch: _fold_letter(ch))
_KEPT = CharTable(lambda ch: ch if _fold_letter(ch) != "" else "")


def _aligned_sub(
    pattern: re.Pattern[str], repl: str | None, both: tuple[str, str]
) -> tuple[str, str]:
    """`pattern.sub` on the folded text, mirrored on the marked one (None keeps group 1)."""
    folded, marked = both
    out_f: list[str] = []
    out_m: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        out_f.append(folded[last : match.start()])
        out_m.append(marked[last : match.start()])
        if repl is None:
            out_f.append(match.group(1) + " ")
            out_m.append(marked[match.start(1) : match.end(1)] + " ")
        else:
            out_f.append(repl)
            out_m.append(repl)
        last = match.end()
    return "".join(out_f) + folded[last:], "".join(out_m) + marked[last:]


def _spelled_as(written: Sequence[str], listed: Sequence[str]) -> bool:
    """Whether words typed with diacritics are the listed words, wherever the marks sit."""
    return len(written) == len(listed) and all(
        _marks(w) == _marks(m) for w, m in zip(written, listed, strict=True)
    )


@dataclass(frozen=True)
class Phrases:
    """A phrase list: one whole-word regex over folded text, and the phrases' own spelling."""

    regex: re.Pattern[str]
    spellings: Mapping[str, tuple[tuple[str, ...], ...]]
    # The words (\w+ runs) of each phrase, or None when a phrase starts or ends otherwise.
    # A whole-word match of a phrase that starts and ends with a word character holds each
    # of its words as a whole word of the text: a text lacking a word of every phrase needs
    # no search (`may_match`).
    words: tuple[frozenset[str], ...] | None = None
    # The phrases as the regex joins them, when each starts and ends with a word character:
    # then they are found through a text's phrase index (`matches`), registered up to
    # `serial` in it.
    forms: frozenset[str] | None = None
    serial: int = field(default=0, compare=False)

    def may_match(self, words: frozenset[str]) -> bool:
        """False only when no phrase can be found in a text made of these words (`words_of`)."""
        return self.words is None or any(needed <= words for needed in self.words)

    def finditer(self, text: str, marked: str = "") -> Iterator[re.Match[str]]:
        """Matches in `text`; with `marked` (a text typed with diacritics), only those spelt
        as a listed phrase."""
        for match in self.regex.finditer(text):
            if not marked or self._spelled_here(match, marked):
                yield match

    def absent(self, read: Read) -> bool:
        """True only when no phrase of the list can be found in the text `read` describes."""
        index, forms = read.index, self.forms
        if index is None or forms is None or self.serial > index.serial:
            return not self.may_match(read.words)
        return forms.isdisjoint(index.present)

    def matches(self, text: str, marked: str, read: Read) -> list[Match]:
        """`list(finditer(text, marked))`, read off the text's phrase index when it has one."""
        index, forms = read.index, self.forms
        if index is None or forms is None or self.serial > index.serial:
            return list(self.finditer(text, marked))
        hits = leftmost_longest(text, forms, index)
        return [h for h in hits if self._spelled_here(h, marked)] if marked else list(hits)

    def _spelled_here(self, match: Match, marked: str) -> bool:
        written = marked[match.start() : match.end()].split()
        listed = self.spellings.get(match.group(0), ())
        return not written or not listed or any(_spelled_as(written, w) for w in listed)

    def found(self, text: str, marked: str = "") -> bool:
        return next(self.finditer(text, marked), None) is not None


def phrases(items: Iterable[str], *, indexed: bool = True) -> Phrases | None:
    """The Phrases of a list written in ordinary Vietnamese, or None for an empty list;
    `indexed`: found through the phrase index (a list only read for its spellings is not)."""
    spellings: dict[str, set[tuple[str, ...]]] = {}
    for item in items:
        folded, marked = normalise_pair(item)
        if folded:
            spellings.setdefault(folded, set()).add(tuple(marked.split()))
    regex = phrase_regex(spellings)
    if regex is None:
        return None
    forms = sorted({normalise(p) for p in spellings} - {""})  # the forms `phrase_regex` joins
    bounded = all(_WORD_RUN.fullmatch(f[0]) and _WORD_RUN.fullmatch(f[-1]) for f in forms)
    indexed = indexed and bounded
    needed = {words_of(f) for f in forms} if bounded else None
    return Phrases(
        regex,
        {k: tuple(sorted(v)) for k, v in spellings.items()},
        tuple(sorted(needed, key=lambda w: (len(w), sorted(w)))) if needed is not None else None,
        frozenset(forms) if indexed else None,
        REGISTRY.register(forms) if indexed else 0,
    )


# A phrase list that matches nothing: it stands for one that cannot match a given text.
_NOTHING = Phrases(re.compile(r"(?!)"), {}, ())


def words_of(text: str) -> frozenset[str]:
    """The whole words (maximal runs of word characters) of a text, for `Phrases.may_match`."""
    return frozenset(_WORD_RUN.findall(text))


def phrase_regex(phrases: Iterable[str], *, loose: bool = False) -> re.Pattern[str] | None:
    """One whole-word regex for a phrase list; `loose` also accepts "iakha" for "Ia Kha",
    but not "chua" for "Chư Á": a one-letter word is never run into the one before."""
    forms = sorted({normalise(p) for p in phrases} - {""}, key=len, reverse=True)
    if not forms:
        return None
    body = "|".join(_joined(form.split(), loose=loose) for form in forms)
    return re.compile(rf"\b(?:{body})\b")


def _joined(words: Sequence[str], *, loose: bool) -> str:
    parts = [re.escape(words[0])]
    for word in words[1:]:
        parts.append((" ?" if loose and len(word) > 1 else " ") + re.escape(word))
    return "".join(parts)


def inner(finder: re.Pattern[str]) -> str:
    """A phrase regex without its word boundaries, to embed in a larger pattern."""
    return finder.pattern.removeprefix(r"\b").removesuffix(r"\b")


def compile_pattern(pattern: str, places: Mapping[str, str]) -> re.Pattern[str]:
    """Compile a rule pattern, expanding the {district} and {commune} placeholders."""
    expanded = pattern
    for name, alternation in places.items():
        expanded = expanded.replace("{" + name + "}", alternation)
    try:
        return re.compile(expanded)
    except re.error as exc:
        raise ValueError(f"bad pattern {pattern!r}: {exc}") from exc


class Condition(BaseModel):
    """What a rule looks for. It fires when `any`/`patterns` hit (if given), every `all`
    group hits, and no `unless` pattern does. A hit inside one of the `not_in` phrases
    (where the words mean something else: "chăm sóc" typed as "cham soc") does not count,
    nor a pattern hit with a word typed otherwise than its `spelled` form ("đèn" for "đến")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: Scope = "text"
    any: tuple[str, ...] = ()
    all: tuple[tuple[str, ...], ...] = ()
    patterns: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    not_in: tuple[str, ...] = ()
    spelled: tuple[str, ...] = ()
    _phrases: Phrases | None = PrivateAttr(None)
    _spellings: dict[str, tuple[tuple[str, ...], ...]] = PrivateAttr(default_factory=dict)
    _masks: Phrases | None = PrivateAttr(None)
    _patterns: tuple[re.Pattern[str], ...] = PrivateAttr(())
    _groups: tuple[Phrases, ...] = PrivateAttr(())
    _vetoes: tuple[re.Pattern[str], ...] = PrivateAttr(())
    _pattern_words: tuple[tuple[Clause, ...], ...] = PrivateAttr(())  # prefilter.py
    _veto_words: tuple[tuple[Clause, ...], ...] = PrivateAttr(())
    _clause_serial: Serial = PrivateAttr(Serial())  # when the index knows the clauses' phrases
    # Phrases (found through the index) and words, one of which the text must hold for the
    # condition to fire; the index serial they need. None: no such shortcut.
    _trigger: tuple[frozenset[str], frozenset[str], Serial] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _build(self, info: ValidationInfo) -> Condition:
        places = (info.context or {}).get("places", {})
        groups = [phrases(group) for group in self.all]
        self._groups = tuple(g for g in groups if g is not None)
        if len(self._groups) != len(groups):
            raise ValueError("an `all` group is empty")
        self._phrases = phrases(self.any)
        self._patterns = tuple(compile_pattern(p, places) for p in self.patterns)
        if self._phrases is None and not self._patterns and not self._groups:
            raise ValueError("the condition matches nothing: give any, all or patterns")
        self._vetoes = tuple(compile_pattern(p, places) for p in self.unless)
        self._pattern_words = tuple(required_words(p) for p in self._patterns)
        self._veto_words = tuple(required_words(p) for p in self._vetoes)
        needed = phrases_of([c for w in (*self._pattern_words, *self._veto_words) for c in w])
        self._clause_serial = Serial(REGISTRY.register(sorted(needed)) if needed else 0)
        self._trigger = self._triggers()
        self._masks = phrases(self.not_in)
        words = phrases(self.spelled, indexed=False)
        self._spellings = dict(words.spellings) if words else {}
        return self

    def _triggers(self) -> tuple[frozenset[str], frozenset[str], Serial] | None:
        """What `_trigger` holds: the first `all` group's phrases, else those of `any` with
        the first clause of each pattern (prefilter.py)."""
        if self._groups:
            first = self._groups[0]
            return None if first.forms is None else (first.forms, frozenset(), Serial(first.serial))
        phrases_, words, serial = set[str](), set[str](), self._clause_serial.value
        if self._phrases is not None:
            if self._phrases.forms is None:
                return None
            phrases_ |= self._phrases.forms
            serial = max(serial, self._phrases.serial)
        for clauses in self._pattern_words:
            if not clauses:
                return None  # a pattern that may match anything
            phrases_ |= clauses[0].phrases
            words |= clauses[0].words
        return frozenset(phrases_), frozenset(words), Serial(serial)

    def may_fire(self, texts: Texts) -> bool:
        """False only when `hits` finds nothing: the text holds nothing the condition needs
        (`_trigger`), as its phrase index and words tell."""
        read = texts.read(texts.get(self.scope, ""))
        trigger: tuple[frozenset[str], frozenset[str], Serial] | None = (
            self.__pydantic_private__ or {}
        )["_trigger"]
        index = read.index
        return (
            trigger is None
            or index is None
            or index.serial < trigger[2].value
            or not trigger[0].isdisjoint(index.present)
            or not trigger[1].isdisjoint(read.words)
        )

    def hits(self, texts: Mapping[str, str]) -> list[Match]:
        """Every match in the rule's scope, or [] when the rule does not fire."""
        text, marked = texts.get(self.scope, ""), texts.get(self.scope + MARKED, "")
        if not isinstance(texts, Texts):
            return self._hits(text, marked)
        if not self.may_fire(texts):
            return []  # none of what it needs is there
        read = texts.read(text)
        key = ("hits", id(self), text, marked)
        found = texts.memo.get(key)
        if found is None:
            found = texts.memo[key] = self._hits(text, marked, read)
        return list(found)

    def _hits(self, text: str, marked: str, read: Read | None = None) -> list[Match]:
        """`hits` on one text; with what is known of it (`read`), phrase lists and patterns
        that cannot match are skipped, and phrase lists are read off its index."""
        # The private attributes read once: each read of one goes through pydantic.
        built = self.__pydantic_private__ or {}
        vetoes: tuple[re.Pattern[str], ...] = built["_vetoes"]
        groups: tuple[Phrases, ...] = built["_groups"]
        any_of: Phrases | None = built["_phrases"]
        patterns: tuple[re.Pattern[str], ...] = built["_patterns"]
        masks: Phrases | None = built["_masks"]
        if not text:
            return []
        if read is None:
            if any(v.search(text) for v in vetoes):
                return []
            return self._found(text, marked, groups, any_of, patterns, masks, None)
        words, index = read.words, read.index
        known = index is not None and index.serial >= built["_clause_serial"].value
        present = index.present if index is not None and known else None
        veto_words: tuple[tuple[Clause, ...], ...] = built["_veto_words"]
        if any(
            may_match(w, words, present) and v.search(text)
            for v, w in zip(vetoes, veto_words, strict=True)
        ):
            return []
        if any(group.absent(read) for group in groups):
            return []
        any_of = any_of if any_of is None or not any_of.absent(read) else _NOTHING
        masks = masks if masks is None or not masks.absent(read) else None
        pattern_words: tuple[tuple[Clause, ...], ...] = built["_pattern_words"]
        if patterns:  # those that cannot match are left out
            patterns = tuple(
                p
                for p, w in zip(patterns, pattern_words, strict=True)
                if may_match(w, words, present)
            )
            any_of = any_of or (_NOTHING if not patterns else None)
        return self._found(text, marked, groups, any_of, patterns, masks, read)

    def _found(
        self,
        text: str,
        marked: str,
        groups: tuple[Phrases, ...],
        any_of: Phrases | None,
        patterns: tuple[re.Pattern[str], ...],
        masks: Phrases | None,
        read: Read | None,
    ) -> list[Match]:
        def matches(finder: Phrases) -> list[Match]:
            if read is None:
                return list(finder.finditer(text, marked))
            return finder.matches(text, marked, read)

        firsts: list[Match] = []
        for group in groups:
            if not (firsts := matches(group)):
                return []
        if any_of is None and not patterns:
            return matches(groups[0]) if len(groups) > 1 else firsts
        found = matches(any_of) if any_of and any_of is not _NOTHING else []
        if patterns:
            spellings = (self.__pydantic_private__ or {})["_spellings"]
            found += [
                m
                for pattern in patterns
                for m in pattern.finditer(text)
                if not marked or _spelled_right(spellings, m, marked)
            ]
        if masks is None:
            return found
        masked = [m.span() for m in matches(masks)]
        return [m for m in found if not _overlaps(m.span(), masked)]

    def _spelled_right(self, match: re.Match[str], marked: str) -> bool:
        return _spelled_right(self._spellings, match, marked)


def _spelled_right(
    spellings: Mapping[str, tuple[tuple[str, ...], ...]], match: re.Match[str], marked: str
) -> bool:
    """Whether each word of a pattern's match is typed as its `spelled` form, if it has one."""
    written = marked[match.start() : match.end()].split()
    for folded, word in zip(match.group(0).split(), written, strict=False):
        listed = spellings.get(folded)
        if listed and not any(_spelled_as([word], spelling) for spelling in listed):
            return False
    return True


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether `span` overlaps one of `spans` (sorted, not overlapping: one `finditer`).
    A binary search: comparing every pair was quadratic on a text full of hits."""
    i = bisect_right(spans, (span[1], -1))  # the spans starting before `span` ends
    return i > 0 and spans[i - 1][1] > span[0]  # their ends rise: the last reaches furthest


class District(BaseModel):
    """A district-level unit and the communes, wards and towns that belong to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,9}$")
    names: tuple[str, ...] = Field(min_length=1)
    communes: tuple[str, ...] = ()
    _names: re.Pattern[str] = PrivateAttr()
    _communes: re.Pattern[str] | None = PrivateAttr(None)
    _prefixed: re.Pattern[str] = PrivateAttr()

    @model_validator(mode="after")
    def _build(self) -> District:
        names = phrase_regex(self.names, loose=True)
        if names is None:
            raise ValueError("a district needs a name")
        self._names = names
        self._communes = phrase_regex(self.communes, loose=True)
        prefixed = rf"\b{_DISTRICT_UNIT} {inner(names)}\b"
        if self._communes is not None:
            prefixed += rf"|\b{_COMMUNE_UNIT} {inner(self._communes)}\b"
        self._prefixed = re.compile(prefixed)
        return self

    @property
    def id(self) -> str:
        return f"place.{self.code}"

    # The private attributes are read through `_built`: each plain read of one goes
    # through pydantic's __getattr__, and these run for every district on every item.
    def _built(self, name: str) -> Any:
        return (self.__pydantic_private__ or {})[name]

    def named_at(self, text: str, pos: int) -> int:
        """Length of this district's (or one of its communes') name starting at `pos`."""
        finders = [f for f in (self._built("_names"), self._built("_communes")) if f is not None]
        found = [m.end() - pos for f in finders if (m := f.match(text, pos))]
        return max(found, default=0)

    def prefixed_in(self, text: str) -> int:
        """How often the text names it with its unit: "huyện Chư Sê", "xã Dun"."""
        return len(self._built("_prefixed").findall(text))

    def bare_in(self, text: str) -> int:
        """How often the district's own name appears, with or without its unit."""
        return len(self._built("_names").findall(text))

    def first_name(self, text: str) -> int | None:
        """Where the district's own name first appears in `text`."""
        match = self._built("_names").search(text)
        return match.start() if match else None


class PlaceConfidence(BaseModel):
    """How sure a district is, by where it was found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after_marker: float = Field(1.0, ge=0, le=1)  # "UBND xã Song An"
    in_text: float = Field(0.9, ge=0, le=1)  # "xã Song An" somewhere in the text
    in_address: float = Field(0.8, ge=0, le=1)  # only the submitter's address
    bare_name: float = Field(0.7, ge=0, le=1)  # "Pleiku" without a unit
