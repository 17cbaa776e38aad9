"""Normalise what a channel sent: phone and e-mail forms, regulation references, text.

Pure functions; every matcher works on a folded copy of the text that keeps the
original's character positions, so a match can quote the citizen's own spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from schemas.submission import Submission
from services.kit.text import analysed, clean, fold

Level = Literal["central", "provincial", "district"]

# Mobile numbers are 0 + 9 digits since the 2018 renumbering; landlines are 0 + a
# 2xx area code + 8 digits since 2017 (Gia Lai: 0269).
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
# Pre-2018 eleven-digit mobile prefixes still printed on old letterheads.
_OLD_MOBILE_PREFIX = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039", "0186": "056", "0188": "058",
    "0199": "059",
}  # fmt: skip
_PHONE_ALTERNATIVES = re.compile(r"[,;/|]|\s[-–]\s|\bho[aặ]c\b|\bor\b", re.IGNORECASE)
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}"
)


def normalise_phone(raw: str) -> str | None:
    """The national form (10 digits for mobiles, 11 for landlines, leading 0), or None.

    A field holding several numbers ("0905 123 456 / 0269 3823 456") yields the first
    plausible one.
    """
    for part in _PHONE_ALTERNATIVES.split(analysed(raw)):
        national = _national_digits(part)
        if national is not None:
            return national
    return None


def _national_digits(part: str) -> str | None:
    digits = re.sub(r"\D", "", part)
    if part.strip().startswith("+") or digits.startswith("0084"):
        digits = digits.removeprefix("00")
        if not digits.startswith("84"):
            return None  # another country's number
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits  # the leading zero dropped, as people often write it
    if len(digits) == 11 and digits[:4] in _OLD_MOBILE_PREFIX:
        digits = _OLD_MOBILE_PREFIX[digits[:4]] + digits[4:]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def normalise_email(raw: str) -> str | None:
    """Lower-cased and trimmed (also out of "Name <addr>" or "mailto:"), or None."""
    text = clean(raw).lower()
    bracketed = re.search(r"<([^<>]*)>", text)
    if bracketed:
        text = bracketed.group(1).strip()
    text = text.removeprefix("mailto:")
    return text if len(text) <= 254 and _EMAIL.fullmatch(text) else None


@dataclass(frozen=True, slots=True)
class RegulationRef:
    """A reference to a legal document as written (`text`) and as understood."""

    text: str
    doc_type: str | None = None
    number: str | None = None
    year: int | None = None
    issuer: str | None = None
    level: Level | None = None


_DOC_TYPE = {
    "qd": "QĐ", "nd": "NĐ", "tt": "TT", "ttlt": "TTLT", "nq": "NQ", "nqlt": "NQLT",
    "ct": "CT", "pl": "PL", "kh": "KH", "tb": "TB", "hd": "HD",
}  # fmt: skip
_KIND_WORDS = {
    "bo luat": "Bộ luật", "luat": "Luật", "nghi dinh": "NĐ", "nghi quyet": "NQ",
    "quyet dinh": "QĐ", "thong tu lien tich": "TTLT", "thong tu": "TT", "chi thi": "CT",
    "phap lenh": "PL", "ke hoach": "KH", "thong bao": "TB", "huong dan": "HD",
    "quy dinh": None, "quy che": None, "phuong an": None,
}  # fmt: skip
_ISSUER_SPELLING = {
    "TTG": "TTg",
    "HDND": "HĐND",
    "BGDDT": "BGDĐT",
    "BLDTBXH": "BLĐTBXH",
    "BKHDT": "BKHĐT",
}
_CENTRAL_SPELLING = {"chinh": "CP", "thu": "TTg", "quoc": "QH"}
# Government, National Assembly and ministries (by their usual symbols); a joint
# circular is central when its first issuer is.
_CENTRAL_ISSUERS = re.compile(
    r"(?:CP|TTG|VPCP|CTN|NHNN|TANDTC|VKSNDTC|KTNN|UBDT|(?:UBTV)?QH\d*|BTC|BNV|BYT|BCA|BQP"
    r"|BGDDT|BXD|BGTVT|BTP|BCT|BNNPTNT|BLDTBXH|BVHTTDL|BKHDT|BKHCN|BTTTT|BNG|BTNMT)(?:-.*)?"
)
# Provincial departments sign as S + field (STNMT, SXD...); the economic zone board as BQL.
_PROVINCIAL_ISSUERS = re.compile(r"(?:S[A-Z]{1,8}|BQL[A-Z]*)(?:-.*)?")
_LOCAL_ISSUER = r"(?:ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan)"
_LOCALITY_LEVEL: dict[str, Level] = {
    "tinh": "provincial", "huyen": "district", "thi xa": "district",
    "thanh pho": "district", "tp": "district", "xa": "district", "phuong": "district",
    "thi tran": "district",
}  # fmt: skip
_ISSUER_PHRASE = (
    rf"(?P<local>{_LOCAL_ISSUER})\s+(?P<locality>{'|'.join(_LOCALITY_LEVEL)})\b"
    r"|(?P<central>chinh phu|thu tuong(?: chinh phu)?|quoc hoi|bo [a-z]+)\b"
)
_SAID_LOCALITY = re.compile(
    rf"\s*(?:cua|do)?\s*{_LOCAL_ISSUER}\s+(?P<locality>{'|'.join(_LOCALITY_LEVEL)})\b"
)
_KINDS = "|".join(sorted(_KIND_WORDS, key=len, reverse=True))
_CODED = re.compile(
    rf"(?:\b(?P<kind>{_KINDS})\b[^\d/.;:!?]{{0,60}}?)?"
    r"\b(?P<num>\d{1,4}[a-z]?)\s*/\s*(?:(?P<year>(?:19|20)\d{2})\s*/\s*)?"
    rf"(?:(?P<dt>{'|'.join(sorted(_DOC_TYPE, key=len, reverse=True))})"
    r"(?:\s*-\s*(?P<iss>[a-z0-9]+(?:-[a-z0-9]+)*))?|(?P<qh>(?:ubtv)?qh\d{1,2}))\b"
)
_NAMED_LAW = re.compile(
    r"\b(?P<kind>bo luat|luat)\s+(?P<name>[a-z]+(?:\s+(?!nam\b|so\b|thi\b|quy\b|va\b)[a-z]+){0,5})"
    r"(?:\s*\(?\s*(?:sua doi(?:,? bo sung)?\s*)?(?:nam\s+)?(?P<year>(?:19|20)\d{2})\)?)?"
)
_NAMED_DOC = re.compile(
    rf"\b(?P<kind>{_KINDS})\b(?:\s+[^\s.,;:!?]+){{0,10}}?\s+(?:cua|do)\s+(?:{_ISSUER_PHRASE})"
)


def find_regulations(text: str) -> list[RegulationRef]:
    """Every document reference in a free text, in reading order, without overlaps
    (read up to `ANALYSED_CHARS`)."""
    text = clean(analysed(text))
    folded = _aligned_fold(text)
    found: list[tuple[int, int, RegulationRef]] = []
    for pattern, build in ((_CODED, _coded), (_NAMED_LAW, _named_law), (_NAMED_DOC, _named)):
        for m in pattern.finditer(folded):
            if any(m.start() < end and start < m.end() for start, end, _ in found):
                continue  # a coded reference already covers this span
            ref = build(m, text, folded)
            if ref is not None:
                found.append((m.start(), m.end(), ref))
    return [ref for _, _, ref in sorted(found, key=lambda item: item[0])]


def parse_regulation(raw: str) -> RegulationRef | None:
    """The document named in a `regulation` field; `text` is the whole field."""
    text = clean(raw)
    refs = find_regulations(text)
    if refs:
        first = refs[0]
        return RegulationRef(
            text, first.doc_type, first.number, first.year, first.issuer, first.level
        )
    leading = re.match(rf"(?:{_KINDS})\b", _aligned_fold(text))
    if leading is None:
        return None
    doc_type = _KIND_WORDS[leading.group(0)]
    return RegulationRef(text, doc_type=doc_type, level=_level_of_kind(doc_type))


def _coded(m: re.Match[str], text: str, folded: str) -> RegulationRef:
    if m.group("qh"):
        kind = _KIND_WORDS.get(m.group("kind") or "luat") or "Luật"
        doc_type = kind if kind in ("Luật", "Bộ luật", "NQ", "PL") else "Luật"
        issuer = m.group("qh").upper()
    else:
        doc_type = _DOC_TYPE[m.group("dt")]
        start, end = m.span("iss")
        issuer = _issuer_spelling(text[start:end]) if m.group("iss") else None
    level = _level_of_issuer(issuer, folded[m.end() : m.end() + 60])
    year = int(m.group("year")) if m.group("year") else None
    number = m.group("num").upper()
    return RegulationRef(text[m.start() : m.end()], doc_type, number, year, issuer, level)


def _named_law(m: re.Match[str], text: str, folded: str) -> RegulationRef | None:
    name_start = m.start("name")
    if not text[name_start].isupper():
        return None  # "theo luật" in lower case is "the law" in general, not a named act
    year = int(m.group("year")) if m.group("year") else None
    doc_type = _KIND_WORDS[m.group("kind")]
    return RegulationRef(text[m.start() : m.end()], doc_type, None, year, "QH", "central")


def _named(m: re.Match[str], text: str, folded: str) -> RegulationRef:
    doc_type = _KIND_WORDS[m.group("kind")]
    issuer: str | None
    level: Level
    if m.group("local"):
        issuer = "HĐND" if m.group("local").startswith("h") else "UBND"
        level = _LOCALITY_LEVEL[m.group("locality")]
    else:
        issuer = _CENTRAL_SPELLING.get(m.group("central").split()[0])  # a ministry: unnamed
        level = "central"
    return RegulationRef(text[m.start() : m.end()], doc_type, None, None, issuer, level)


def _issuer_spelling(raw: str) -> str:
    upper = raw.upper()
    return "-".join(_ISSUER_SPELLING.get(part, part) for part in upper.split("-"))


def _level_of_issuer(issuer: str | None, following: str) -> Level | None:
    if issuer is None:
        return None
    folded = fold(issuer).upper()
    if _CENTRAL_ISSUERS.fullmatch(folded):
        return "central"
    if _PROVINCIAL_ISSUERS.fullmatch(folded):
        return "provincial"
    if folded.startswith(("UBND", "HDND")):
        said = _SAID_LOCALITY.match(following)
        # A People's Committee document with a year in its number is, in this
        # province's mail, almost always the province's own: assume so unless told.
        return _LOCALITY_LEVEL[said.group("locality")] if said else "provincial"
    return None


def _level_of_kind(doc_type: str | None) -> Level | None:
    return "central" if doc_type in ("Luật", "Bộ luật", "NĐ", "TT", "TTLT", "PL") else None


def _aligned_fold(text: str) -> str:
    """fold() one character at a time, so positions in the result match `text`."""
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    folded = fold(ch)
    if len(folded) == 1:
        return folded
    return ch.lower() if len(ch.lower()) == 1 else ch


def normalise_submission(s: Submission) -> Submission:
    """Cleaned text fields and canonical contact forms; a changed raw value goes to extra."""
    extra = dict(s.extra)
    phone = _with_raw(s.phone, normalise_phone, "phone_raw", extra)
    email = _with_raw(s.email, normalise_email, "email_raw", extra)
    return s.model_copy(
        update={
            "channel_ref": clean(s.channel_ref) or None,
            "name": clean(s.name),
            "organization": clean(s.organization),
            "address": clean(s.address),
            "title": clean(s.title),
            "content": clean_paragraphs(s.content),
            "regulation": clean(s.regulation),
            "attachments": [name for name in map(clean, s.attachments) if name],
            "phone": phone,
            "email": email,
            "extra": extra,
        }
    )


def clean_paragraphs(text: str) -> str:
    """clean() each line, keeping the line breaks: a letter's paragraphs carry meaning."""
    return "\n".join(line for line in map(clean, (text or "").splitlines()) if line)


def _with_raw(
    raw: str, normalise: Callable[[str], str | None], key: str, extra: dict[str, Any]
) -> str:
    if not raw.strip():
        return ""
    value = normalise(raw)
    if value != raw:
        extra.setdefault(key, raw)  # the channel's own spelling is kept: nothing is lost
    return value or ""
