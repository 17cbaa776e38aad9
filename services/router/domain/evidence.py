"""Evidence for routing: which agency the item's words and the actor rules point to.

Each rule adds points to a candidate (an agency code, or LOCAL for "the district where it
happened") and records why, so a decision can be explained to the office.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.router.domain.matching import (
    LOCAL,
    MARKED,
    District,
    Match,
    Phrases,
    PlaceConfidence,
    Scope,
    Texts,
)
from services.router.domain.rules import CaseClass, Department, Rule, RuleSet

_NAME_WINDOW = 80  # characters after a marker where the named agency is looked for

ACTORS = ("names", "units")  # who the item says acted
WORDS = ("strong", "keywords")  # what the item is about


@dataclass
class Tally:
    """Points per candidate, and which rule gave them (the office must see why)."""

    points: dict[str, float] = field(default_factory=dict)
    by_rule: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, candidate: str, points: float, rule_id: str, note: str) -> None:
        if points <= 0:
            return
        self.points[candidate] = self.points.get(candidate, 0.0) + points
        rules = self.by_rule.setdefault(candidate, {})
        rules[rule_id] = rules.get(rule_id, 0.0) + points
        self.notes.setdefault(candidate, []).append(f"{rule_id} {note}")

    def ranked(self, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        """Candidates by points, best first; ties keep the order evidence was found in."""
        skip = set(exclude)
        ranked = sorted(self.points.items(), key=lambda item: -item[1])
        return [(c, p) for c, p in ranked if c not in skip]

    def top_rule(self, candidate: str) -> str:
        rules = self.by_rule[candidate]
        return max(rules, key=lambda rule_id: rules[rule_id])


def fired(rule: Rule, texts: dict[str, str], cap: int) -> tuple[float, list[Match]]:
    """Points a rule gives: its weight per distinct phrase matched, up to `cap` phrases."""
    hits = rule.when.hits(texts)
    distinct = {m.group(0) for m in hits}
    return rule.weight * min(len(distinct), cap), hits


def quote(hits: Sequence[Match]) -> str:
    phrases = list(dict.fromkeys(m.group(0) for m in hits))
    return ", ".join(f"'{p}'" for p in phrases[:3])


def field_tally(
    texts: dict[str, str], rules: RuleSet, vocabularies: Sequence[str], *, factor: float = 1.0
) -> Tally:
    """Points for each department's names, offices or field words found in the item."""
    scoring, tally = rules.scoring, Tally()
    weights = {
        "names": scoring.name_weight,
        "units": scoring.unit_weight,
        "strong": scoring.strong_keyword_weight * factor,
        "keywords": scoring.keyword_weight * factor,
    }
    # The regulation the item names says best what it is about: its words count again.
    sources = (
        ("text", 1.0),
        ("regulation", scoring.regulation_field_factor),
        ("cited", scoring.cited_factor),
    )
    scopes = tuple((scope, boost) for scope, boost in sources if boost and texts.get(scope))
    for department, vocabulary, boost, counts in _found(
        texts, rules.departments, tuple(vocabularies), scopes
    ):
        capped = sum(min(n, scoring.mention_cap) for n in counts.values())
        quoted = ", ".join(f"'{p}'" for p in list(counts)[:3])
        points = weights[vocabulary] * boost * capped
        tally.add(department.code, points, department.id, f"{vocabulary} {quoted}")
    return tally


def _found(
    texts: dict[str, str],
    departments: Sequence[Department],
    vocabularies: tuple[str, ...],
    scopes: tuple[tuple[str, float], ...],
) -> list[tuple[Department, str, float, Mapping[str, int]]]:
    """What each department's phrase lists find in each scope, in the order the tally adds
    them, without what finds nothing (it adds nothing); listed once per item when `texts`
    keeps a memo (the departments stay alive with the item's rule set meanwhile)."""
    key = ("found", id(departments), vocabularies, scopes)
    if isinstance(texts, Texts) and (known := texts.memo.get(key)) is not None:
        return list(known)
    if not isinstance(texts, Texts):
        return [
            (department, vocabulary, boost, counts)
            for department, vocabulary, finder in _finders(departments, vocabularies)
            for scope, boost in scopes
            if (counts := _counts(finder, texts, scope))
        ]
    # Each scope read once; a list with none of its phrases in a scope is passed over.
    reads = [(scope, boost, texts.read(texts[scope])) for scope, boost in scopes]
    found = [
        (department, vocabulary, boost, counts)
        for department, vocabulary, finder in _finders(departments, vocabularies)
        for scope, boost, read in reads
        if not finder.absent(read) and (counts := _counts(finder, texts, scope))
    ]
    texts.memo[key] = found
    return list(found)


# The triples of `_finders` by departments and vocabularies, each kept with the departments
# it was worked out from (kept alive with it, so an id is never reused meanwhile).
_FINDERS: dict[tuple[int, tuple[str, ...]], tuple[object, list[Any]]] = {}


def _finders(
    departments: Sequence[Department], vocabularies: tuple[str, ...]
) -> list[tuple[Department, str, Phrases]]:
    """The (department, vocabulary, phrase list) triples that can be matched."""
    key = (id(departments), vocabularies)
    known = _FINDERS.get(key)
    if known is not None and known[0] is departments:
        return known[1]
    found = [(d, v, finder) for d in departments for v in vocabularies if (finder := d.finder(v))]
    if len(_FINDERS) >= 64:
        _FINDERS.clear()
    _FINDERS[key] = (departments, found)
    return found


def _counts(finder: Phrases, texts: dict[str, str], scope: str) -> Mapping[str, int]:
    """How often each phrase of `finder` is found in one scope, in order of first finding;
    matched once per item when `texts` keeps a memo."""
    text, marked = texts[scope], texts.get(scope + MARKED, "")
    if not isinstance(texts, Texts):
        return Counter(m.group(0) for m in finder.finditer(text, marked))
    read = texts.read(text)
    if finder.absent(read):
        return {}
    key = ("counts", id(finder), text, marked)
    counts: Mapping[str, int] | None = texts.memo.get(key)
    if counts is None:
        found = finder.matches(text, marked, read)
        counts = texts.memo[key] = Counter(m.group(0) for m in found)
    return counts


def target_tally(
    texts: dict[str, str], rules: RuleSet, case_class: CaseClass, tally: Tally
) -> Tally:
    """Add the special targets and actor rules that apply to `case_class` to a tally."""
    districts = {d.code for d in rules.districts}
    deferred = []
    for rule in (*rules.special_targets, *rules.actor_rules):
        if case_class not in rule.applies_to:
            continue
        points, hits = fired(rule, texts, rules.scoring.mention_cap)
        if not points:
            continue
        target: str | None = rule.target
        if rule.target == "named_agency":
            finders = [(d.code, f.regex) for d, _, f in _finders(rules.departments, ("names",))]
            target = named_agency(texts["text"], finders, rules.districts, hits)
            target = LOCAL if target in districts else target
        elif rule.target == "district_of_place":
            target = LOCAL
        elif rule.target == "top_department":
            deferred.append((rule, points, hits))
            continue
        if target is not None:
            tally.add(target, points, rule.id, quote(hits))
    # "Đề nghị Sở ...": the department the item names most, else the one it is most about.
    if not deferred:
        return tally
    leaders = field_tally(texts, rules, ACTORS).ranked() or tally.ranked(exclude=[LOCAL])
    for rule, points, hits in deferred if leaders else ():
        tally.add(leaders[0][0], points, rule.id, quote(hits))
    return tally


def local_hits(texts: dict[str, str], rules: RuleSet) -> list[Match]:
    """Where the text names a local authority, in reading order (the place follows it)."""
    local = [r for r in rules.actor_rules if r.target in {"district_of_place", "named_agency"}]
    hits = [m for rule in local for m in rule.when.hits(texts)]
    return sorted(hits, key=lambda m: m.start())


def _regex(finder: Phrases | None) -> re.Pattern[str] | None:
    return finder.regex if finder else None


@dataclass(frozen=True)
class Place:
    code: str | None
    confidence: float
    note: str


def district_of_place(
    texts: Mapping[str, str],
    districts: Sequence[District],
    markers: Sequence[Match],
    *,
    scope: Scope,
    confidence: PlaceConfidence,
) -> Place:
    """The district where it happened: the place named right after a marker ("UBND xã …"),
    else a place named in the text, else the submitter's address, else a bare name."""
    text, address = texts["text"], texts["address"]
    counted: dict[tuple[int, str], int] = {}

    def prefixed(district: District, where: str) -> int:
        """How often the text or the address names a district with its unit, counted once
        and only when a step needs it."""
        key = (id(district), where)
        if key not in counted:
            counted[key] = district.prefixed_in(texts[where])
        return counted[key]

    for marker in markers:
        # "UBND huyện Ia Grai có kế hoạch" names it inside; "UBND xã | Song An" right after.
        inside = [
            d.code
            for d in districts
            if d.prefixed_in(marker.group(0)) or d.bare_in(marker.group(0))
        ]
        named = inside or _named_after(districts, texts.get(scope, ""), marker.end())
        if len(named) == 1:
            code: str | None = named[0]
        elif named:  # the places named in the text and the address decide between them
            context = _votes(districts, lambda d: prefixed(d, "text") + prefixed(d, "address"))
            code = _vote(context, among=named)
        else:
            code = None
        if code:
            note = f"district {code}: named at '{marker.group(0)}'"
            return Place(code, confidence.after_marker, note)
    steps = [
        ("a place in the text", confidence.in_text, lambda d: prefixed(d, "text")),
        (
            "the submitter's address",
            confidence.in_address,
            lambda d: prefixed(d, "address") * 2 + d.bare_in(address),
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
    markers: Sequence[Match],
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
