"""Routing under the structure in force on the day an item was received (domain.md §8).

The rules file describes what each *field* and each *kind of authority* is: which words
mean land, roads or civil status, that a behaviour goes to whoever acted, that a
regulation goes to its issuer. That knowledge outlived the 2025 reorganisation; the
agencies did not. So one rule engine serves the three structures:

- **until 28 Feb 2025** — the rules as written, with the 2023 agencies (version `2023.x`);
- **1 Mar – 30 Jun 2025** — the same decision, and a 2023 department the decision names is
  replaced by the merged department that took over its field (`Departments.successor`,
  by the item's words when the department was split); the districts still stand
  (version `2025.3`);
- **from 1 Jul 2025** — the rules read with today's place names (the former districts and
  communes of both former provinces and the 135 new communes); "the local authority where
  it happened" is the commune that covers that place today, found by the gazetteer (an old
  address is converted, and the reason says so); departments as above (version `2025.7`).

A decision keeps the engine's explanation and adds, in Vietnamese, what the structure
changed ("Sở Giao thông vận tải (cũ) → Sở Xây dựng"). When a former district alone is
named and several communes now cover it, the item goes to triage with the candidates.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.kit.text import fold
from services.router.domain.agencies import Agency, AgencyRegistry
from services.router.domain.classify import TRIAGE, RoutingDecision, RoutingInput, route
from services.router.domain.evidence import Place
from services.router.domain.matching import Match, PlaceConfidence, Scope, Texts
from services.router.domain.rules import RuleSet, parse_rules
from services.router.structure.agencies import Structure
from services.router.structure.departments import Departments
from services.router.structure.gazetteer import Gazetteer, PlaceMatch
from services.router.structure.units import AdminUnits

VERSION_MARCH_2025 = "2025.3"
VERSION_JULY_2025 = "2025.7"
_DAYS_KEPT = 1024
_WINDOW = 90  # characters after a local-authority marker where its place is read
_SENTENCE_END = re.compile(r" \. ")


@dataclass(frozen=True)
class DatedRouter:
    """Routes an item with the rules and agencies of the structure in force on its date."""

    structure: Structure
    departments: Departments
    gazetteer: Gazetteer
    rules_2023: RuleSet
    rules_march: RuleSet
    rules_today: RuleSet
    every_code: AgencyRegistry  # every code that ever was an agency, open-ended
    # The agencies in force by day, worked out once per day (the structure does not change).
    _agencies_by_day: dict[date, AgencyRegistry] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def route(
        self, item: RoutingInput, *, exclude: frozenset[str] = frozenset()
    ) -> RoutingDecision:
        day = item.received_on
        period = self.structure.period_on(day)
        in_force = self._agencies_by_day.get(day)
        if in_force is None:
            if len(self._agencies_by_day) >= _DAYS_KEPT:
                self._agencies_by_day.clear()
            in_force = self._agencies_by_day[day] = self.structure.active_on(day)
        if period is None or period.id == "2023":
            return route(item, rules=self.rules_2023, agencies=in_force, exclude=exclude)
        if period.id == "2025-03":
            rules, locate = self.rules_march, None
        else:
            rules = self.rules_today
            locate = _Locator(self.gazetteer, self.rules_today.scoring.place)
        decision = route(
            item,
            rules=rules,
            agencies=self.every_code,
            exclude=exclude,
            locate=locate,
            check_dates=False,
        )
        return self._in_force(decision, item, in_force, exclude)

    def _in_force(
        self,
        decision: RoutingDecision,
        item: RoutingInput,
        in_force: AgencyRegistry,
        exclude: frozenset[str],
    ) -> RoutingDecision:
        """The engine's choice as an agency in force that day, with why, or triage."""
        code = decision.suggested_agency
        if code is None:
            return decision
        reasons = list(decision.reasons)
        today = code if in_force.get(code) else None
        if today is None:
            today = self.departments.successor(code, item.received_on, _words(item))
            if today is not None and in_force.get(today):
                reasons.append(_renamed(self.structure, code, today, item.received_on))
            else:
                today = None
        triage = decision.agency == TRIAGE
        if today is None:
            reasons.append(f"triage: {code} không còn là cơ quan có thẩm quyền")
            triage = True
        elif today in exclude:
            reasons.append(f"triage: {today} đã từng giữ hồ sơ")
            triage = True
        return decision.model_copy(
            update={
                "agency": TRIAGE if triage else today,
                "suggested_agency": today,
                "reasons": tuple(reasons),
            }
        )


def build_router(
    rules_data: Mapping[str, Any],
    rules_2023: RuleSet,
    *,
    structure: Structure,
    units: AdminUnits,
    departments: Departments,
    gazetteer: Gazetteer,
) -> DatedRouter:
    """Derive the later structures' rule sets from the rules file's data."""
    march = rules_2023.model_copy(
        update={"version": VERSION_MARCH_2025, "effective_from": date(2025, 3, 1)}
    )
    today_data = _with_today_names(rules_data, structure, units)
    today = parse_rules(today_data, source="rules (today's places and departments)")
    today = today.model_copy(
        update={
            "version": VERSION_JULY_2025,
            "effective_from": date(2025, 7, 1),
            "effective_to": None,
        }
    )
    return DatedRouter(
        structure=structure,
        departments=departments,
        gazetteer=gazetteer,
        rules_2023=rules_2023,
        rules_march=march,
        rules_today=today,
        every_code=every_code(structure),
    )


def every_code(structure: Structure) -> AgencyRegistry:
    """The latest version of every agency code, open-ended: the engine may name any of them
    and the dated router then decides what stands in its place on the day."""
    return AgencyRegistry(
        agencies=tuple(
            a.model_copy(update={"effective_from": date.min, "effective_to": None})
            for a in latest_agencies(structure).agencies
        )
    )


def latest_agencies(structure: Structure) -> AgencyRegistry:
    """The latest version of every agency code, with its real dates (names, e-mails)."""
    latest: dict[str, Agency] = {}
    for agency in sorted(structure.agencies, key=lambda a: a.effective_from):
        latest[agency.code] = agency
    return AgencyRegistry(agencies=tuple(latest.values()))


@dataclass(frozen=True)
class _Locator:
    """Today's local authority: the commune covering the place named after a marker
    ("UBND xã …"), else in the text, else in the submitter's address."""

    gazetteer: Gazetteer
    confidence: PlaceConfidence

    def __call__(self, texts: Mapping[str, str], markers: Sequence[Match], scope: Scope) -> Place:
        address = self._find(texts, texts.get("address", ""))
        source = texts.get(scope, "")
        for marker in markers:
            window = _sentence(source, marker.start(), marker.end() + _WINDOW)
            place = self._place(texts, window, address, self.confidence.after_marker)
            if place is not None:
                return place
        for key, sure in (("text", self.confidence.in_text), ("address", None)):
            if key == "address":
                place = self._resolved(address, self.confidence.in_address)
            else:
                place = self._place(texts, texts.get(key, ""), address, sure or 0.0)
            if place is not None:
                return place
        named = [m for m in self._find(texts, texts.get("text", "")) if m.ambiguous]
        if named:
            return Place(None, 0.0, f"xã, phường: chưa xác định ({named[0].reason_vi})")
        return Place(None, 0.0, "xã, phường: không tìm thấy địa danh trong tỉnh")

    def _find(self, texts: Mapping[str, str], text: str) -> tuple[PlaceMatch, ...]:
        """The gazetteer's places in one of the item's texts, found once per item."""
        if not isinstance(texts, Texts):
            return self.gazetteer.find(text)
        key = ("places", id(self.gazetteer), text)
        found: tuple[PlaceMatch, ...] | None = texts.memo.get(key)
        if found is None:
            found = texts.memo[key] = self.gazetteer.find(text)
        return found

    def _place(
        self, texts: Mapping[str, str], text: str, address: Sequence[PlaceMatch], sure: float
    ) -> Place | None:
        matches = self._find(texts, text)
        place = self._resolved(matches, sure)
        if place is not None:
            return place
        # A former district alone, or a split commune: the submitter's address may settle it.
        for match in matches:
            shared = _codes(match.candidates) & _codes(c for m in address for c in m.candidates)
            if len(shared) == 1:
                code = shared.pop()
                note = f"{match.reason_vi}; theo địa chỉ người gửi: {code}"
                return Place(f"X{code}", sure * self.confidence.in_address, note)
        return None

    @staticmethod
    def _resolved(matches: Iterable[PlaceMatch], sure: float) -> Place | None:
        for match in matches:
            if match.commune is not None:
                return Place(match.commune.agency_code, sure, match.reason_vi)
        return None


def _codes(communes: Iterable[Any]) -> set[str]:
    return {c.code for c in communes}


def _sentence(text: str, start: int, end: int) -> str:
    """text[start:end], cut at the first sentence end after `start`."""
    stop = _SENTENCE_END.search(text, start + 1, end + 3)  # bounded: linear in markers
    return text[start : min(end, stop.start()) if stop else end]


def _words(item: RoutingInput) -> str:
    return " . ".join(part for part in (item.title, item.content, item.regulation) if part)


def _renamed(structure: Structure, old: str, new: str, day: date) -> str:
    before = structure.latest(old)
    after = structure.agency_on(new, day)
    old_name = before.name_vi if before else old
    new_name = after.name_vi if after else new
    return f"cơ quan: {old_name} (cũ) → {new_name} (sắp xếp tổ chức bộ máy)"


def _with_today_names(
    data: Mapping[str, Any], structure: Structure, units: AdminUnits
) -> dict[str, Any]:
    """The rules file's data with today's place names and department names added."""
    out = copy.deepcopy(dict(data))
    districts: list[dict[str, Any]] = out.get("districts") or []
    by_name = {_key(str(n)): entry for entry in districts for n in entry.get("names", [])}
    new_names = {c.code: c.name for c in units.communes}
    extra: dict[str, dict[str, Any]] = {}
    for old in units.old_communes:
        district = old.district
        entry = by_name.get(_key(district.name))
        if entry is None:
            entry = extra.setdefault(
                district.code,
                {"code": f"D{district.code}", "names": [district.name], "communes": []},
            )
        names = entry.setdefault("communes", [])
        for name in (old.name, *(new_names[c] for c in old.successors if c in new_names)):
            if name not in names:
                names.append(name)
    out["districts"] = [*districts, *extra.values()]
    _add_department_names(out, structure)
    return out


def _add_department_names(data: dict[str, Any], structure: Structure) -> None:
    """Today's department names, counted for the 2023 department whose work they took."""
    entries = {entry["code"]: entry for entry in data.get("departments") or []}
    other = structure.data.get("other_names") or {}
    mains: dict[str, str] = {}
    for succession in structure.data.get("successions") or []:
        mains.setdefault(str(succession["main"]), str(succession["from"]))
    for code, predecessor in mains.items():
        agency = structure.latest(code)
        if code in entries or predecessor not in entries or agency is None:
            continue
        names = entries[predecessor].setdefault("names", [])
        for name in (agency.name_vi, *other.get(code, [])):
            if name not in names:
                names.append(name)


def _key(name: str) -> str:
    return fold(name).replace(" ", "")
