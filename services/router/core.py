"""What the router decides with: rules, agencies, calendar and deadline policy, validated once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schemas.topics import Topics
from services.router.domain.agencies import AgencyRegistry, load_agencies
from services.router.domain.calendar import HolidayCalendar, load_calendar
from services.router.domain.deadlines import DeadlinePolicy
from services.router.domain.rules import RuleSet, load_rules


@dataclass(frozen=True)
class RouterCore:
    rules: RuleSet
    agencies: AgencyRegistry
    calendar: HolidayCalendar
    policy: DeadlinePolicy
    topics: Topics


def load_core(
    *,
    rules_file: Path | None = None,
    agencies_file: Path | None = None,
    holidays_file: Path | None = None,
    topics: Topics | None = None,
) -> RouterCore:
    """Load and validate every data file: a bad file stops the service before it consumes."""
    agencies = load_agencies(agencies_file)
    return RouterCore(
        rules=load_rules(rules_file, agencies=agencies),
        agencies=agencies,
        calendar=load_calendar(holidays_file),
        policy=DeadlinePolicy(),
        topics=topics or Topics(),
    )
