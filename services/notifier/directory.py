"""Agency names for the codes some events carry alone (transfers, reminders, escalations),
and how old and new agencies are grouped on the public pages (issue 9).

The names come from the router's agencies file, read once at start-up, then from the dated
structure (services.router.structure) for the agencies since 2025; an event's own
`agency_name` always wins. A filter by today's agency includes its predecessors' cases
(`lineage`), statistics fold a former agency into the one doing its work today
(`current_agency`), and a former agency's name is shown with "(cũ)" (`shown_name`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from services.kit.columns import utc_now
from services.kit.text import fold
from services.notifier.labels import local_day
from services.router.domain.agencies import AgencyRegistry, load_agencies
from services.router.structure import agencies_on, structure, successor

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
        agency = self.registry.get(code) or structure().latest(code)
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


# --- Today's agencies and their predecessors (issue 9). The one place the notifier asks the
# router's dated structure; issue 11 moves it behind a contract.

FORMER_MARK = " (cũ)"


def today_local() -> date:
    """Today in Vietnam: which structure the public pages speak of."""
    return local_day(utc_now())


@lru_cache(maxsize=1024)
def lineage(code: str, today: date) -> tuple[str, ...]:
    """`code` and every former agency whose cases a filter by `code` includes: the
    predecessors of its versions (agencies-2025.yaml's `predecessors`), transitively, that
    are no longer agencies on `today` (Sở Dân tộc và Tôn giáo took a share of Sở Nội vụ's
    work, but Sở Nội vụ's own cases stay Sở Nội vụ's). A district's area was shared among
    many communes (no clean rule), so a commune's lineage is itself; a former code's is
    itself, which keeps filters by old codes working for old cases."""
    found, todo = [code], [code]
    while todo:
        current = todo.pop()
        for version in structure().versions(current):
            for old in version.predecessors:
                if old not in found and structure().agency_on(old, today) is None:
                    found.append(old)
                    todo.append(old)
    return tuple(found)


def is_former(code: str | None, today: date) -> bool:
    """An agency of the structure that no longer exists on `today` (TRIAGE never is)."""
    if not code or code == TRIAGE or not structure().versions(code):
        return False
    return structure().agency_on(code, today) is None


def current_agency(code: str, today: date, text: str = "") -> str | None:
    """Who does a former agency's work on `today` (a split one's share chosen by `text`);
    the code itself while in force; None for a district (its communes share the area)."""
    if not is_former(code, today):
        return code
    return successor(code, today, text)


def name_on(code: str, today: date) -> str:
    """The name of the version of `code` in force on `today`, else its last name."""
    agency = structure().agency_on(code, today) or structure().latest(code)
    return agency.name_vi if agency else code


def shown_name(code: str | None, name: str | None, today: date) -> str:
    """The name shown for a case's agency: marked "(cũ)" when it no longer exists."""
    label = name or (name_on(code, today) if code else "")
    if is_former(code, today) and not label.endswith(FORMER_MARK):
        return label + FORMER_MARK
    return label


def filter_choices(
    in_use: list[tuple[str, str]], today: date
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The agency filter's options, grouped: today's agencies whose lineage holds cases (a
    choice includes its predecessors' cases), then the former agencies that hold cases."""
    used = {code for code, _ in in_use}
    names = dict(in_use)
    current = [
        (a.code, a.name_vi)
        for a in agencies_on(today).agencies
        if used.intersection(lineage(a.code, today))
    ]
    current += [(code, names[code]) for code in used if not structure().versions(code)]
    former = [
        (code, shown_name(code, names[code], today)) for code in used if is_former(code, today)
    ]
    groups = [
        ("Cơ quan hiện nay (gồm cả hồ sơ của cơ quan tiền nhiệm)", _by_name(current)),
        ("Cơ quan trước khi sắp xếp (cũ)", _by_name(former)),
    ]
    return [(label, rows) for label, rows in groups if rows]


def _by_name(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(dict(rows).items(), key=lambda row: (fold(row[1]), row[0]))
