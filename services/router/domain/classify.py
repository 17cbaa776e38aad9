"""Classify an accepted PAKN item and pick the agency in charge, by the rules file.

Pure: the rules and agencies are loaded elsewhere and passed in. Every decision carries the
rule that decided, the rules version, a confidence and short reasons an officer can read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.router.domain.agencies import AgencyRegistry
from services.router.domain.evidence import (
    ACTORS,
    WORDS,
    Place,
    Tally,
    district_of_place,
    field_tally,
    fired,
    local_hits,
    quote,
    target_tally,
)
from services.router.domain.matching import (
    LOCAL,
    MARKED,
    Match,
    Scope,
    Texts,
    normalise_pair,
    typed_with_diacritics,
)
from services.router.domain.rules import CaseClass, Kind, RuleSet

TRIAGE = "TRIAGE"

# Where "the local authority where it happened" is: from the texts (normal form, and under
# `key + MARKED` with diacritics), the local-authority markers found, and the scope to read
# after them. The default reads the rules' own district gazetteer (the 2023 structure);
# today's structure passes the communes' gazetteer (services/router/structure/routing.py).
Locate = Callable[[Mapping[str, str], Sequence[Match], Scope], Place]


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


@dataclass(frozen=True)
class Choice:
    agency: str | None
    rule_id: str
    confidence: float
    reasons: tuple[str, ...]


def route(
    item: RoutingInput,
    *,
    rules: RuleSet,
    agencies: AgencyRegistry,
    exclude: frozenset[str] = frozenset(),
    locate: Locate | None = None,
    check_dates: bool = True,
) -> RoutingDecision:
    """Classify the item and choose its agency, or TRIAGE when the rules are not sure.

    `check_dates=False` applies the rules whatever their dates (a later structure reuses
    them and says so in its own version); `locate` finds the local authority.
    """
    if check_dates and not rules.in_force(item.received_on):
        why = f"rules {rules.version} are not in force on {item.received_on}"
        choice = Choice(None, "triage.no_rules", 0.0, ())
        return _decide(choice, rules, agencies, item.received_on, why=why)
    texts = _texts(item, rules)
    active = rules.active_on(item.received_on)
    case_class, class_confidence, class_reasons = _decide_class(texts, active)
    kind, kind_reasons = _decide_kind(texts, active)
    where = _Where(locate)
    choice = _choose(texts, active, case_class, exclude, where)
    other: CaseClass = "behaviour" if case_class == "regulation" else "regulation"
    confidence = choice.confidence
    if _choose(texts, active, other, exclude, where).agency not in {None, choice.agency}:
        confidence = min(confidence, class_confidence)  # the class decides the agency here
    reasons = (*class_reasons, *kind_reasons, *choice.reasons)
    choice = replace(choice, confidence=confidence, reasons=reasons)
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


def _texts(item: RoutingInput, rules: RuleSet) -> dict[str, str]:
    """Each field in the normal form, and under `key + MARKED` with its diacritics; "cited"
    holds what the text says of the regulation it names."""
    fields = {
        "text": f"{item.title} . {item.content}",
        "title": item.title,
        "regulation": item.regulation,
        "address": item.address,
    }
    texts = Texts()
    for key, value in fields.items():
        folded, marked = normalise_pair(value)
        texts[key], texts[key + MARKED] = folded, marked if typed_with_diacritics(marked) else ""
    spans = [m.span() for m in rules.citations.hits(texts)] if rules.citations else []
    for key in ("cited", "cited" + MARKED):
        source = texts[key.replace("cited", "text")]
        texts[key] = " . ".join(source[a:b] for a, b in spans) if source else ""
    return texts


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
        points, hits = fired(rule, texts, rules.scoring.mention_cap)
        tally.add(rule.case_class, points, rule.id, quote(hits))
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
        points, hits = fired(rule, texts, rules.scoring.mention_cap)
        tally.add(rule.kind, points, rule.id, quote(hits))
    ranked = tally.ranked()
    if not ranked:
        return rules.defaults.kind, [f"kind {rules.defaults.kind}: no proposal found (default)"]
    winner: Kind = "kien_nghi" if ranked[0][0] == "kien_nghi" else "phan_anh"
    return winner, [_summary("kind", ranked, tally)]


@dataclass(frozen=True)
class _Where:
    """How the local authority is found for this decision."""

    locate: Locate | None

    def __call__(
        self,
        texts: dict[str, str],
        rules: RuleSet,
        markers: Sequence[Match],
        *,
        scope: Scope,
    ) -> Place:
        if self.locate is not None:
            return self.locate(texts, markers, scope)
        return district_of_place(
            texts, rules.districts, markers, scope=scope, confidence=rules.scoring.place
        )


def _choose(
    texts: dict[str, str],
    rules: RuleSet,
    case_class: CaseClass,
    exclude: frozenset[str],
    where: _Where,
) -> Choice:
    """The agency the evidence points to, never one in `exclude` (agencies that already
    held the case and transferred it away)."""
    choice = (
        _regulation_choice(texts, rules, exclude, where)
        if case_class == "regulation"
        else _behaviour_choice(texts, rules, exclude, where)
    )
    if choice.agency in exclude:
        why = f"agency: {choice.agency} already held the case"
        return Choice(None, "triage.no_untried_agency", 0.0, (*choice.reasons, why))
    return choice


def _behaviour_choice(
    texts: dict[str, str], rules: RuleSet, exclude: frozenset[str], where: _Where
) -> Choice:
    # Behaviour goes to whoever acted: the field's words only count when nobody is named.
    actors = target_tally(texts, rules, "behaviour", field_tally(texts, rules, ACTORS))
    if not actors.ranked():
        factor = rules.scoring.behaviour_keyword_factor
        words = field_tally(texts, rules, WORDS, factor=factor)
        actors = target_tally(texts, rules, "behaviour", words)
    return _pick(texts, rules, actors, where, exclude=tuple(exclude))


def _regulation_choice(
    texts: dict[str, str], rules: RuleSet, exclude: frozenset[str], where: _Where
) -> Choice:
    """Who issued the regulation decides: central -> QG, a district -> it, else the field."""
    tally = Tally()
    first_hits: dict[str, tuple[Scope, list[Match]]] = {}
    for rule in sorted(rules.competence_rules, key=lambda r: -r.priority):
        points, hits = fired(rule, texts, rules.scoring.mention_cap)
        if points:
            tally.add(rule.level, points, rule.id, quote(hits))
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
    if level == "central":  # forwarded to the agency the deciding rule names (QG)
        rule = next(r for r in rules.competence_rules if r.id == tally.top_rule("central"))
        if rule.target not in exclude:
            return Choice(rule.target, rule.id, sure, reasons)
    if level == "district":
        scope, hits = first_hits["district"]
        place = where(texts, rules, hits, scope=scope)
        if place.code not in exclude:
            return _district_choice(place, tally.top_rule("district"), sure, reasons)
    fields = field_tally(texts, rules, (*ACTORS, *WORDS))
    targets = target_tally(texts, rules, "regulation", fields)
    choice = _pick(
        texts, rules, targets, where, exclude=[*(d.code for d in rules.districts), *exclude]
    )
    confidence = min(sure, choice.confidence)
    return Choice(choice.agency, choice.rule_id, confidence, (*reasons, *choice.reasons))


def _district_choice(place: Place, rule_id: str, sure: float, reasons: tuple[str, ...]) -> Choice:
    confidence = min(sure, place.confidence)
    return Choice(place.code, rule_id, confidence, (*reasons, place.note))


def _pick(
    texts: dict[str, str], rules: RuleSet, tally: Tally, where: _Where, *, exclude: Sequence[str]
) -> Choice:
    ranked = tally.ranked(exclude=exclude)
    if not ranked:
        return Choice(None, "triage.no_evidence", 0.0, ("agency: no rule matched",))
    leader = ranked[0][0]
    confidence = _confidence(ranked, rules.scoring.prior)
    reasons = (_summary("agency", ranked, tally),)
    if leader != LOCAL:
        return Choice(leader, tally.top_rule(leader), confidence, reasons)
    place = where(texts, rules, local_hits(texts, rules), scope="text")
    return _district_choice(place, tally.top_rule(LOCAL), confidence, reasons)
