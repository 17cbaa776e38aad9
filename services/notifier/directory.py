"""Agency names for the codes some events carry alone (transfers, reminders, escalations).

The names come from the router's agencies file, read once at start-up; an event's own
`agency_name` always wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def load_directory(path: Path | None = None) -> Directory:
    return Directory(load_agencies(path))
