"""Detectors for addresses below commune level: house numbers with streets and hamlets.

Communes, districts and the province stay public ("xã Ia Le", "huyện Chư Pưh"): they
tell readers where a problem is without pointing at a household.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.kit.text import fold
from services.text.redaction.base import (
    Kind,
    Lexicon,
    Span,
    TextView,
    alternation,
    keyword_ok,
)
from services.text.redaction.lexicon import (
    COUNT_BEFORE,
    LEADER_BEFORE,
    NOT_PLACE,
    RESIDENCE_BEFORE,
    STREET_STARTS,
    SURNAMES,
)
from services.text.redaction.names import word_run

_NAMED_UNITS = ["thôn", "xóm", "làng", "buôn", "plei", "ấp", "khóm", "tổ dân phố", "tdp",
                "khu phố", "khối phố", "tiểu khu", "tổ"]  # fmt: skip
_NUMBERED_UNITS = ["khối", "hẻm", "kiệt", "ngõ", "ngách"]
_UNIT_WORDS = Lexicon.of(_NAMED_UNITS + _NUMBERED_UNITS + ["bản", "số"])
# Named only with a number: "tổ 5" is a residential group, "tổ Kinh tế" a team.
_NUMBER_ONLY = frozenset({"to", "khoi", "hem", "kiet", "ngo", "ngach"})
_NUMBER = r"\d{1,4}[a-z]?(?:/\d{1,4}[a-z]?){0,3}(?![\w/])|[ivx]{1,4}(?!\w)"
_UNIT = re.compile(rf"(?P<k>{alternation(_NAMED_UNITS + _NUMBERED_UNITS)})\s+(?P<n>{_NUMBER})?")
# "bản" is a village only in text with diacritics: folded, it is also "ban" (board).
_VILLAGE = re.compile(r"(?<![^\W\d_])bản\s+(?=[^\W\d_])")
_TRAILING_NUMBER = re.compile(r"[ \u00a0](?:\d{1,3}[A-Za-z]?|[IVX]{1,4})(?![\w/.,]\w|\w)")
_NOT_HAMLET = frozenset(
    fold(p) for p in ["buôn ma thuột", "buôn hồ", "buôn đôn", "plei kần", "ban mê thuột"]
)

_HOUSE = r"\d{1,4}[a-z]?(?:/\d{1,4}[a-z]?){0,3}(?![\w/]|[.,-]\d)"
_HOUSE_WITH_WORD = re.compile(
    rf"(?P<k>{alternation(['số nhà', 'nhà số', 'số'])})\s+(?P<n>{_HOUSE})"
    r"(?:(?:\s*,)?\s+(?:(?:duong|pho)\s+)?(?=[^\W\d_]))?"
)
# `(?:\s*,)?\s+`, not `\s*,?\s+`: two adjacent runs of spaces are tried at every split of
# a long run of spaces, quadratic. Both forms read the same texts.
_UNIT_AFTER = re.compile(
    rf"(?:\s*,)?\s+{alternation([*_NUMBERED_UNITS, 'tổ', 'thôn', 'tổ dân phố'])}"
)
# "đường Hùng Vương số 12": the street first, then the number (`\s*(?:,\s*)?`: as above).
_STREET_THEN_HOUSE = re.compile(
    rf"(?<![^\W\d_])(?:duong|pho)\s+(?P<s>[^\W\d_]+(?:\s+[^\W\d_]+){{0,4}}?)\s*(?:,\s*)?so\s+{_HOUSE}"
)
_HOUSE_ON_STREET = re.compile(rf"(?<![\w/.,-]){_HOUSE}\s+(?:duong|pho)\s+(?=[^\W\d_])")
_HOUSE_BARE = re.compile(rf"(?<![\w/.,-])(?P<n>{_HOUSE})\s+(?=[^\W\d_])")

_ADMIN_WORDS = alternation(
    ["xã", "phường", "thị trấn", "huyện", "thị xã", "thành phố", "tp", "tỉnh", "quận"]
)
_ADMIN = re.compile(rf"^{_ADMIN_WORDS}")
# Parts of an address: comma-separated, or starting at an administrative level.
_PARTS = re.compile(rf",|\s(?={_ADMIN_WORDS})")
_SUB_COMMUNE = re.compile(
    rf"\d|^{alternation(_NAMED_UNITS + _NUMBERED_UNITS + ['số', 'đường', 'phố', 'lô', 'khu', 'bản'])}"
)


def _previous_word(view: TextView, offset: int) -> str:
    words = view.lower[max(0, offset - 40) : offset].split()
    return words[-1] if words else ""


def _unit_spans(view: TextView) -> Iterator[Span]:
    for m in _UNIT.finditer(view.folded):
        key = re.sub(r"\s+", " ", m["k"])
        if not keyword_ok(view, m.start("k"), m.end("k"), _UNIT_WORDS):
            continue
        if LEADER_BEFORE.has(view, _previous_word(view, m.start())):
            continue  # "trưởng thôn Nguyễn Văn A" is a person, found by the name rules
        if m["n"]:
            if m["n"].isalpha() and not view.text[m.start("n") : m.end("n")].isupper():
                continue
            end = _street_after(view, m.end("n"), key in _NUMBER_ONLY)
            yield Span(m.start(), end, Kind.ADDRESS)
        elif key not in _NUMBER_ONLY and (found := _named(view, m.start(), m.end())):
            yield found
    if not view.plain:
        for m in _VILLAGE.finditer(view.lower):
            if found := _named(view, m.start(), m.end()):
                yield found


def _named(view: TextView, start: int, name_at: int) -> Span | None:
    index = view.token_at.get(name_at)
    if index is None:
        return None
    end = word_run(view, index, limit=4, stop=NOT_PLACE)
    if end == index:
        return None
    stop = view.tokens[end - 1].end
    if view.folded[start:stop] in _NOT_HAMLET:
        return None
    if number := _TRAILING_NUMBER.match(view.text, stop):  # "làng Kon Lốc 2"
        stop = number.end()
    return Span(start, stop, Kind.ADDRESS)


def _street_after(view: TextView, offset: int, numbered: bool) -> int:
    """Extend "hẻm 12/3" with the street that follows it ("hẻm 12/3 Lê Lợi")."""
    gap = view.text[offset : offset + 1]
    index = view.token_at.get(offset + 1)
    if not numbered or gap != " " or index is None:
        return offset
    end = word_run(view, index, limit=4, stop=NOT_PLACE)
    return view.tokens[end - 1].end if end - index >= 2 else offset


def _house_spans(view: TextView) -> Iterator[Span]:
    for m in _HOUSE_WITH_WORD.finditer(view.folded):
        if view.plain or "số" in view.lower[m.start() : m.end()]:
            yield from _street(view, m.start(), m.end(), minimum=1)
            # "số nhà 12" is an address even before its street, "số 12/4 hẻm 45" too.
            if " " in m["k"] or _UNIT_AFTER.match(view.folded, m.end("n")):
                yield Span(m.start(), m.end("n"), Kind.ADDRESS)
    for m in _STREET_THEN_HOUSE.finditer(view.folded):
        if all(w[0].isupper() for w in view.text[m.start("s") : m.end("s")].split()):
            yield Span(m.start(), m.end(), Kind.ADDRESS)
    for m in _HOUSE_ON_STREET.finditer(view.folded):
        yield from _street(view, m.start(), m.end(), minimum=1)
    for m in _HOUSE_BARE.finditer(view.folded):
        before = _previous_word(view, m.start())
        if RESIDENCE_BEFORE.has(view, before.rstrip(":")):
            yield from _street(view, m.start(), m.end(), minimum=1)
        elif _plausible_house(view, m["n"], before):
            yield from _street(view, m.start(), m.end(), minimum=2, known_start=True)


def _plausible_house(view: TextView, number: str, before: str) -> bool:
    """A bare number is a house only when it cannot be a year, a date or a count."""
    if number.isdigit() and len(number) == 4 and 1900 <= int(number) <= 2099:
        return False
    return not COUNT_BEFORE.has(view, before)


def _street(
    view: TextView, start: int, name_at: int, *, minimum: int, known_start: bool = False
) -> Iterator[Span]:
    index = view.token_at.get(name_at)
    if index is None:
        return
    end = word_run(view, index, limit=5, stop=NOT_PLACE)
    if end - index < minimum:
        return
    first = view.tokens[index].text
    if known_start and not (SURNAMES.has(view, first) or STREET_STARTS.has(view, first)):
        return
    yield Span(start, view.tokens[end - 1].end, Kind.ADDRESS)


def address_spans(view: TextView) -> list[Span]:
    return [*_unit_spans(view), *_house_spans(view)]


def known_address_spans(view: TextView, address: str) -> list[Span]:
    """The submitter's own address, part by part, below commune level only."""
    spans: list[Span] = []
    for key in (p.strip() for p in _PARTS.split(fold(address))):
        if len(key) < 3 or _ADMIN.search(key) or not _SUB_COMMUNE.search(key):
            continue
        if key.split()[0] not in view.folded:  # every match holds the first word
            continue
        body = r"\s+".join(re.escape(w) for w in key.split())
        pattern = re.compile(rf"(?<![\w/]){body}(?![\w/])")
        spans += [Span(m.start(), m.end(), Kind.ADDRESS) for m in pattern.finditer(view.folded)]
    return spans
