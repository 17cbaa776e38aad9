"""What the router decides with: rules, agencies, calendar and deadline policy, validated once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemas.topics import Topics
from services.router.domain.agencies import AgencyRegistry, load_agencies, read_yaml
from services.router.domain.calendar import HolidayCalendar, load_calendar
from services.router.domain.classify import RoutingDecision, RoutingInput
from services.router.domain.deadlines import DeadlinePolicy
from services.router.domain.rules import DEFAULT_RULES, RuleSet, load_rules
from services.router.structure import (
    default_departments,
    default_gazetteer,
    load_units,
    structure,
)
from services.router.structure.agencies import Structure
from services.router.structure.routing import DatedRouter, build_router, latest_agencies


@dataclass(frozen=True)
class RouterCore:
    rules: RuleSet  # the rules file as written (the 2023 structure's version)
    agencies: AgencyRegistry  # every agency code, its latest version (names, e-mails)
    calendar: HolidayCalendar
    policy: DeadlinePolicy
    topics: Topics
    structure: Structure
    router: DatedRouter

    def route(
        self, item: RoutingInput, *, exclude: frozenset[str] = frozenset()
    ) -> RoutingDecision:
        """Route under the structure in force on the item's date (domain.md §8)."""
        return self.router.route(item, exclude=exclude)

    def agencies_on(self, day: date) -> AgencyRegistry:
        """The agencies in force on a day."""
        return self.structure.active_on(day)


def load_core(
    *,
    rules_file: Path | None = None,
    agencies_file: Path | None = None,
    holidays_file: Path | None = None,
    topics: Topics | None = None,
) -> RouterCore:
    """Load and validate every data file: a bad file stops the service before it consumes."""
    dated = structure()
    agencies = load_agencies(agencies_file) if agencies_file else latest_agencies(dated)
    rules = load_rules(rules_file, agencies=agencies)
    data = read_yaml(Path(rules_file) if rules_file else DEFAULT_RULES)
    assert isinstance(data, dict)  # load_rules has validated it
    return RouterCore(
        rules=rules,
        agencies=agencies,
        calendar=load_calendar(holidays_file),
        policy=DeadlinePolicy(),
        topics=topics or Topics(),
        structure=dated,
        router=build_router(
            data,
            rules,
            structure=dated,
            units=load_units(),
            departments=default_departments(),
            gazetteer=default_gazetteer(),
        ),
    )
