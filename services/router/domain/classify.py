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

    points: Counter[str] = field(default_factory=Counter)
    by_rule: dict[str, Counter[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, candidate: str, points: float, rule_id: str, note: str) -> None:
        if points <= 0:
            return
        self.points[candidate] += points
        self.by_rule.setdefault(candidate, Counter())[rule_id] += points
        self.notes.setdefault(candidate, []).append(f"{rule_id} {note}")

    def ranked(self, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        skip = set(exclude)
        return [(c, p) for c, p in self.points.most_common() if c not in skip]

    def top_rule(self, candidate: str) -> str:
        return self.by_rule[candidate].most_common(1)[0][0]


@dataclass(frozen=True)
class Choice:
    agency: str | None
    rule_id: str
    confidence: float
    reasons: tuple[str, ...]


def route(item: RoutingInput, *, rules: RuleSet, agencies: AgencyRegistry) -> RoutingDecision:
    """Classify the item and choose its agency, or TRIAGE when the rules are not sure."""
    texts = _texts(item)
    if not rules.in_force(item.received_on):
        return _refuse(rules, f"rules {rules.version} are not in force on {item.received_on}")
    active = rules.active_on(item.received_on)
    case_class, class_confidence, class_reasons = _decide_class(texts, active)
    kind, kind_reasons = _decide_kind(texts, active)
    choice = _choose(texts, active, case_class)
    other = "behaviour" if case_class == "regulation" else "regulation"
    confidence = choice.confidence
    if _choose(texts, active, other).agency != choice.agency:
        confidence = min(confidence, class_confidence)  # the class decides the agency here
    reasons = (*class_reasons, *kind_reasons, *choice.reasons)
    known = agencies.active_on(item.received_on).get(choice.agency or "")
    if known is None or confidence < active.thresholds.triage_below:
        why = (
            "no agency found"
            if choice.agency is None
            else (
                f"{choice.agency} is not an agency in force"
                if known is None
                else f"confidence {confidence:.2f} < {active.thresholds.triage_below}"
            )
        )
        reasons = (*reasons, f"triage: {why}")
        return RoutingDecision(
            case_class=case_class,
            kind=kind,
            agency=TRIAGE,
            suggested_agency=choice.agency,
            rule_id=choice.rule_id,
            rules_version=rules.version,
            confidence=round(confidence, 3),
            reasons=reasons,
        )
    return RoutingDecision(
        case_class=case_class,
        kind=kind,
        agency=known.code,
        suggested_agency=known.code,
        rule_id=choice.rule_id,
        rules_version=rules.version,
        confidence=round(confidence, 3),
        reasons=reasons,
    )


def _texts(item: RoutingInput) -> dict[str, str]:
    return {
        "text": normalise(f"{item.title} . {item.content}"),
        "title": normalise(item.title),
        "regulation": normalise(item.regulation),
        "address": normalise(item.address),
    }


def _refuse(rules: RuleSet, why: str) -> RoutingDecision:
    return RoutingDecision(
        case_class=rules.defaults.case_class,
        kind=rules.defaults.kind,
        agency=TRIAGE,
        rule_id="triage.no_rules",
        rules_version=rules.version,
        confidence=0.0,
        reasons=(f"triage: {why}",),
    )


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
    if not ranked:
        default = rules.defaults.case_class
        return default, 0.5, [f"class {default}: no class rule matched (default)"]
    winner: CaseClass = "regulation" if ranked[0][0] == "regulation" else "behaviour"
    confidence = _confidence(ranked, rules.scoring.prior)
    return winner, confidence, [_summary("class", ranked, tally)]


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
    if case_class == "behaviour":
        return _pick(texts, rules, _target_tally(texts, rules, "behaviour"), exclude=())
    return _regulation_choice(texts, rules)


def _regulation_choice(texts: dict[str, str], rules: RuleSet) -> Choice:
    """Who issued the regulation decides: central -> QG, a district -> it, else the field."""
    tally, hits = Tally(), {}
    for rule in sorted(rules.competence_rules, key=lambda r: -r.priority):
        points, found = _fired(rule, texts, rules.scoring.mention_cap)
        if points:
            tally.add(rule.level, points, rule.id, _quote(found))
            hits.setdefault(rule.level, (rule, found))
    ranked = tally.ranked()
    if not ranked:
        level, level_confidence = "province", rules.scoring.assumed_province_confidence
        level_reasons: tuple[str, ...] = ("competence province: no issuer named (assumed)",)
    else:
        level, level_confidence = ranked[0][0], _confidence(ranked, rules.scoring.prior)
        level_reasons = (_summary("competence", ranked, tally),)
    if level == "central":
        rule_id = tally.top_rule("central")
        return Choice("QG", rule_id, level_confidence, level_reasons)
    if level == "district":
        rule, found = hits["district"]
        place = _place(texts, rules, found, scope=rule.when.scope)
        return _district_choice(place, tally.top_rule("district"), level_confidence, level_reasons)
    districts = [d.code for d in rules.districts]
    choice = _pick(texts, rules, _target_tally(texts, rules, "regulation"), exclude=districts)
    return Choice(
        choice.agency,
        choice.rule_id,
        min(level_confidence, choice.confidence),
        (*level_reasons, *choice.reasons),
    )


def _district_choice(
    place: Place, rule_id: str, confidence: float, reasons: tuple[str, ...]
) -> Choice:
    if place.code is None:
        return Choice(None, rule_id, 0.0, (*reasons, "district: no place in Gia Lai found"))
    return Choice(place.code, rule_id, min(confidence, place.confidence), (*reasons, place.note))


def _target_tally(texts: dict[str, str], rules: RuleSet, case_class: CaseClass) -> Tally:
    tally = _field_tally(texts, rules, case_class)
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
            target = LOCAL if target in {d.code for d in rules.districts} else target
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


def _field_tally(texts: dict[str, str], rules: RuleSet, case_class: CaseClass) -> Tally:
    """Names, offices and field words of each department found in the text."""
    scoring, tally = rules.scoring, Tally()
    factor = 1.0 if case_class == "regulation" else scoring.behaviour_keyword_factor
    weights = {
        "names": scoring.name_weight,
        "units": scoring.unit_weight,
        "strong": scoring.strong_keyword_weight * factor,
        "keywords": scoring.keyword_weight * factor,
    }
    # The regulation the item names says best what it is about: its words count again.
    sources = ((texts["text"], 1.0), (texts["regulation"], scoring.regulation_field_factor))
    for department in rules.departments:
        for vocabulary, weight in weights.items():
            finder = department.finder(vocabulary)
            for text, factor in sources if finder is not None else ():
                counts = Counter(m.group(0) for m in finder.finditer(text))
                points = weight * factor * sum(min(n, scoring.mention_cap) for n in counts.values())
                quoted = ", ".join(f"'{p}'" for p in list(counts)[:3])
                tally.add(department.code, points, department.id, f"{vocabulary} {quoted}")
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
