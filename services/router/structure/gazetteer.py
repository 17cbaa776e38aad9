"""The gazetteer: a place as citizens write it, old or new, → the commune that covers it today.

What it reads: the 135 communes of today's Gia Lai, the 373 communes, wards and towns of
the former provinces of Gia Lai and Bình Định with their 28 districts, and the official
table of which new commune covers each former unit (``units``: the packages); plus its own
table (``gazetteer-2025.yaml``) for what the packages lack: other spellings, and units
merged or renamed before the packages' January 2025 snapshot.

How a text is read:

- Every word is folded (``services.kit.text.fold``: no diacritics, đ → d, lower case) and
  apostrophes are dropped; a name is compared without its spaces, so "Ia Kha", "Iakha",
  "IA KHA", "ia kha" and "K'Bang"/"Kbang" are the same name. Names match whole words only.
- A unit word introduces a name: "xã", "phường", "thị trấn", "TT", "P.", "X." (commune
  level), "huyện", "thị xã", "thành phố", "TX", "TP", "H." (district level), "tỉnh".
  ("P.", "X.", "H." need their dot.) In a text typed with diacritics (most of its words)
  a unit word must carry its own ("xa" then means "far", not "xã"), and in a text that
  also uses capitals the name after a unit word must start with one ("bảo trợ xã hội Phú
  Cát" names no "xã Hội Phú"). The kind written is not trusted to be the official one:
  "xã Ia Kha" finds thị trấn Ia Kha when no xã has that name.
- A comma-separated part of an address that is just a name ("Ia Kha, Ia Grai, Gia Lai")
  counts as a name too: a former district's name as that district ("Pleiku", "Quy Nhơn":
  the city, not today's ward of that name), a province's name is skipped, any other as a
  commune-level name.
- A commune-level name followed (or preceded) by a district name, with at most a comma or
  a dash between, is looked up in that former district, and the district written decides:
  a name that is no unit of it ("phường Lê Lợi, TP Pleiku") gives the district alone.

What is answered (`PlaceMatch`):

- a commune-level name read **in a former district** → that former unit → the commune(s)
  covering it today (from the package's conversion table);
- a commune-level name **without a district** → today's commune of that name and kind if
  there is one (today's names win: "phường An Phú" is today's ward in the former
  Pleiku, not An Khê's former ward of that name — write "phường An Phú, thị xã An Khê"
  for that one); otherwise the former units of that name (of that kind when there are
  several kinds), and today's commune covering them;
- a **former district alone** ("TP Quy Nhơn", "huyện Tuy Phước") → every commune that
  covers part of it, as an ambiguous answer. Decision: no district-seat rule — the commune
  that took a district's seat (and often its name: huyện Tuy Phước → xã Tuy Phước) does not
  cover the rest of the former district, so the gazetteer does not guess; the candidates
  are listed with that namesake commune first, then by code, and the caller decides (the
  router: triage, or another place named in the item).
- a former unit that was **split** (three in Bình Định: xã An Nghĩa, Canh Hiệp, Canh
  Liên) is ambiguous too, the package's default (where its seat went) first.

Indexes are built once per `Gazetteer` (`default_gazetteer()` is cached); a lookup is a
tokenisation and a few dictionary probes per word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.kit.text import ANALYSED_CHARS, analysed, fold
from services.router.domain.agencies import first_error, read_yaml
from services.router.structure.agencies import StructureDataError
from services.router.structure.units import (
    AdminUnits,
    Commune,
    OldCommune,
    OldCommuneKind,
    OldDistrict,
    UnitsDataError,
    kind_and_name,
)
from services.text.words import (
    Token,
    compact,
    mixed_case,
    nfc,
    tokenize,
    typed_with_diacritics,
)

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "data" / "gazetteer-2025.yaml"

MentionLevel = Literal["commune", "district", "province"]

# (folded words, level, the unit word as written with diacritics, needs a dot, abbreviation)
_MARKERS: tuple[tuple[tuple[str, ...], MentionLevel, str, bool, bool], ...] = (
    (("thi", "tran"), "commune", "thị trấn", False, False),
    (("thi", "xa"), "district", "thị xã", False, False),
    (("thanh", "pho"), "district", "thành phố", False, False),
    (("xa",), "commune", "xã", False, False),
    (("phuong",), "commune", "phường", False, False),
    (("huyen",), "district", "huyện", False, False),
    (("tinh",), "province", "tỉnh", False, False),
    (("tt",), "commune", "thị trấn", False, True),
    (("tx",), "district", "thị xã", False, True),
    (("tp",), "district", "thành phố", False, True),
    (("p",), "commune", "phường", True, True),
    (("x",), "commune", "xã", True, True),
    (("h",), "district", "huyện", True, True),
)
_MARKERS_BY_FIRST = {
    first: tuple(m for m in _MARKERS if m[0][0] == first) for first in {m[0][0] for m in _MARKERS}
}
_PROVINCES = ("Gia Lai", "Bình Định")
_JOINERS = frozenset({",", "-", "–", "—", "/"})  # may stand between a commune and its district
_MAX_GAP = 2  # tokens
_MARKED_SHARE = 0.5  # of the words: then the unit words must be typed with their diacritics
_IN_NAME = frozenset({"-"})  # "Ia-Grai"

T = TypeVar("T")


class _FormerUnit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=3)
    district: str = Field(min_length=3)
    merged_into: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)


class _Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    spellings: dict[str, str] = {}
    former_units: tuple[_FormerUnit, ...] = ()


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text, and the commune(s) that cover it today."""

    written: str  # the words of the text that named it: "xã Ia Kha, huyện Ia Grai"
    level: Literal["commune", "district"]  # what was named: a commune-level unit, a district
    candidates: tuple[Commune, ...]  # the communes covering it today; one when resolved
    old_commune: OldCommune | None = None  # the former commune, ward or town recognised
    old_district: OldDistrict | None = None  # the former district (written or implied)
    current: bool = False  # named by today's name: nothing was converted

    @property
    def commune(self) -> Commune | None:
        """The one commune covering the place today (None when ambiguous)."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def old_name(self) -> str:
        """The former unit(s) recognised, officially spelt: "thị trấn Ia Kha, huyện Ia Grai"."""
        parts = [
            unit.full_name for unit in (self.old_commune, self.old_district) if unit is not None
        ]
        return ", ".join(parts) or self.written

    @property
    def reason_vi(self) -> str:
        """For the routing reason: "địa chỉ cũ thị trấn Ia Kha, huyện Ia Grai → xã Ia Grai"."""
        names = ", ".join(c.full_name for c in self.candidates)
        target = names if len(self.candidates) == 1 else f"một trong: {names}"
        if self.current:
            return f"địa chỉ {names}" if len(self.candidates) == 1 else f"địa chỉ {target}"
        return f"địa chỉ cũ {self.old_name} → {target}"


@dataclass(frozen=True)
class _Mention:
    level: MentionLevel
    kind: str | None  # the unit word written ("xã"); None for a bare name
    key: str  # the name's compact folded form
    first: int  # token range [first, last)
    last: int


class Gazetteer:
    """Former and current place names of the province → today's communes."""

    def __init__(self, units: AdminUnits, table: Path | str | None = None) -> None:
        source = Path(table) if table is not None else DEFAULT_TABLE
        try:
            own = _Table.model_validate(read_yaml(source))
        except (OSError, yaml.YAMLError) as exc:
            raise StructureDataError(f"{source}: cannot read: {exc}") from exc
        except ValidationError as exc:
            raise StructureDataError(f"{source}: {first_error(exc)}") from exc
        self._units = units
        self._spellings = [(compact(v), compact(c)) for v, c in own.spellings.items()]
        self.old_communes = (*units.old_communes, *self._former_units(own, str(source)))
        self._new: dict[str, list[Commune]] = {}
        self._old: dict[str, list[OldCommune]] = {}
        self._districts: dict[str, list[OldDistrict]] = {}
        self._district_communes: dict[OldDistrict, list[OldCommune]] = {}
        for commune in units.communes:
            self._add(self._new, commune.name, commune)
        for old in self.old_communes:
            self._add(self._old, old.name, old)
            self._district_communes.setdefault(old.district, []).append(old)
        for district in units.old_districts:
            self._add(self._districts, district.name, district)
        self._province_keys = {key for name in _PROVINCES for key in self._keys(name)}
        self._commune_keys = set(self._new) | set(self._old)
        self._max_words = 1 + max(
            len(name.split())
            for name in [
                *(c.name for c in units.communes),
                *(o.name for o in self.old_communes),
                *(d.name for d in units.old_districts),
            ]
        )

    # --- building -------------------------------------------------------------------------

    def _keys(self, name: str) -> set[str]:
        key = compact(name)
        keys = {key}
        for variant, canonical in self._spellings:
            if canonical in key:
                keys.add(key.replace(canonical, variant))
        return keys

    def _add(self, index: dict[str, list[T]], name: str, value: T) -> None:
        for key in self._keys(name):
            index.setdefault(key, []).append(value)

    def _former_units(self, own: _Table, source: str) -> Iterable[OldCommune]:
        units = self._units
        districts = {fold(d.full_name): d for d in units.old_districts}
        by_name = {(o.district, fold(o.full_name)): o for o in units.old_communes}
        for entry in own.former_units:
            where = f"{source}: former unit {entry.name!r}"
            district = districts.get(fold(entry.district))
            if district is None:
                raise StructureDataError(f"{where}: no former district {entry.district!r}")
            if (district, fold(entry.name)) in by_name:
                raise StructureDataError(f"{where}: the package has it already")
            successors: list[str] = []
            for target in entry.merged_into:
                unit = by_name.get((district, fold(target)))
                if unit is None:
                    raise StructureDataError(f"{where}: no {target!r} in {district.full_name}")
                successors.extend(unit.successors)
            try:
                kind, name = kind_and_name(entry.name, ("xã", "phường", "thị trấn"))
            except UnitsDataError as exc:
                raise StructureDataError(f"{where}: {exc}") from exc
            yield OldCommune(
                code="",
                kind=cast(OldCommuneKind, kind),
                name=name,
                district=district,
                successors=tuple(dict.fromkeys(successors)),
                source=entry.source,
            )

    # --- lookups --------------------------------------------------------------------------

    def find(self, text: str | None) -> tuple[PlaceMatch, ...]:
        """Every place of the province named in `text`, in order.

        Read up to twice `ANALYSED_CHARS` (services.kit.text): the router passes its normal
        form, where a sentence end "." becomes " . ", so every valid item is read whole.
        """
        text = nfc(analysed(text, 2 * ANALYSED_CHARS))
        tokens = tokenize(text)
        mentions = self._mentions(tokens)
        districts = [m for m in mentions if m.level == "district"]
        used: set[_Mention] = set()
        found: list[tuple[int, PlaceMatch]] = []
        for mention in mentions:
            if mention.level != "commune":
                continue
            district = self._district_for(mention, districts, tokens)
            if district is None:
                match = self._commune(mention, text, tokens)
            else:  # the district written decides: no such unit in it → the district alone
                match = self._in_district(mention, district, text, tokens)
                if match is not None:
                    used.add(district)
            if match is not None:
                found.append((mention.first, match))
        for mention in districts:
            if mention not in used:
                match = self._district(mention, text, tokens)
                if match is not None:
                    found.append((mention.first, match))
        return tuple(match for _, match in sorted(found, key=lambda pair: pair[0]))

    def resolve(self, text: str | None) -> PlaceMatch | None:
        """The most precise place of `text`: a commune-level one that resolves to one
        commune, else the first commune-level one, else the first district; None if none."""
        matches = self.find(text)
        communes = [m for m in matches if m.level == "commune"]
        resolved = [m for m in communes if m.commune is not None]
        return next(iter(resolved or communes or matches), None)

    # --- reading --------------------------------------------------------------------------

    def _mentions(self, tokens: Sequence[Token]) -> list[_Mention]:
        marked = typed_with_diacritics(tokens, _MARKED_SHARE)
        cased = marked and mixed_case(tokens)
        mentions: list[_Mention] = []
        covered = [False] * len(tokens)
        i = 0
        while i < len(tokens):
            marker = self._marker(tokens, i, marked) if tokens[i].is_word else None
            if marker is None:
                i += 1
                continue
            level, kind, after, abbreviation = marker
            name = self._name(tokens, after, level)
            if name is None or (cased and not abbreviation and tokens[after].text[0].islower()):
                i = after
                continue
            key, end = name
            mentions.append(_Mention(level, kind, key, i, end))
            covered[i:end] = [True] * (end - i)
            i = end
        for first, last in _segments(tokens):
            if any(covered[first:last]) or last - first > self._max_words:
                continue
            key = "".join(t.folded for t in tokens[first:last])
            bare = self._bare_level(key)
            if bare is not None:
                mentions.append(_Mention(bare, None, key, first, last))
        return sorted(mentions, key=lambda m: m.first)

    def _bare_level(self, key: str) -> MentionLevel | None:
        """What a name written alone is: a province's, else a former district's, else a
        commune-level unit's (old or new)."""
        if key in self._province_keys:
            return "province"
        if key in self._districts:
            return "district"
        return "commune" if key in self._commune_keys else None

    def _marker(
        self, tokens: Sequence[Token], i: int, marked: bool
    ) -> tuple[MentionLevel, str, int, bool] | None:
        for words, level, spelt, needs_dot, abbreviation in _MARKERS_BY_FIRST.get(
            tokens[i].folded, ()
        ):
            end = i + len(words)
            if end > len(tokens):
                continue
            span = tokens[i:end]
            if any(not t.is_word or t.folded != w for t, w in zip(span, words, strict=True)):
                continue
            has_dot = end < len(tokens) and tokens[end].text == "."
            if needs_dot and not has_dot:
                continue
            if marked and not abbreviation and " ".join(t.text.lower() for t in span) != spelt:
                continue
            return level, spelt, end + 1 if (abbreviation and has_dot) else end, abbreviation
        return None

    def _name(
        self, tokens: Sequence[Token], start: int, level: MentionLevel
    ) -> tuple[str, int] | None:
        index: Mapping[str, object] | set[str] = (
            self._commune_keys
            if level == "commune"
            else self._districts
            if level == "district"
            else self._province_keys
        )
        words: list[tuple[str, int]] = []  # (folded word, index after it)
        i = start
        while i < len(tokens) and len(words) < self._max_words:
            token = tokens[i]
            if token.is_word:
                words.append((token.folded, i + 1))
            elif not (token.text in _IN_NAME and words):
                break
            i += 1
        for size in range(len(words), 0, -1):
            key = "".join(word for word, _ in words[:size])
            if key in index:
                return key, words[size - 1][1]
        return None

    def _district_for(
        self, mention: _Mention, districts: Sequence[_Mention], tokens: Sequence[Token]
    ) -> _Mention | None:
        after = [d for d in districts if d.first >= mention.last]
        before = [d for d in districts if d.last <= mention.first]
        if after and _joined(tokens, mention.last, after[0].first):
            return after[0]
        if before and _joined(tokens, before[-1].last, mention.first):
            return before[-1]
        return None

    # --- answering ------------------------------------------------------------------------

    def _in_district(
        self, mention: _Mention, district: _Mention, text: str, tokens: Sequence[Token]
    ) -> PlaceMatch | None:
        places = self._districts.get(district.key, [])
        olds = [o for o in self._old.get(mention.key, []) if o.district in places]
        exact = [o for o in olds if o.kind == mention.kind]
        written = _written(text, tokens, mention, district)
        if olds:
            return self._old_match(exact or olds, written)
        news = self._new.get(mention.key, [])
        if news:  # today's name written with the former district
            exact_new = [c for c in news if c.kind == mention.kind]
            return PlaceMatch(written, "commune", tuple(exact_new or news), current=True)
        return None

    def _commune(self, mention: _Mention, text: str, tokens: Sequence[Token]) -> PlaceMatch | None:
        written = _written(text, tokens, mention)
        news = self._new.get(mention.key, [])
        exact_new = [c for c in news if mention.kind in (None, c.kind)]
        if exact_new:
            return PlaceMatch(written, "commune", tuple(exact_new), current=True)
        olds = self._old.get(mention.key, [])
        exact = [o for o in olds if o.kind == mention.kind]
        if olds:
            return self._old_match(exact or olds, written)
        if news:
            return PlaceMatch(written, "commune", tuple(news), current=True)
        return None

    def _district(self, mention: _Mention, text: str, tokens: Sequence[Token]) -> PlaceMatch | None:
        places = self._districts.get(mention.key, [])
        if not places:
            return None
        codes: list[str] = []
        for place in places:
            for old in self._district_communes.get(place, []):
                codes.extend(old.successors)
        namesakes = {compact(place.name) for place in places}
        communes = self._communes(dict.fromkeys(codes))
        communes.sort(key=lambda c: (compact(c.name) not in namesakes, c.code))
        return PlaceMatch(
            _written(text, tokens, mention),
            "district",
            tuple(communes),
            old_district=places[0] if len(places) == 1 else None,
        )

    def _old_match(self, olds: Sequence[OldCommune], written: str) -> PlaceMatch:
        codes = dict.fromkeys(code for old in olds for code in old.successors)
        same_unit = len({(o.district, fold(o.full_name)) for o in olds}) == 1
        same_district = len({o.district for o in olds}) == 1
        return PlaceMatch(
            written,
            "commune",
            tuple(self._communes(codes)),
            old_commune=olds[0] if same_unit else None,
            old_district=olds[0].district if same_district else None,
        )

    def _communes(self, codes: Iterable[str]) -> list[Commune]:
        out = []
        for code in codes:
            commune = self._units.commune(code)
            if commune is None:  # load_units checked every code; a table could not add one
                raise StructureDataError(f"no commune with code {code}")
            out.append(commune)
        return out


def _segments(tokens: Sequence[Token]) -> Iterable[tuple[int, int]]:
    """Runs of words between punctuation: the parts of an address."""
    first = None
    for i, token in enumerate(tokens):
        if token.is_word:
            first = i if first is None else first
        elif first is not None:
            yield first, i
            first = None
    if first is not None:
        yield first, len(tokens)


def _joined(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether only a comma or a dash (or nothing) stands between two names."""
    gap = tokens[start:end]
    return len(gap) <= _MAX_GAP and all(not t.is_word and t.text in _JOINERS for t in gap)


def _written(text: str, tokens: Sequence[Token], *mentions: _Mention) -> str:
    first = min(m.first for m in mentions)
    last = max(m.last for m in mentions)
    return text[tokens[first].start : tokens[last - 1].end]
