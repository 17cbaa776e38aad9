"""Text matching for the routing rules: one normal form, phrase lists, conditions, places.

People type with or without diacritics, "TP. Pleiku" or "thanh pho Pleiku", "Iakha" or
"Ia Kha": everything is compared in one folded form, and place names tolerate spacing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from services.kit.text import fold

Scope = Literal["text", "title", "regulation", "address"]
LOCAL = "LOCAL"  # candidate standing for "the district where it happened"

_APOSTROPHES = re.compile(r"['’‘`´]")
_ABBREVIATION_DOT = re.compile(r"\b(tp|tx|tt|ths|ts|bs)\s*\.")
_SENTENCE_END = re.compile(r"[.!?;]+")
_NOT_WORD = re.compile(r"[^a-z0-9. ]+")
_SPACES = re.compile(r"\s+")
_COMMUNE_UNIT = r"(?:xa|phuong|thi tran|tt)"
_DISTRICT_UNIT = r"(?:huyen|thi xa|thanh pho|tp|tx)"
_NAME_WINDOW = 80  # characters after a marker where the named agency is looked for


def normalise(text: str | None) -> str:
    """The one form every rule matches against: folded words, sentence ends kept as " . "."""
    folded = _ABBREVIATION_DOT.sub(r"\1 ", _APOSTROPHES.sub("", fold(text)))
    spaced = _NOT_WORD.sub(" ", _SENTENCE_END.sub(" . ", folded))
    return _SPACES.sub(" ", spaced).strip()


def phrase_regex(phrases: Iterable[str], *, loose: bool = False) -> re.Pattern[str] | None:
    """One whole-word regex for a phrase list; `loose` also accepts "iakha" for "Ia Kha"."""
    forms = sorted({normalise(p) for p in phrases} - {""}, key=len, reverse=True)
    if not forms:
        return None
    joiner = " ?" if loose else " "
    body = "|".join(joiner.join(re.escape(word) for word in form.split()) for form in forms)
    return re.compile(rf"\b(?:{body})\b")


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
    group hits, and no `unless` pattern does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: Scope = "text"
    any: tuple[str, ...] = ()
    all: tuple[tuple[str, ...], ...] = ()
    patterns: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    _finders: tuple[re.Pattern[str], ...] = PrivateAttr(())
    _groups: tuple[re.Pattern[str], ...] = PrivateAttr(())
    _vetoes: tuple[re.Pattern[str], ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _build(self, info: ValidationInfo) -> Condition:
        places = (info.context or {}).get("places", {})
        groups = [phrase_regex(group) for group in self.all]
        self._groups = tuple(g for g in groups if g is not None)
        if len(self._groups) != len(groups):
            raise ValueError("an `all` group is empty")
        finders = [phrase_regex(self.any), *(compile_pattern(p, places) for p in self.patterns)]
        self._finders = tuple(f for f in finders if f is not None)
        if not self._finders and not self._groups:
            raise ValueError("the condition matches nothing: give any, all or patterns")
        self._vetoes = tuple(compile_pattern(p, places) for p in self.unless)
        return self

    def hits(self, texts: Mapping[str, str]) -> list[re.Match[str]]:
        """Every match in the rule's scope, or [] when the rule does not fire."""
        text = texts.get(self.scope, "")
        if not text or any(v.search(text) for v in self._vetoes):
            return []
        if not all(group.search(text) for group in self._groups):
            return []
        finders = self._finders or self._groups[:1]
        return [match for finder in finders for match in finder.finditer(text)]


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

    def named_at(self, text: str, pos: int) -> int:
        """Length of this district's (or one of its communes') name starting at `pos`."""
        finders = [f for f in (self._names, self._communes) if f is not None]
        found = [m.end() - pos for f in finders if (m := f.match(text, pos))]
        return max(found, default=0)

    def prefixed_in(self, text: str) -> int:
        """How often the text names it with its unit: "huyện Chư Sê", "xã Dun"."""
        return len(self._prefixed.findall(text))

    def bare_in(self, text: str) -> int:
        """How often the district's own name appears, with or without its unit."""
        return len(self._names.findall(text))

    def first_name(self, text: str) -> int | None:
        """Where the district's own name first appears in `text`."""
        match = self._names.search(text)
        return match.start() if match else None


class PlaceConfidence(BaseModel):
    """How sure a district is, by where it was found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after_marker: float = Field(1.0, ge=0, le=1)  # "UBND xã Song An"
    in_text: float = Field(0.9, ge=0, le=1)  # "xã Song An" somewhere in the text
    in_address: float = Field(0.8, ge=0, le=1)  # only the submitter's address
    bare_name: float = Field(0.7, ge=0, le=1)  # "Pleiku" without a unit


@dataclass(frozen=True)
class Place:
    code: str | None
    confidence: float
    note: str


def district_of_place(
    texts: Mapping[str, str],
    districts: Sequence[District],
    markers: Sequence[re.Match[str]],
    *,
    scope: Scope,
    confidence: PlaceConfidence,
) -> Place:
    """The district where it happened: the place named right after a marker ("UBND xã …"),
    else a place named in the text, else the submitter's address, else a bare name."""
    text, address = texts["text"], texts["address"]
    context = _votes(districts, lambda d: d.prefixed_in(text) + d.prefixed_in(address))
    for marker in markers:
        # "UBND huyện Ia Grai có kế hoạch" names it inside; "UBND xã | Song An" right after.
        inside = [
            d.code
            for d in districts
            if d.prefixed_in(marker.group(0)) or d.bare_in(marker.group(0))
        ]
        named = inside or _named_after(districts, texts.get(scope, ""), marker.end())
        code = named[0] if len(named) == 1 else _vote(context, among=named)
        if code:
            note = f"district {code}: named at '{marker.group(0)}'"
            return Place(code, confidence.after_marker, note)
    steps = [
        ("a place in the text", confidence.in_text, lambda d: d.prefixed_in(text)),
        (
            "the submitter's address",
            confidence.in_address,
            lambda d: d.prefixed_in(address) * 2 + d.bare_in(address),
        ),
        ("a district name in the text", confidence.bare_name, lambda d: d.bare_in(text)),
    ]
    for label, sure, count in steps:
        code = _vote(_votes(districts, count))
        if code:
            return Place(code, sure, f"district {code}: from {label}")
    return Place(None, 0.0, "district: no place in Gia Lai found")


def named_agency(
    text: str,
    finders: Sequence[tuple[str, re.Pattern[str] | None]],
    districts: Sequence[District],
    markers: Sequence[re.Match[str]],
) -> str | None:
    """The agency named just after a marker such as an operator's "chuyển …"."""
    for marker in markers:
        window = text[marker.end() : marker.end() + _NAME_WINDOW]
        found = [(m.start(), code) for code, f in finders if f and (m := f.search(window))]
        found += [(pos, d.code) for d in districts if (pos := d.first_name(window)) is not None]
        if found:
            return min(found)[1]
    return None


def _named_after(districts: Sequence[District], text: str, pos: int) -> list[str]:
    start = pos + 1 if text[pos : pos + 1] == " " else pos
    lengths = {d.code: d.named_at(text, start) for d in districts}
    longest = max(lengths.values(), default=0)
    return [code for code, n in lengths.items() if n and n == longest]


def _votes(districts: Sequence[District], count: Callable[[District], int]) -> Counter[str]:
    return Counter({d.code: n for d in districts if (n := count(d))})


def _vote(votes: Counter[str], among: Sequence[str] | None = None) -> str | None:
    pool = {c: n for c, n in votes.items() if among is None or c in among}
    best = max(pool.values(), default=0)
    winners = [code for code, n in pool.items() if n == best and n > 0]
    return winners[0] if len(winners) == 1 else None
