"""The routing rules file (data/rules.yaml): typed, validated and compiled once at start-up.

A rules file that cannot be used raises `RulesError` naming the rule, so the service refuses
to start instead of routing with half a rule set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from services.router.domain.agencies import AgencyRegistry, first_error, in_period, read_yaml
from services.router.domain.matching import (
    Condition,
    District,
    Phrases,
    PlaceConfidence,
    inner,
    phrase_regex,
    phrases,
)
from services.router.errors import RulesError

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "data" / "rules.yaml"

CaseClass = Literal["regulation", "behaviour"]
Kind = Literal["phan_anh", "kien_nghi"]
Level = Literal["central", "province", "district"]
DERIVED_TARGETS = frozenset(
    {
        "field_department",
        "district_of_issuer",
        "district_of_place",
        "named_agency",
        "top_department",
    }
)
_AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


class _Dated(BaseModel):
    """An entry that may start or end on its own dates (otherwise the file's dates apply)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    effective_from: date | None = None
    effective_to: date | None = None

    def in_force(self, day: date) -> bool:
        return in_period(day, self.effective_from, self.effective_to)


class Rule(_Dated):
    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_.]*$")
    priority: int = 0
    weight: float = Field(1.0, gt=0)
    when: Condition


class ClassRule(Rule):
    case_class: CaseClass = Field(alias="class")


class KindRule(Rule):
    kind: Kind


class _Targeted(Rule):
    target: str

    @model_validator(mode="after")
    def _known_target(self) -> _Targeted:
        if self.target not in DERIVED_TARGETS and not _AGENCY_CODE.match(self.target):
            raise ValueError(f"target {self.target!r} is neither an agency code nor derived")
        return self


class CompetenceRule(_Targeted):
    level: Level

    @model_validator(mode="after")
    def _target_fits_level(self) -> CompetenceRule:
        allowed = {
            "province": self.target == "field_department",
            "district": self.target in {"district_of_issuer", "district_of_place"},
            "central": self.target not in DERIVED_TARGETS,
        }
        if not allowed[self.level]:
            raise ValueError(f"target {self.target!r} does not fit level {self.level!r}")
        return self


class TargetRule(_Targeted):
    applies_to: tuple[CaseClass, ...] = ("regulation", "behaviour")


class Department(_Dated):
    """One agency's vocabulary: its names, its offices, the words of its field."""

    code: str = Field(pattern=_AGENCY_CODE.pattern)
    names: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    strong: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    _lists: dict[str, Phrases | None] = PrivateAttr(default_factory=dict)

    @property
    def id(self) -> str:
        return f"field.{self.code}"

    @model_validator(mode="after")
    def _build(self) -> Department:
        self._lists = {name: phrases(getattr(self, name)) for name in _VOCABULARY}
        return self

    def finder(self, vocabulary: str) -> Phrases | None:
        # Read straight from pydantic's private store: `self._lists` goes through its
        # __getattr__, and routing asks for every department's lists many times per item.
        lists: dict[str, Phrases | None] = (self.__pydantic_private__ or {})["_lists"]
        return lists[vocabulary]


_VOCABULARY = ("names", "units", "strong", "keywords")


class Defaults(BaseModel):
    """What to assume when no rule of a kind fires."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    case_class: CaseClass = Field("regulation", alias="class")
    kind: Kind = "phan_anh"


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    triage_below: float = Field(0.5, ge=0, le=1)


class Scoring(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prior: float = Field(2.0, gt=0)
    mention_cap: int = Field(2, ge=1)
    class_smoothing: float = Field(1.0, gt=0)
    name_weight: float = 4.0
    unit_weight: float = 4.0
    strong_keyword_weight: float = 2.0
    keyword_weight: float = 1.0
    behaviour_keyword_factor: float = Field(1.0, ge=0)
    regulation_field_factor: float = Field(1.0, ge=0)
    cited_factor: float = Field(0.0, ge=0)  # extra weight of field words in `citations` hits
    assumed_province_confidence: float = Field(0.7, ge=0, le=1)
    place: PlaceConfidence = PlaceConfidence()


# The rule sets in force on a day, by rule set (its id) and day: outside the models, so
# that they take no part in comparing them. Each entry holds its rule set (no id reuse).
_ACTIVE: dict[tuple[int, date], tuple[RuleSet, RuleSet]] = {}
_KEPT = 4096

_SECTIONS: dict[str, type[Rule]] = {
    "class_rules": ClassRule,
    "kind_rules": KindRule,
    "competence_rules": CompetenceRule,
    "actor_rules": TargetRule,
    "special_targets": TargetRule,
}


class RuleSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    thresholds: Thresholds = Thresholds()
    defaults: Defaults = Defaults()
    scoring: Scoring = Scoring()
    class_rules: tuple[ClassRule, ...] = ()
    kind_rules: tuple[KindRule, ...] = ()
    competence_rules: tuple[CompetenceRule, ...] = ()
    actor_rules: tuple[TargetRule, ...] = ()
    special_targets: tuple[TargetRule, ...] = ()
    departments: tuple[Department, ...] = ()
    districts: tuple[District, ...] = ()
    ministries: tuple[str, ...] = ()
    # Where the text names the regulation it is about ("quyết định của UBND tỉnh về ...").
    citations: Condition | None = None

    def in_force(self, day: date) -> bool:
        return in_period(day, self.effective_from, self.effective_to)

    def active_on(self, day: date) -> RuleSet:
        """The rules in force on `day`; rules without dates follow the file's dates."""
        known = _ACTIVE.get((id(self), day))  # worked out once per rule set and day
        if known is not None and known[0] is self:
            return known[1]
        update: dict[str, Any] = {}
        for name in [*_SECTIONS, "departments"]:
            every = getattr(self, name)
            kept = tuple(rule for rule in every if rule.in_force(day))
            update[name] = every if len(kept) == len(every) else kept  # the same tuple: the
            # same key for what is worked out once per tuple (evidence._finders)
        active = self.model_copy(update=update)
        if len(_ACTIVE) >= _KEPT:
            _ACTIVE.clear()
        _ACTIVE[(id(self), day)] = (self, active)
        return active

    def concrete_targets(self) -> set[str]:
        rules = [
            rule
            for name in ("competence_rules", "actor_rules", "special_targets")
            for rule in getattr(self, name)
        ]
        named = {rule.target for rule in rules} - DERIVED_TARGETS
        return named | {d.code for d in self.departments} | {d.code for d in self.districts}


def parse_rules(data: object, *, source: str = "rules") -> RuleSet:
    """Validate already-parsed YAML into a RuleSet; errors name the offending rule."""
    if not isinstance(data, dict):
        raise RulesError(f"{source}: expected a mapping at the top level")
    districts = _entries(data, "districts", District, source, {})
    ministries = data.get("ministries") or []
    if not isinstance(ministries, list):
        raise RulesError(f"{source}: `ministries` must be a list of names")
    places = {  # what {district}, {commune} and {ministry} stand for in patterns
        "district": _alternation(d.names for d in districts),
        "commune": _alternation(d.communes for d in districts),
        "ministry": _alternation([tuple(str(m) for m in ministries)]),
    }
    sections: dict[str, Any] = {"districts": districts}
    models: dict[str, type[BaseModel]] = {**_SECTIONS, "departments": Department}
    for name, model in models.items():
        sections[name] = _entries(data, name, model, source, {"places": places})
    _check_unique_ids(sections, source)
    header = {k: v for k, v in data.items() if k not in sections}
    try:
        return RuleSet.model_validate({**header, **sections})
    except ValidationError as exc:
        raise RulesError(f"{source}: {first_error(exc)}") from exc


def load_rules(
    path: Path | str | None = None, *, agencies: AgencyRegistry | None = None
) -> RuleSet:
    """Read and validate the rules file; with `agencies`, every target must be a known code."""
    source = Path(path) if path is not None else DEFAULT_RULES
    try:
        data = read_yaml(source)
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{source}: cannot read: {exc}") from exc
    rules = parse_rules(data, source=str(source))
    if agencies is not None:
        unknown = sorted(rules.concrete_targets() - set(agencies.codes))
        if unknown:
            raise RulesError(f"{source}: unknown agency codes: {', '.join(unknown)}")
    return rules


def _entries(
    data: dict[str, Any], name: str, model: type[BaseModel], source: str, context: dict[str, Any]
) -> tuple[Any, ...]:
    raw = data.get(name) or []
    if not isinstance(raw, list):
        raise RulesError(f"{source}: `{name}` must be a list")
    parsed = []
    for index, entry in enumerate(raw):
        label = _label(entry, f"{name}[{index}]")
        try:
            parsed.append(model.model_validate(entry, context=context))
        except ValidationError as exc:
            raise RulesError(f"{source}: rule {label}: {first_error(exc)}") from exc
    return tuple(parsed)


def _label(entry: object, fallback: str) -> str:
    if isinstance(entry, dict):
        return str(entry.get("id") or entry.get("code") or fallback)
    return fallback


def _check_unique_ids(sections: dict[str, Any], source: str) -> None:
    seen: set[str] = set()
    for entries in sections.values():
        for entry in entries:
            if entry.id in seen:
                raise RulesError(f"{source}: rule {entry.id}: the id is used twice")
            seen.add(entry.id)


def _alternation(name_lists: Iterable[tuple[str, ...]]) -> str:
    finder = phrase_regex([name for names in name_lists for name in names], loose=True)
    return inner(finder) if finder else "(?!)"
