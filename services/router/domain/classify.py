"""Classify an accepted PAKN item and pick the agency in charge, by the rules file.

Pure: the rules and agencies are loaded elsewhere and passed in. Every decision carries the
rule that decided, the rules version, a confidence and short reasons an officer can read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.router.domain.agencies import AgencyRegistry
from services.router.domain.matching import (
    LOCAL,
    Place,
    Scope,
    district_of_place,
    named_agency,
    normalise,
)
from services.router.domain.rules import CaseClass, Kind, Rule, RuleSet

TRIAGE = "TRIAGE"
_ACTORS = ("names", "units")  # who the item says acted
_WORDS = ("strong", "keywords")  # what the item is about


@dataclass(frozen=True, kw_only=True)
class RoutingInput:
    title: str = ""
    content: str
    address: str = ""
    regulation: str = ""
    submitter_type: str = "individual"
    channel: str = "web"
    received_on: date


class RoutingDecision(BaseModel):
    """Where an item goes and why; `agency` is TRIAGE when the rules are not sure enough,
    with the best guess kept in `suggested_agency`."""

    model_config = ConfigDict(frozen=True)

    case_class: CaseClass
    kind: Kind
    agency: str
    suggested_agency: str | None = None
    rule_id: str
    rules_version: str
    confidence: float = Field(ge=0, le=1)
    reasons: tuple[str, ...] = ()


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


@dataclass(frozen=True)
class Choice:
    agency: str | None
    rule_id: str
    confidence: float
    reasons: tuple[str, ...]


def route(item: RoutingInput, *, rules: RuleSet, agencies: AgencyRegistry) -> RoutingDecision:
    """Classify the item and choose its agency, or TRIAGE when the rules are not sure."""
    if not rules.in_force(item.received_on):
        why = f"rules {rules.version} are not in force on {item.received_on}"
        choice = Choice(None, "triage.no_rules", 0.0, ())
        return _decide(choice, rules, agencies, item.received_on, why=why)
    texts = _texts(item)
    active = rules.active_on(item.received_on)
    case_class, class_confidence, class_reasons = _decide_class(texts, active)
    kind, kind_reasons = _decide_kind(texts, active)
    choice = _choose(texts, active, case_class)
    other: CaseClass = "behaviour" if case_class == "regulation" else "regulation"
    if _choose(texts, active, other).agency not in {None, choice.agency}:
        # The class decides the agency here, so it is only as sure as the class.
        confidence = min(choice.confidence, class_confidence)
        choice = Choice(choice.agency, choice.rule_id, confidence, choice.reasons)
    reasons = (*class_reasons, *kind_reasons, *choice.reasons)
    choice = Choice(choice.agency, choice.rule_id, choice.confidence, reasons)
    return _decide(choice, active, agencies, item.received_on, case_class=case_class, kind=kind)


def _decide(
    choice: Choice,
    rules: RuleSet,
    agencies: AgencyRegistry,
    day: date,
    *,
    case_class: CaseClass | None = None,
    kind: Kind | None = None,
    why: str = "",
) -> RoutingDecision:
    known = agencies.active_on(day).get(choice.agency) if choice.agency else None
    threshold = rules.thresholds.triage_below
    if not why and known is None:
        why = f"{choice.agency} is not an agency in force" if choice.agency else "no agency found"
    elif not why and choice.confidence < threshold:
        why = f"confidence {choice.confidence:.2f} below {threshold}"
    return RoutingDecision(
        case_class=case_class or rules.defaults.case_class,
        kind=kind or rules.defaults.kind,
        agency=TRIAGE if why else choice.agency or TRIAGE,
        suggested_agency=choice.agency,
        rule_id=choice.rule_id,
        rules_version=rules.version,
        confidence=round(choice.confidence, 3),
        reasons=(*choice.reasons, f"triage: {why}") if why else choice.reasons,
    )


def _texts(item: RoutingInput) -> dict[str, str]:
    return {
        "text": normalise(f"{item.title} . {item.content}"),
        "title": normalise(item.title),
        "regulation": normalise(item.regulation),
        "address": normalise(item.address),
    }


def _fired(rule: Rule, texts: dict[str, str], cap: int) -> tuple[float, list[re.Match[str]]]:
    """Points a rule gives: its weight per distinct phrase matched, up to `cap` phrases."""
    hits = rule.when.hits(texts)
    distinct = {m.group(0) for m in hits}
    return rule.weight * min(len(distinct), cap), hits


def _quote(hits: Sequence[re.Match[str]]) -> str:
    phrases = list(dict.fromkeys(m.group(0) for m in hits))
    return ", ".join(f"'{p}'" for p in phrases[:3])


def _confidence(ranked: Sequence[tuple[str, float]], prior: float) -> float:
    best = ranked[0][1] if ranked else 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return best / (best + second + prior)


def _two_way(ranked: Sequence[tuple[str, float]], smoothing: float) -> float:
    """Laplace-smoothed share of the winner in a choice between two answers."""
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return (ranked[0][1] + smoothing) / (ranked[0][1] + second + 2 * smoothing)


def _summary(label: str, ranked: Sequence[tuple[str, float]], tally: Tally) -> str:
    versus = f" vs {ranked[1][0]} {ranked[1][1]:g}" if len(ranked) > 1 else ""
    notes = "; ".join(tally.notes[ranked[0][0]][:3])
    return f"{label} {ranked[0][0]} {ranked[0][1]:g}{versus}: {notes}"


def _decide_class(texts: dict[str, str], rules: RuleSet) -> tuple[CaseClass, float, list[str]]:
    tally = Tally()
    for rule in rules.class_rules:
        points, hits = _fired(rule, texts, rules.scoring.mention_cap)
        tally.add(rule.case_class, points, rule.id, _quote(hits))
    ranked = tally.ranked()
    if not ranked:  # no signal: only safe when both classes lead to the same agency
        default = rules.defaults.case_class
        return default, 0.0, [f"class {default}: no class rule matched (default)"]
    winner: CaseClass = "regulation" if ranked[0][0] == "regulation" else "behaviour"
    return (
        winner,
        _two_way(ranked, rules.scoring.class_smoothing),
        [_summary("class", ranked, tally)],
    )


def _decide_kind(texts: dict[str, str], rules: RuleSet) -> tuple[Kind, list[str]]:
    tally = Tally()
    for rule in rules.kind_rules:
        points, hits = _fired(rule, texts, rules.scoring.mention_cap)
        tally.add(rule.kind, points, rule.id, _quote(hits))
    ranked = tally.ranked()
    if not ranked:
        return rules.defaults.kind, [f"kind {rules.defaults.kind}: no proposal found (default)"]
    winner: Kind = "kien_nghi" if ranked[0][0] == "kien_nghi" else "phan_anh"
    return winner, [_summary("kind", ranked, tally)]


def _choose(texts: dict[str, str], rules: RuleSet, case_class: CaseClass) -> Choice:
    if case_class == "regulation":
        return _regulation_choice(texts, rules)
    # Behaviour goes to whoever acted: the field's words only count when nobody is named.
    actors = _target_tally(texts, rules, "behaviour", _field_tally(texts, rules, _ACTORS))
    if not actors.ranked():
        factor = rules.scoring.behaviour_keyword_factor
        words = _field_tally(texts, rules, _WORDS, factor=factor)
        actors = _target_tally(texts, rules, "behaviour", words)
    return _pick(texts, rules, actors, exclude=())


def _regulation_choice(texts: dict[str, str], rules: RuleSet) -> Choice:
    """Who issued the regulation decides: central -> QG, a district -> it, else the field."""
    tally = Tally()
    first_hits: dict[str, tuple[Scope, list[re.Match[str]]]] = {}
    for rule in sorted(rules.competence_rules, key=lambda r: -r.priority):
        points, hits = _fired(rule, texts, rules.scoring.mention_cap)
        if points:
            tally.add(rule.level, points, rule.id, _quote(hits))
            first_hits.setdefault(rule.level, (rule.when.scope, hits))
    ranked = tally.ranked()
    assumed = rules.scoring.assumed_province_confidence
    if ranked:
        level, sure = ranked[0][0], _confidence(ranked, rules.scoring.prior)
        # The province is where an item lands by default: some evidence is no worse than none.
        sure = max(sure, assumed) if level == "province" else sure
        reasons: tuple[str, ...] = (_summary("competence", ranked, tally),)
    else:
        level, sure = "province", assumed
        reasons = ("competence province: no issuer named (assumed)",)
    if level == "central":
        return Choice("QG", tally.top_rule("central"), sure, reasons)
    if level == "district":
        scope, hits = first_hits["district"]
        place = _place(texts, rules, hits, scope=scope)
        return _district_choice(place, tally.top_rule("district"), sure, reasons)
    fields = _field_tally(texts, rules, (*_ACTORS, *_WORDS))
    targets = _target_tally(texts, rules, "regulation", fields)
    choice = _pick(texts, rules, targets, exclude=[d.code for d in rules.districts])
    confidence = min(sure, choice.confidence)
    return Choice(choice.agency, choice.rule_id, confidence, (*reasons, *choice.reasons))


def _district_choice(place: Place, rule_id: str, sure: float, reasons: tuple[str, ...]) -> Choice:
    confidence = min(sure, place.confidence)
    return Choice(place.code, rule_id, confidence, (*reasons, place.note))


def _field_tally(
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
    sources = ((texts["text"], 1.0), (texts["regulation"], scoring.regulation_field_factor))
    for department in rules.departments:
        for vocabulary in vocabularies:
            finder = department.finder(vocabulary)
            if finder is None:
                continue
            for text, boost in sources:
                counts = Counter(m.group(0) for m in finder.finditer(text))
                capped = sum(min(n, scoring.mention_cap) for n in counts.values())
                quoted = ", ".join(f"'{p}'" for p in list(counts)[:3])
                points = weights[vocabulary] * boost * capped
                tally.add(department.code, points, department.id, f"{vocabulary} {quoted}")
    return tally


def _target_tally(
    texts: dict[str, str], rules: RuleSet, case_class: CaseClass, tally: Tally
) -> Tally:
    """Add the special targets and actor rules that apply to `case_class` to a tally."""
    districts = {d.code for d in rules.districts}
    deferred = []
    for rule in (*rules.special_targets, *rules.actor_rules):
        if case_class not in rule.applies_to:
            continue
        points, hits = _fired(rule, texts, rules.scoring.mention_cap)
        if not points:
            continue
        target: str | None = rule.target
        if rule.target == "named_agency":
            finders = [(d.code, d.finder("names")) for d in rules.departments]
            target = named_agency(texts["text"], finders, rules.districts, hits)
            target = LOCAL if target in districts else target
        elif rule.target == "district_of_place":
            target = LOCAL
        elif rule.target == "top_department":
            deferred.append((rule, points, hits))
            continue
        if target is not None:
            tally.add(target, points, rule.id, _quote(hits))
    leaders = tally.ranked(exclude=[LOCAL])
    for rule, points, hits in deferred if leaders else ():
        tally.add(leaders[0][0], points, rule.id, _quote(hits))
    return tally


def _pick(texts: dict[str, str], rules: RuleSet, tally: Tally, *, exclude: Sequence[str]) -> Choice:
    ranked = tally.ranked(exclude=exclude)
    if not ranked:
        return Choice(None, "triage.no_evidence", 0.0, ("agency: no rule matched",))
    leader = ranked[0][0]
    confidence = _confidence(ranked, rules.scoring.prior)
    reasons = (_summary("agency", ranked, tally),)
    if leader != LOCAL:
        return Choice(leader, tally.top_rule(leader), confidence, reasons)
    place = _place(texts, rules, _local_hits(texts, rules), scope="text")
    return _district_choice(place, tally.top_rule(LOCAL), confidence, reasons)


def _local_hits(texts: dict[str, str], rules: RuleSet) -> list[re.Match[str]]:
    """Where the text names a local authority, in reading order (the place follows it)."""
    local = [r for r in rules.actor_rules if r.target in {"district_of_place", "named_agency"}]
    hits = [m for rule in local for m in rule.when.hits(texts)]
    return sorted(hits, key=lambda m: m.start())


def _place(
    texts: dict[str, str], rules: RuleSet, markers: Sequence[re.Match[str]], *, scope: Scope
) -> Place:
    return district_of_place(
        texts, rules.districts, markers, scope=scope, confidence=rules.scoring.place
    )
