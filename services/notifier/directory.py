"""Agency names for the codes some events carry alone (transfers, reminders, escalations).

The names come from the router's agencies file, read once at start-up; an event's own
`agency_name` always wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.kit.text import fold
from services.router.domain.agencies import AgencyRegistry, load_agencies

TRIAGE = "TRIAGE"
OFFICE = "VPUB"
_TRIAGE_NAME = "Văn phòng UBND tỉnh Gia Lai (bộ phận phân loại)"


@dataclass(frozen=True)
class Directory:
    registry: AgencyRegistry

    def name(self, code: str | None) -> str:
        if not code:
            return ""
        if code == TRIAGE:
            return _TRIAGE_NAME
        agency = self.registry.get(code)
        return agency.name_vi if agency else code

    def email(self, code: str) -> str | None:
        agency = self.registry.get(code)
        return agency.email if agency else None

    def fields(self) -> dict[str, tuple[str, ...]]:
        """Each Vietnamese field (lĩnh vực) with the codes of the agencies that have it,
        in alphabetical order (diacritics aside): a case's fields are its agency's."""
        found: dict[str, list[str]] = {}
        for agency in self.registry.agencies:
            for label in dict.fromkeys(agency.fields_vi):
                found.setdefault(label, []).append(agency.code)
        return {label: tuple(found[label]) for label in sorted(found, key=lambda f: (fold(f), f))}


def load_directory(path: Path | None = None) -> Directory:
    return Directory(load_agencies(path))
