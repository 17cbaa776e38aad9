"""The agencies in force on each day: the three structures of domain.md §8 as dated data.

- until 28 Feb 2025: the 2023 structure (``agencies.yaml``: departments, 17 district
  People's Committees, ``QG``);
- 1 Mar – 30 Jun 2025: the merged departments (``agencies-2025.yaml``) and the 17 districts;
- from 1 Jul 2025: the merged departments and the 135 commune People's Committees, one per
  commune of the package of administrative units (code ``X`` + its official code).

The dates come from the data: the merged departments' ``effective_from``, the communes'
``effective_from`` and ``ends_2023`` (the 2023 file's own ``effective_to`` is kept when it
is earlier). A code that exists in two structures (``SNV``, ``VPUB``) has one version per
structure, so "the agencies in force on a day" is the unit of lookup, not the code alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.kit.text import fold
from services.router.domain.agencies import (
    DEFAULT_AGENCIES,
    Agency,
    AgencyDataError,
    AgencyRegistry,
    Level,
    first_error,
    load_agencies,
    parse_agencies,
    read_yaml,
)
from services.router.errors import StructureDataError
from services.router.structure.units import PROVINCE_CODE, AdminUnits, Commune

DEFAULT_AGENCIES_2025 = DEFAULT_AGENCIES.parent / "agencies-2025.yaml"


class CommuneTemplate(BaseModel):
    """How a commune's agency is written (``communes`` of agencies-2025.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    province_code: int
    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    email: str = Field(min_length=1)
    fields: tuple[str, ...] = ()
    fields_vi: tuple[str, ...] = ()
    effective_from: date

    def agency(self, commune: Commune) -> Agency:
        values = {
            "code": commune.code,
            "kind": commune.kind,
            "Kind": commune.kind.capitalize(),
            "name": commune.name,
        }
        return Agency(
            code=self.code.format(**values),
            level="commune",
            name_vi=self.name_vi.format(**values),
            name_en=self.name_en.format(**values),
            fields=self.fields,
            fields_vi=self.fields_vi,
            email=self.email.format(**values),
            effective_from=self.effective_from,
        )


@dataclass(frozen=True)
class Period:
    """One structure of the province and the days it is in force."""

    id: str  # "2023", "2025-03", "2025-07"
    effective_from: date
    effective_to: date | None
    name_vi: str

    def includes(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class Structure:
    """Every dated version of every agency, 2023 to today."""

    agencies: tuple[Agency, ...]
    periods: tuple[Period, ...]
    communes: Mapping[str, Commune]  # agency code (X…) → its commune
    # Official code of a former district of Gia Lai → its 2023 agency code ("622" → PLK).
    district_agencies: Mapping[str, str]
    # A 2023 district agency → the commune agencies that cover its former area.
    district_successors: Mapping[str, tuple[str, ...]]
    data: Mapping[str, Any]  # the rest of agencies-2025.yaml (successions, other_names)

    def active_on(self, day: date) -> AgencyRegistry:
        """The agencies in force on `day` (the day an item was received); codes are unique."""
        return AgencyRegistry(agencies=tuple(a for a in self.agencies if a.is_active_on(day)))

    def agency_on(self, code: str, day: date) -> Agency | None:
        return next((a for a in self.versions(code) if a.is_active_on(day)), None)

    def versions(self, code: str) -> tuple[Agency, ...]:
        """Every version of an agency code, oldest first."""
        return self._versions.get(code, ())

    def latest(self, code: str) -> Agency | None:
        versions = self.versions(code)
        return versions[-1] if versions else None

    def period_on(self, day: date) -> Period | None:
        return next((p for p in self.periods if p.includes(day)), None)

    @cached_property
    def _versions(self) -> dict[str, tuple[Agency, ...]]:
        out: dict[str, list[Agency]] = {}
        for agency in sorted(self.agencies, key=lambda a: a.effective_from):
            out.setdefault(agency.code, []).append(agency)
        return {code: tuple(versions) for code, versions in out.items()}


def build_structure(
    units: AdminUnits,
    agencies_2023: Path | str | None = None,
    agencies_2025: Path | str | None = None,
) -> Structure:
    """Compose the dated structure from the two agencies files and the package's units."""
    source = Path(agencies_2025) if agencies_2025 is not None else DEFAULT_AGENCIES_2025
    try:
        old = load_agencies(agencies_2023)
        data = read_yaml(source)
        merged = parse_agencies(data, source=str(source))
    except (AgencyDataError, OSError, yaml.YAMLError) as exc:
        raise StructureDataError(str(exc)) from exc
    assert isinstance(data, dict)  # parse_agencies checked it
    try:
        template = CommuneTemplate.model_validate(data.get("communes"))
    except ValidationError as exc:
        raise StructureDataError(f"{source}: communes: {first_error(exc)}") from exc
    if template.province_code != PROVINCE_CODE:
        raise StructureDataError(f"{source}: communes.province_code is not the package's")

    starts = {a.effective_from for a in merged.agencies}
    if len(starts) != 1:
        raise StructureDataError(f"{source}: the merged departments start on several days")
    merged_from = starts.pop()
    communes_from = template.effective_from
    ends = _ends_2023(data.get("ends_2023"), source)
    expected = {
        "province": merged_from - timedelta(days=1),
        "central": merged_from - timedelta(days=1),
        "district": communes_from - timedelta(days=1),
    }
    if ends != expected:
        raise StructureDataError(f"{source}: ends_2023 must be {expected}, not {ends}")

    clipped = tuple(_clip(agency, ends.get(agency.level)) for agency in old.agencies)
    made = {c.code: template.agency(c) for c in units.communes}
    commune_agencies = {made[c.code].code: c for c in units.communes}
    agencies = (*clipped, *merged.agencies, *made.values())
    start = min(a.effective_from for a in old.agencies)
    periods = (
        Period("2023", start, merged_from - timedelta(days=1), "Cơ cấu tổ chức năm 2023"),
        Period(
            "2025-03",
            merged_from,
            communes_from - timedelta(days=1),
            "Các sở sau hợp nhất, còn cấp huyện",
        ),
        Period("2025-07", communes_from, None, "Tỉnh Gia Lai mới, chính quyền địa phương hai cấp"),
    )
    district_agencies = _district_agencies(old, units)
    covering: dict[str, set[str]] = {}
    for commune in units.old_communes:
        agency_code = district_agencies.get(commune.district.code)
        if agency_code is not None:
            covering.setdefault(agency_code, set()).update(made[c].code for c in commune.successors)
    structure = Structure(
        agencies=agencies,
        periods=periods,
        communes=commune_agencies,
        district_agencies=district_agencies,
        district_successors={code: tuple(sorted(c)) for code, c in covering.items()},
        data={k: v for k, v in data.items() if k not in {"agencies", "communes", "ends_2023"}},
    )
    for period in periods:  # codes must be unique on every day, which the registry checks
        for day in (period.effective_from, period.effective_to):
            if day is not None:
                try:
                    structure.active_on(day)
                except ValidationError as exc:
                    raise StructureDataError(f"{period.id}: {first_error(exc)}") from exc
    return structure


def _ends_2023(value: object, source: Path) -> dict[Level, date]:
    if not isinstance(value, dict) or not all(isinstance(v, date) for v in value.values()):
        raise StructureDataError(f"{source}: ends_2023 must map levels to dates")
    return dict(value)


def _clip(agency: Agency, end: date | None) -> Agency:
    if end is None or (agency.effective_to is not None and agency.effective_to <= end):
        return agency
    return agency.model_copy(update={"effective_to": end})


def _district_agencies(old: AgencyRegistry, units: AdminUnits) -> dict[str, str]:
    """The 2023 district agencies and the package's former districts, matched by name."""
    by_name = {fold(d.full_name): d.code for d in units.old_districts if d.province == "Gia Lai"}
    out: dict[str, str] = {}
    for agency in old.agencies:
        if agency.level != "district":
            continue
        code = by_name.get(fold(agency.name_vi.removeprefix("UBND ")))
        if code is None:
            raise StructureDataError(f"agency {agency.code}: no former district named so")
        out[code] = agency.code
    return out
