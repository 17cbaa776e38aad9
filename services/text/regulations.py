"""References to legal documents in citizens' text: "Quyết định số 22/2016/QĐ-UBND",
"Luật Đất đai 2024", "Nghị định 20/2008/NĐ-CP", as written and as understood.

Pure functions shared by intake (normalising what a channel sent) and the router's console
(the regulations list). Every matcher works on a folded copy of the text that keeps the
original's character positions, so a match quotes the citizen's own spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from services.kit.text import analysed, clean, fold

Level = Literal["central", "provincial", "district"]


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
