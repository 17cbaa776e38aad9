"""Redaction of personal data before a question is published (Decree 13/2023/NĐ-CP).

The public copy replaces each personal datum with a readable placeholder by kind;
the findings are the redaction log. Findings carry offsets and the placeholder, never
the removed value: the original text stays private with the case.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import Literal

from services.kit.text import ANALYSED_CHARS, fold
from services.text.redaction.address import address_spans, known_address_spans
from services.text.redaction.base import (
    PLACEHOLDER,
    PRIORITY,
    Kind,
    Span,
    TextView,
    make_view,
)
from services.text.redaction.names import known_name_spans, name_spans
from services.text.redaction.patterns import pattern_spans

__all__ = [
    "Finding",
    "Kind",
    "KnownPersonalData",
    "PublicText",
    "Redaction",
    "leaked",
    "redact",
    "redact_case",
]

Field = Literal["text", "title", "content"]


@dataclass(frozen=True, slots=True)
class KnownPersonalData:
    """The case's own contact fields, redacted wherever they appear in its text.

    `organization` is set only when it identifies a person (an individual's household
    business or workplace); an organisation submitting in its own name is public.
    """

    name: str = ""
    organization: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def for_submitter(
        cls,
        *,
        submitter_type: str,
        name: str = "",
        organization: str = "",
        address: str = "",
        phone: str = "",
        email: str = "",
    ) -> KnownPersonalData:
        """Organisations' names and addresses are public; their contact lines are not."""
        if submitter_type == "organization":
            return cls(phone=phone, email=email)
        return cls(name=name, organization=organization, address=address, phone=phone, email=email)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    start: int  # offsets in the NFC-normalised original
    end: int
    replacement: str
    field: Field = "text"


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PublicText:
    title: str
    content: str
    findings: list[Finding] = field(default_factory=list)


# An agency's answer is at most 50,000 characters (schemas.actions); a case's title and
# content are read up to ANALYSED_CHARS. Beyond its limit a text is not published.
ANSWER_CHARS = 50_000
WITHHELD = " […]"
_PLACEHOLDERS = re.compile("|".join(re.escape(p) for p in PLACEHOLDER.values()))
_PHONE_SEPARATORS = r"[\s.\-–()]*"
_MAX_PASSES = 8
_NOT_DIGIT = re.compile(r"\D")


def _known_phone_spans(view: TextView, phone: str) -> list[Span]:
    digits = re.sub(r"\D", "", phone)
    digits = re.sub(r"^(?:0084|84)(?=\d{9,10}$)", "0", digits)
    if len(digits) < 8:
        return []
    # Only separators (never a digit) come between a match's digits: a text whose digits,
    # read in a row, do not hold the number (without its leading 0) cannot match, and is
    # spared compiling a pattern for this one number.
    if digits[1:] not in _NOT_DIGIT.sub("", view.text):
        return []
    body = _PHONE_SEPARATORS.join(digits[1:]) if digits[0] == "0" else None
    national = rf"0{_PHONE_SEPARATORS}{body}" if body else _PHONE_SEPARATORS.join(digits)
    international = rf"(?:\+|00)?84{_PHONE_SEPARATORS}(?:0{_PHONE_SEPARATORS})?{body}"
    alternatives = f"{national}|{international}" if body else national
    pattern = re.compile(rf"(?<!\d)(?:{alternatives})(?!\d)")
    return [Span(m.start(), m.end(), Kind.PHONE) for m in pattern.finditer(view.text)]


def _literal_spans(view: TextView, value: str, kind: Kind) -> list[Span]:
    key = fold(value)
    if len(key) < 3 or key.split()[0] not in view.folded:  # every match holds its first word
        return []
    body = r"\s+".join(re.escape(w) for w in key.split())
    return [
        Span(m.start(), m.end(), kind) for m in re.finditer(rf"(?<!\w){body}(?!\w)", view.folded)
    ]


def _known_spans(view: TextView, known: KnownPersonalData) -> list[Span]:
    return [
        *known_name_spans(view, known.name),
        *_literal_spans(view, known.organization, Kind.ORGANIZATION),
        *(known_address_spans(view, known.address) if known.address else []),
        *(_known_phone_spans(view, known.phone) if known.phone else []),
        *_literal_spans(view, known.email, Kind.EMAIL),
    ]


def _merge(spans: list[Span]) -> list[Span]:
    """Union of overlapping spans; the merged span takes the kind of its longest part.

    Merging rather than choosing guarantees no fragment of a partly overlapping match
    is left in the public text.
    """
    merged: list[tuple[Span, Span]] = []  # (union, part that names it)
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1][0].end:
            union, lead = merged[-1]
            lead = min(lead, span, key=lambda s: (-(s.end - s.start), PRIORITY[s.kind]))
            merged[-1] = (Span(union.start, max(union.end, span.end), lead.kind), lead)
        else:
            merged.append((span, span))
    return [union for union, _ in merged]


def _protected(text: str, spans: list[Span]) -> list[Span]:
    """Drop matches touching a placeholder, so redacting twice changes nothing more."""
    taken = [(m.start(), m.end()) for m in _PLACEHOLDERS.finditer(text)]
    return [s for s in spans if s.end > s.start and not _overlaps(s, taken)]


def _overlaps(span: Span, taken: list[tuple[int, int]]) -> bool:
    """Whether `span` overlaps one of `taken` (sorted, not overlapping). A binary search:
    comparing every pair was quadratic in a text full of placeholders."""
    i = bisect_left(taken, (span.end, -1))  # the placeholders starting before `span` ends
    return i > 0 and taken[i - 1][1] > span.start  # their ends rise: the last reaches furthest


def _find(text: str, known: KnownPersonalData) -> list[Span]:
    view = make_view(text)
    found = [
        *pattern_spans(view),
        *address_spans(view),
        *name_spans(view),
        *_known_spans(view, known),
    ]
    return _merge(_protected(text, found))


def _to_original(spans: list[Span], done: list[Span]) -> list[Span]:
    """Map spans of the partly redacted text back to the original.

    `spans` and `done` are sorted and do not overlap, so one walk through both does it
    (mapping each offset from the start of `done` was quadratic in the findings)."""
    mapped: list[Span] = []
    shift, i = 0, 0

    def original(offset: int) -> int:
        nonlocal shift, i
        while i < len(done) and done[i].start + shift < offset:
            shift += len(PLACEHOLDER[done[i].kind]) - (done[i].end - done[i].start)
            i += 1
        return offset - shift

    for span in spans:
        start = original(span.start)
        mapped.append(Span(start, original(span.end), span.kind))
    return mapped


def _apply(text: str, spans: list[Span]) -> str:
    parts, cursor = [], 0
    for span in spans:
        parts += [text[cursor : span.start], PLACEHOLDER[span.kind]]
        cursor = span.end
    return "".join(parts) + text[cursor:]


def redact(text: str, *, known: KnownPersonalData, limit: int = ANSWER_CHARS) -> Redaction:
    """The public version of `text`, with every personal datum replaced by a placeholder.

    Detection runs again on its own output until nothing new is found: removing a datum
    can change the context of what is left (fewer diacritics, a name no longer inside a
    longer run), and publishing twice must never reveal more or less.

    Only the first `limit` characters are read, and only what was read is published: the
    rest is withheld and marked `WITHHELD` (no valid case or answer is that long).
    """
    original = unicodedata.normalize("NFC", text)
    withheld = len(original) > limit
    original = _cut(original, limit) if withheld else original
    done: list[Span] = []
    current = original
    for _ in range(_MAX_PASSES):
        new = _find(current, known)
        if not new:
            break
        done = sorted(done + _to_original(new, done), key=lambda s: s.start)
        current = _apply(original, done)
    findings = [Finding(s.kind, s.start, s.end, PLACEHOLDER[s.kind]) for s in done]
    return Redaction(text=current + WITHHELD if withheld else current, findings=findings)


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a line break (else a space) so that no datum
    is cut in two: half a phone number is no longer recognised, yet still personal."""
    head = text[:limit]
    for stop in ("\n", " "):
        at = head.rfind(stop)
        if at > 0:
            return head[:at]
    return ""


def redact_case(title: str, content: str, *, known: KnownPersonalData) -> PublicText:
    """The public title and content of a case, with one redaction log for both; each read
    up to `ANALYSED_CHARS` (services.kit.text), every valid case whole."""
    public_title = redact(title, known=known, limit=ANALYSED_CHARS)
    public_content = redact(content, known=known, limit=ANALYSED_CHARS)
    findings = [replace(f, field="title") for f in public_title.findings]
    findings += [replace(f, field="content") for f in public_content.findings]
    return PublicText(title=public_title.text, content=public_content.text, findings=findings)


def _phone_digits(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[+\d\s.\-–()]{8,}", value.strip()) or len(digits) < 8:
        return None
    return re.sub(r"^(?:0084|84)(?=[235789]\d{8,9}$)", "0", digits)


def leaked(public: str, values: list[str]) -> list[str]:
    """The values still readable in `public`.

    Compared case-insensitively, without diacritics, and for numbers with their
    separators removed. A guard to run before anything is published.
    """
    text = unicodedata.normalize("NFC", public)
    lowered, folded = text.lower(), fold(text)
    joined = re.sub(r"(?<=\d)[\s.\-–()]+(?=\d)", "", text)
    joined = re.sub(r"\+?84(?=[35789]\d{8}(?!\d))", "0", joined)
    found = []
    for value in (v for v in values if v.strip()):
        digits = _phone_digits(value)
        if (
            value.lower() in lowered
            or fold(value) in folded
            or (digits is not None and re.search(rf"(?<!\d){digits}(?!\d)", joined))
        ):
            found.append(value)
    return found
