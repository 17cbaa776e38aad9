"""Agency names for the codes some events carry alone (transfers, reminders, escalations),
and how old and new agencies are grouped on the public pages (issue 9).

Everything comes from the router's `DirectoryPublished` (issue 11), stored in the
notifier's `notifier_reference_data` and rebuilt here when its version changes
(`services.notifier.reference`); an event's own `agency_name` always wins. A filter by
today's agency includes its predecessors' cases (`lineage`), statistics fold a former
agency into the one doing its work today (`current_agency`), and a former agency's name is
shown with "(cũ)" (`shown_name`).

Before the first directory arrives, the directory is empty: names and e-mails are the
ones the case events carry, codes otherwise; filters take each code alone; no agency is
"former" (docs/decisions/0008-reference-data-in-events.md).

The module functions (`lineage`, `shown_name`, …) ask the directory in use for the work at
hand (`using`, `use`): the notifier sets it for each request and each case event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date

from schemas.events import AgencySuccession, AgencyVersion, DirectoryPublished
from schemas.vocabulary import TRIAGE
from services.kit.columns import utc_now
from services.kit.text import fold
from services.notifier.labels import local_day
from services.text.words import PhraseIndex, folded_words, most_found, without_spans

_TRIAGE_NAME = "Văn phòng UBND tỉnh Gia Lai (bộ phận phân loại)"
FORMER_MARK = " (cũ)"


class Directory:
    """The router's agencies as last published: pure lookups, built once per version."""

    def __init__(self, published: DirectoryPublished | None = None) -> None:
        self.version = published.version if published else ""
        self._registry: dict[str, AgencyVersion] = {}
        self._versions: dict[str, list[AgencyVersion]] = {}
        self._successions: dict[str, AgencySuccession] = {}
        self._share_words: dict[str, PhraseIndex[str]] = {}
        self._names: PhraseIndex[bool] = PhraseIndex({})
        self._lineage: dict[tuple[str, date], tuple[str, ...]] = {}
        if published is None:
            return
        self._registry = {a.code: a for a in published.registry}
        for agency in sorted(published.versions, key=_start):
            self._versions.setdefault(agency.code, []).append(agency)
        self._successions = {s.former: s for s in published.successions}
        self._share_words = {
            s.former: PhraseIndex({words: share.to for share in s.shares for words in share.words})
            for s in published.successions
            if s.shares
        }
        self._names = PhraseIndex({words: True for words in published.department_names if words})

    @classmethod
    def from_json(cls, payload: str) -> Directory:
        return cls(DirectoryPublished.model_validate_json(payload))

    @property
    def empty(self) -> bool:
        return not self._registry and not self._versions

    # --- names, e-mails, fields -------------------------------------------------------

    def name(self, code: str | None) -> str:
        if not code:
            return ""
        if code == TRIAGE:
            return _TRIAGE_NAME
        agency = self._registry.get(code) or self.latest(code)
        return agency.name_vi if agency else code

    def email(self, code: str) -> str | None:
        agency = self._registry.get(code)
        return agency.email if agency else None

    def fields(self) -> dict[str, tuple[str, ...]]:
        """Each Vietnamese field (lĩnh vực) with the codes of the agencies that have it,
        in alphabetical order (diacritics aside): a case's fields are its agency's."""
        found: dict[str, list[str]] = {}
        for agency in self._registry.values():
            for label in dict.fromkeys(agency.fields_vi):
                found.setdefault(label, []).append(agency.code)
        return {label: tuple(found[label]) for label in sorted(found, key=lambda f: (fold(f), f))}

    # --- the dated structure ----------------------------------------------------------

    def versions(self, code: str) -> Sequence[AgencyVersion]:
        """Every version of an agency code, oldest first."""
        return self._versions.get(code, ())

    def latest(self, code: str) -> AgencyVersion | None:
        versions = self.versions(code)
        return versions[-1] if versions else None

    def agency_on(self, code: str, day: date) -> AgencyVersion | None:
        """The version of `code` in force on `day` (None: not an agency that day)."""
        return next((a for a in self.versions(code) if _in_force(a, day)), None)

    def agencies_on(self, day: date) -> list[AgencyVersion]:
        return [a for versions in self._versions.values() for a in versions if _in_force(a, day)]

    def lineage(self, code: str, today: date) -> tuple[str, ...]:
        """`code` and every former agency whose cases a filter by `code` includes: the
        predecessors of its versions, transitively, that are no longer agencies on `today`
        (Sở Dân tộc và Tôn giáo took a share of Sở Nội vụ's work, but Sở Nội vụ's own cases
        stay Sở Nội vụ's). A district's area was shared among many communes (no clean
        rule), so a commune's lineage is itself; a former code's is itself, which keeps
        filters by old codes working for old cases."""
        key = (code, today)
        if key not in self._lineage:
            found, todo = [code], [code]
            while todo:
                current = todo.pop()
                for version in self.versions(current):
                    for old in version.predecessors:
                        if old not in found and self.agency_on(old, today) is None:
                            found.append(old)
                            todo.append(old)
            self._lineage[key] = tuple(found)
        return self._lineage[key]

    def is_former(self, code: str | None, today: date) -> bool:
        """An agency of the structure that no longer exists on `today` (TRIAGE never is)."""
        if not code or code == TRIAGE or not self.versions(code):
            return False
        return self.agency_on(code, today) is None

    def successor(self, code: str, day: date, text: str = "") -> str | None:
        """The agency in force on `day` doing `code`'s work (a split one's share chosen by
        the field words of `text`, else its main successor), as the router decides it;
        None for a district after 30 Jun 2025 and for codes that never were an agency's."""
        words = self._field_words(text)
        current, seen = code, {code}
        while True:
            succession = self._successions.get(current)
            if succession is None or succession.effective_from > day:
                break
            chosen = self._choose(succession, words)
            if chosen is None:
                return None
            if chosen in seen or self.agency_on(chosen, day) is not None:
                current = chosen
                break
            seen.add(chosen)
            current = chosen  # itself ended since: follow its own succession
        return current if self.agency_on(current, day) is not None else None

    def current_agency(self, code: str, today: date, text: str = "") -> str | None:
        """Who does a former agency's work on `today` (a split one's share chosen by `text`);
        the code itself while in force; None for a district (its communes share the area)."""
        if not self.is_former(code, today):
            return code
        return self.successor(code, today, text)

    def name_on(self, code: str, today: date) -> str:
        """The name of the version of `code` in force on `today`, else its last name."""
        agency = self.agency_on(code, today) or self.latest(code)
        return agency.name_vi if agency else code

    def shown_name(self, code: str | None, name: str | None, today: date) -> str:
        """The name shown for a case's agency: marked "(cũ)" when it no longer exists."""
        label = name or (self.name_on(code, today) if code else "")
        if self.is_former(code, today) and not label.endswith(FORMER_MARK):
            return label + FORMER_MARK
        return label

    def filter_choices(
        self, in_use: list[tuple[str, str]], today: date
    ) -> list[tuple[str, list[tuple[str, str]]]]:
        """The agency filter's options, grouped: today's agencies whose lineage holds cases
        (a choice includes its predecessors' cases), then the former agencies that hold
        cases. Codes the directory does not know are listed with today's."""
        used = {code for code, _ in in_use}
        names = dict(in_use)
        current = [
            (a.code, a.name_vi)
            for a in self.agencies_on(today)
            if used.intersection(self.lineage(a.code, today))
        ]
        current += [(code, names[code]) for code in used if not self.versions(code)]
        former = [
            (code, self.shown_name(code, names[code], today))
            for code in used
            if self.is_former(code, today)
        ]
        groups = [
            ("Cơ quan hiện nay (gồm cả hồ sơ của cơ quan tiền nhiệm)", _by_name(current)),
            ("Cơ quan trước khi sắp xếp (cũ)", _by_name(former)),
        ]
        return [(label, rows) for label, rows in groups if rows]

    # --- a split department's share, by the words of a text ----------------------------

    def _field_words(self, text: str) -> list[str]:
        """The folded words of a text, departments' names cut out."""
        words = [w for w in folded_words(text) if w not in _IGNORED]
        return without_spans(words, [(start, end) for start, end, _ in self._names.find(words)])

    def _choose(self, succession: AgencySuccession, words: Sequence[str]) -> str | None:
        index = self._share_words.get(succession.former)
        chosen = most_found(index, words) if index is not None else None
        return chosen or succession.main


EMPTY = Directory()


def _start(agency: AgencyVersion) -> date:
    return agency.effective_from or date.min


def _in_force(agency: AgencyVersion, day: date) -> bool:
    start, end = agency.effective_from, agency.effective_to
    return (start is None or start <= day) and (end is None or day <= end)


def _by_name(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(dict(rows).items(), key=lambda row: (fold(row[1]), row[0]))


_IGNORED = frozenset({"va"})  # "và": optional in names as people write them


# --- the directory in use -----------------------------------------------------------------

_IN_USE: ContextVar[Directory] = ContextVar("notifier_directory", default=EMPTY)


def in_use() -> Directory:
    """The directory of the request or case event at hand (empty outside one)."""
    return _IN_USE.get()


def use(directory: Directory) -> Token[Directory]:
    return _IN_USE.set(directory)


@contextmanager
def using(directory: Directory) -> Iterator[Directory]:
    token = _IN_USE.set(directory)
    try:
        yield directory
    finally:
        _IN_USE.reset(token)


def today_local() -> date:
    """Today in Vietnam: which structure the public pages speak of."""
    return local_day(utc_now())


def lineage(code: str, today: date) -> tuple[str, ...]:
    return in_use().lineage(code, today)


def is_former(code: str | None, today: date) -> bool:
    return in_use().is_former(code, today)


def current_agency(code: str, today: date, text: str = "") -> str | None:
    return in_use().current_agency(code, today, text)


def name_on(code: str, today: date) -> str:
    return in_use().name_on(code, today)


def shown_name(code: str | None, name: str | None, today: date) -> str:
    return in_use().shown_name(code, name, today)


def filter_choices(
    in_use_codes: list[tuple[str, str]], today: date
) -> list[tuple[str, list[tuple[str, str]]]]:
    return in_use().filter_choices(in_use_codes, today)
