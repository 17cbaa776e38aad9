"""Which agency took over a former one's work, and the departments' names old and new.

Successions (``successions`` of agencies-2025.yaml, from the CSV's ``predecessors``):
on 1 Mar 2025 SKHDT → STC, SGTVT → SXD, SNN and STNMT → SNNMT, BDT → SDTTG; SLDTBXH was
split between SNV, SNNMT, SGDDT and SYT, STTTT between SKHCN and SVHTTDL, and SNV's
religion went to SDTTG. For a split one, each share names its fields and the Vietnamese
words that say a text is about them; ``successor(code, day, text)`` picks the share whose
words the text uses most (the department's own name does not count) and otherwise the
succession's ``main``. On 1 Jul 2025 each district ended, its area shared among communes:
it has no single successor (the gazetteer finds the commune from an address).

Names: the official name of every department of both structures, plus ``other_names``
(abbreviations such as "Sở GTVT", "Sở LĐ-TB&XH"), matched whole-word on folded text
("so giao thong van tai" = "Sở Giao thông vận tải"), the word "và" ignored ("Sở TN&MT" =
"Sở Tài nguyên và Môi trường"'s abbreviation "Sở TN và MT"), the longest name winning
("Sở Nông nghiệp và Môi trường" is the new department, "Sở Nông nghiệp" alone the old one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.router.domain.agencies import first_error
from services.router.structure.agencies import Structure, StructureDataError
from services.text.words import (
    PhraseIndex,
    Token,
    folded_words,
    most_found,
    nfc,
    tokenize,
    without_spans,
)

_IGNORED = frozenset({"va"})  # "và": optional in the names as people write them


class Share(BaseModel):
    """The part of a former department's work that one successor took."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    to: str
    fields: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


class Succession(BaseModel):
    """From `effective_from`, `old`'s work is `main`'s — or, field by field, its `shares`'."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    old: str = Field(alias="from")
    effective_from: date
    main: str | None = None  # None: no single successor (a district's communes)
    shares: tuple[Share, ...] = ()

    @property
    def candidates(self) -> tuple[str, ...]:
        """Every agency that took part of the work, `main` first."""
        codes = ([self.main] if self.main else []) + [s.to for s in self.shares]
        return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class DepartmentRef:
    """A department named in a text, and who does that work on the day asked."""

    written: str  # as it appears in the text: "Sở GTVT"
    named: str  # code of the agency the name belongs to: SGTVT
    name_vi: str  # that agency's official name
    successor: str | None  # the agency in force on the day (None: cannot tell)
    successor_name_vi: str | None
    candidates: tuple[str, ...]  # when split and the text did not decide

    @property
    def former(self) -> bool:
        """Whether the name is of an agency that no longer exists on the day asked."""
        return self.successor != self.named

    @property
    def reason_vi(self) -> str:
        """For the routing reason: "Sở Giao thông vận tải (tên cũ) → Sở Xây dựng"."""
        if not self.former:
            return self.name_vi
        if self.successor_name_vi is not None:
            return f"{self.name_vi} (tên cũ) → {self.successor_name_vi}"
        if not self.candidates:
            return f"{self.name_vi} (không có vào ngày này)"
        return f"{self.name_vi} (tên cũ) → chưa xác định: {', '.join(self.candidates)}"


class Departments:
    """Successions and names of the structure's agencies (built once, then pure lookups)."""

    def __init__(self, structure: Structure) -> None:
        self._structure = structure
        self._successions = _successions(structure)
        self._names = PhraseIndex(_names(structure))
        self._share_words = {
            s.old: PhraseIndex(
                {
                    words: share.to
                    for share in s.shares
                    for text in share.words
                    if (words := _words(text))
                }
            )
            for s in self._successions.values()
            if s.shares
        }

    def succession(self, code: str) -> Succession | None:
        """What became of an agency's work (None: no succession recorded — it continues
        unchanged, or the code is unknown)."""
        return self._successions.get(code)

    def successor(self, code: str, day: date, text: str = "") -> str | None:
        """The agency in force on `day` that does `code`'s work (for a text, if split).

        The code itself while it is in force; None when the work was shared with no main
        successor (a district) or the code was never an agency's.
        """
        return self._successor(code, day, self._field_words(text))

    def _successor(self, code: str, day: date, words: Sequence[str]) -> str | None:
        current, seen = code, {code}
        while True:
            succession = self._successions.get(current)
            if succession is None or succession.effective_from > day:
                break
            chosen = self._choose(succession, words)
            if chosen is None:
                return None
            if chosen in seen or self._structure.agency_on(chosen, day) is not None:
                current = chosen
                break
            seen.add(chosen)
            current = chosen  # itself ended since: follow its own succession
        return current if self._structure.agency_on(current, day) is not None else None

    def successors(self, code: str, day: date) -> tuple[str, ...]:
        """Every agency in force on `day` that took a part of `code`'s work."""
        return tuple(dict.fromkeys(self._successors(code, day, {code})))

    def _successors(self, code: str, day: date, seen: set[str]) -> list[str]:
        succession = self._successions.get(code)
        if succession is None or succession.effective_from > day:
            return [code] if self._structure.agency_on(code, day) is not None else []
        out: list[str] = []
        for candidate in succession.candidates:
            if self._structure.agency_on(candidate, day) is not None:
                out.append(candidate)
            elif candidate not in seen:  # ended since: follow its own succession
                out.extend(self._successors(candidate, day, seen | {candidate}))
        return out

    def find(self, text: str, day: date) -> tuple[DepartmentRef, ...]:
        """Every department named in `text`, with who does its work on `day`."""
        text = nfc(text)
        tokens = [t for t in tokenize(text) if t.is_word and t.folded not in _IGNORED]
        words = [t.folded for t in tokens]
        found = list(self._names.find(words))
        if not found:
            return ()
        rest = without_spans(words, [(start, end) for start, end, _ in found])
        refs = []
        for start, end, code in found:
            successor = self._successor(code, day, rest)
            named = self._structure.latest(code)
            after = self._structure.agency_on(successor, day) if successor else None
            refs.append(
                DepartmentRef(
                    written=_slice(text, tokens, start, end),
                    named=code,
                    name_vi=named.name_vi if named else code,
                    successor=successor,
                    successor_name_vi=after.name_vi if after else None,
                    candidates=() if successor else self.successors(code, day),
                )
            )
        return tuple(refs)

    def _field_words(self, text: str) -> list[str]:
        """The folded words of a text, departments' names cut out."""
        words = [w for w in folded_words(text) if w not in _IGNORED]
        return without_spans(words, [(start, end) for start, end, _ in self._names.find(words)])

    def _choose(self, succession: Succession, words: Sequence[str]) -> str | None:
        index = self._share_words.get(succession.old)
        chosen = most_found(index, words) if index is not None else None
        return chosen or succession.main


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in folded_words(text) if w not in _IGNORED)


def _slice(text: str, tokens: Sequence[Token], start: int, end: int) -> str:
    return text[tokens[start].start : tokens[end - 1].end]


def _successions(structure: Structure) -> dict[str, Succession]:
    out: dict[str, Succession] = {}
    for index, entry in enumerate(structure.data.get("successions") or ()):
        try:
            succession = Succession.model_validate(entry)
        except ValidationError as exc:
            raise StructureDataError(f"successions #{index + 1}: {first_error(exc)}") from exc
        for code in succession.candidates:
            if structure.agency_on(code, succession.effective_from) is None:
                raise StructureDataError(f"successions {succession.old}: {code} not in force")
        out[succession.old] = succession
    # Each former district: its area went to the communes that cover it.
    communes_from = structure.periods[-1].effective_from
    for agency_code, communes in structure.district_successors.items():
        out[agency_code] = Succession.model_validate(
            {
                "from": agency_code,
                "effective_from": communes_from,
                "shares": [{"to": c} for c in communes],
            }
        )
    # Every 2023 code must be accounted for on the first day of the next structure.
    for agency in structure.agencies:
        end = agency.effective_to
        if end is None or agency.code in out:
            continue
        if structure.agency_on(agency.code, date.fromordinal(end.toordinal() + 1)) is None:
            raise StructureDataError(f"agency {agency.code} ends on {end} with no successor")
    return out


def _names(structure: Structure) -> dict[tuple[str, ...], str]:
    pairs: list[tuple[str, str]] = [
        (a.name_vi, a.code) for a in structure.agencies if a.level in {"province", "central"}
    ]
    other: Mapping[str, Any] = structure.data.get("other_names") or {}
    for code, names in other.items():
        if structure.latest(code) is None:
            raise StructureDataError(f"other_names: unknown agency code {code}")
        pairs.extend((str(name), code) for name in names)
    out: dict[tuple[str, ...], str] = {}
    for name, code in pairs:
        words = _words(name)
        if out.get(words, code) != code:
            raise StructureDataError(f"the name {name!r} is both {out[words]} and {code}")
        out[words] = code
    return out
