"""Which agencies the console offers, on the structure in force on a case's date (issue 9).

The triage ("Giao hồ sơ") and transfer lists offer only the agencies in force on the day
the case was received (services.router.structure: the 2023 agencies until 28 Feb 2025, the
merged departments and districts until 30 Jun 2025, the merged departments and the 135
communes since), grouped by level, and narrowed without JavaScript by a search typed with
or without diacritics (`?tim=quy nhon` keeps "Quy Nhơn", "Quy Nhơn Bắc", …). Pure: the
structure is read once per process.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from services.kit.text import fold
from services.router.domain.agencies import Agency
from services.router.domain.calendar import local_date
from services.router.structure import agencies_on, structure, successor

# The groups of the lists, in this order (a level with no agency that day is left out).
GROUPS: tuple[tuple[str, str], ...] = (
    ("province", "Sở, ban, ngành và cơ quan cấp tỉnh"),
    ("commune", "UBND xã, phường"),
    ("district", "UBND huyện, thị xã, thành phố"),
    ("central", "Trung ương"),
)
FORMER_MARK = " (cũ)"
SEARCH_MAX = 100


@dataclass(frozen=True)
class AgencyGroup:
    label: str
    choices: tuple[tuple[str, str], ...]  # (code, name), by name diacritics aside


def case_day(received_at: datetime) -> date:
    """The day (in Vietnam) whose structure a case lives under."""
    return local_date(received_at)


def clean_search(raw: str | None) -> str:
    return " ".join((raw or "").split())[:SEARCH_MAX]


def matches(agency: Agency, search: str) -> bool:
    """Every word of `search` (folded) is in the agency's folded name or code."""
    words = fold(search).split()
    haystack = f"{fold(agency.name_vi)} {agency.code.lower()}"
    return all(word in haystack for word in words)


def _order(agency: Agency) -> tuple[str, str]:
    return (fold(agency.name_vi), agency.code)


def agency_groups(
    day: date, search: str = "", *, exclude: Collection[str] = ()
) -> list[AgencyGroup]:
    """The agencies in force on `day` matching `search`, grouped by level."""
    chosen = [
        a
        for a in agencies_on(day).agencies
        if a.code not in exclude and (not search or matches(a, search))
    ]
    groups = []
    for level, label in GROUPS:
        rows = sorted((a for a in chosen if a.level == level), key=_order)
        if rows:
            groups.append(AgencyGroup(label, tuple((a.code, a.name_vi) for a in rows)))
    return groups


def count(groups: list[AgencyGroup]) -> int:
    return sum(len(g.choices) for g in groups)


def all_choices(today: date) -> list[tuple[str, str]]:
    """For the queue's filter: today's agencies by group, then every former one marked
    "(cũ)" (their cases may still be open or looked up)."""
    current = [c for g in agency_groups(today) for c in g.choices]
    in_force = {code for code, _ in current}
    former: dict[str, str] = {}
    for agency in structure().agencies:
        if agency.code not in in_force and agency.code not in former:
            latest = structure().latest(agency.code) or agency
            former[agency.code] = latest.name_vi + FORMER_MARK
    return current + sorted(former.items(), key=lambda row: (fold(row[1]), row[0]))


def name_of(code: str) -> str | None:
    """The last name of an agency code of any structure (None: never an agency)."""
    agency = structure().latest(code)
    return agency.name_vi if agency else None


def not_in_force(code: str, received_at: datetime) -> str | None:
    """Why `code` cannot take a case received at `received_at` (Vietnamese), or None."""
    day = case_day(received_at)
    if agencies_on(day).get(code) is not None:
        return None
    shown = day.strftime("%d/%m/%Y")
    versions = structure().versions(code)
    if not versions:
        return f"Không có cơ quan mã {code} trong danh mục cơ quan của tỉnh."
    name = versions[-1].name_vi
    if versions[0].effective_from > day:
        start = versions[0].effective_from.strftime("%d/%m/%Y")
        return (
            f"{name} ({code}) chỉ hoạt động từ ngày {start}, sau ngày tiếp nhận hồ sơ "
            f"({shown}): hãy chọn cơ quan có trong danh sách."
        )
    message = (
        f"{name} ({code}) không còn hoạt động vào ngày tiếp nhận hồ sơ ({shown}): hãy chọn "
        "cơ quan có trong danh sách."
    )
    now = successor(code, day)
    after = agencies_on(day).get(now) if now else None
    if after is not None:
        message += f" Công việc của cơ quan này do {after.name_vi} ({after.code}) đảm nhận."
    return message
