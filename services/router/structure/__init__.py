"""Gia Lai's structure over time (issue 9): dated agencies, successions, the gazetteer.

Three structures follow each other (domain.md §8): the 2023 agencies until 28 Feb 2025;
the merged departments with the 17 district People's Committees from 1 Mar 2025; the
merged departments with the 135 commune People's Committees from 1 Jul 2025. The communes
come from the vietnam-provinces package, the former units and what covers them today from
vietnamadminunits' data (see ``units``), the departments from ``data/agencies-2025.yaml``
and what the packages lack from ``data/gazetteer-2025.yaml``. Everything is pure: it reads
only those packaged files, once per process (the functions below share cached instances),
and a lookup takes microseconds.

- ``agencies_on(day)``: the agencies in force on a day (an ``AgencyRegistry``).
- ``agency_on(code, day)``, ``period_on(day)``, ``structure()``: one agency, one period,
  every dated version.
- ``communes()``, ``commune(code)``: today's commune-level units (code with or without X).
- ``successor(code, day, text)``, ``successors(code, day)``, ``succession(code)``: who took
  over a former agency's work (by the text's field words when it was split).
- ``find_departments(text, day)``: departments named in a text, old names included, with
  their successor on that day.
- ``find_places(text)``, ``resolve_place(text)``: places named in a text, old or new, and
  the commune(s) covering them today, with a Vietnamese reason.
- ``district_agency(district)``: the 2023 agency code of a former district of Gia Lai.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

from services.router.domain.agencies import Agency, AgencyRegistry
from services.router.structure.agencies import (
    Period,
    Structure,
    StructureDataError,
    build_structure,
)
from services.router.structure.departments import DepartmentRef, Departments, Share, Succession
from services.router.structure.gazetteer import Gazetteer, PlaceMatch
from services.router.structure.units import (
    AdminUnits,
    Commune,
    OldCommune,
    OldDistrict,
    UnitsDataError,
    load_units,
)

__all__ = [
    "AdminUnits",
    "Commune",
    "DepartmentRef",
    "Departments",
    "Gazetteer",
    "OldCommune",
    "OldDistrict",
    "Period",
    "PlaceMatch",
    "Share",
    "Structure",
    "StructureDataError",
    "Succession",
    "UnitsDataError",
    "agencies_on",
    "agency_on",
    "build_structure",
    "commune",
    "communes",
    "default_departments",
    "default_gazetteer",
    "district_agency",
    "find_departments",
    "find_places",
    "load_units",
    "period_on",
    "resolve_place",
    "structure",
    "succession",
    "successor",
    "successors",
]


@cache
def structure() -> Structure:
    """The packaged structure: agencies.yaml, agencies-2025.yaml and the package's communes."""
    return build_structure(load_units())


@cache
def default_departments() -> Departments:
    return Departments(structure())


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer(load_units())


def agencies_on(day: date) -> AgencyRegistry:
    """The agencies in force on `day` (the day an item was received)."""
    return _active_on(day)


@lru_cache(maxsize=4096)
def _active_on(day: date) -> AgencyRegistry:
    return structure().active_on(day)


def agency_on(code: str, day: date) -> Agency | None:
    """The version of agency `code` in force on `day` (None: not an agency that day)."""
    return structure().agency_on(code, day)


def period_on(day: date) -> Period | None:
    """Which of the three structures is in force on `day` (None before 2023)."""
    return structure().period_on(day)


def communes() -> tuple[Commune, ...]:
    """The commune-level units of today's Gia Lai, by code."""
    return load_units().communes


def commune(code: str) -> Commune | None:
    """A commune by its official code or agency code ("21553" or "X21553")."""
    return load_units().commune(code)


def successor(code: str, day: date, text: str = "") -> str | None:
    """The agency in force on `day` doing `code`'s work; a split one's share is chosen by the
    field words of `text` (else its main successor); None for a district after 30 Jun 2025
    (see `successors` and the gazetteer) and for codes that never were an agency's."""
    return default_departments().successor(code, day, text)


def successors(code: str, day: date) -> tuple[str, ...]:
    """Every agency in force on `day` that took part of `code`'s work (a district: its
    communes)."""
    return default_departments().successors(code, day)


def succession(code: str) -> Succession | None:
    """The data of what became of `code`'s work: date, main successor, field shares."""
    return default_departments().succession(code)


def find_departments(text: str, day: date) -> tuple[DepartmentRef, ...]:
    """Departments named in `text` (old and new names, abbreviations, with or without
    diacritics), each with the agency that does its work on `day`."""
    return default_departments().find(text, day)


def find_places(text: str | None) -> tuple[PlaceMatch, ...]:
    """Every place of the province named in `text`, old or new, with the communes covering
    it today."""
    return default_gazetteer().find(text)


def resolve_place(text: str | None) -> PlaceMatch | None:
    """The most precise place named in `text` (see `Gazetteer.resolve`)."""
    return default_gazetteer().resolve(text)


def district_agency(district: OldDistrict) -> str | None:
    """The 2023 agency (PLK, IGR, …) of a former district of Gia Lai; None for Bình Định's."""
    return structure().district_agencies.get(district.code)
