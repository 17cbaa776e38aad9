"""Detectors for personal data with a recognisable shape: phones, e-mails (also spelt out),
ID numbers, tax codes, bank accounts and licence plates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.kit.text import CharTable
from services.text.redaction.base import Kind, Span, TextView, alternation

# One optional separator between digits: "0905 123 456", "0914.557.208", "(0269) 3846117".
_SEP = r"(?:[ \u00a0]?[.\-–][ \u00a0]?|[ \u00a0]|\)[ \u00a0]?|[ \u00a0]?\()?"


def _digits(count: str) -> str:
    return rf"(?:{_SEP}\d){{{count}}}"


# Mobiles 0[35789] + 8 digits, landlines 02xx + 8 digits (11 in all), old 01xx mobiles.
_NATIONAL = rf"\(?0{_SEP}(?:[35789]{_digits('8')}|2{_digits('9')}|1[2689]{_digits('8')})"
_INTERNATIONAL = (
    rf"(?:\(\+84\)|\+84|0084|84(?={_SEP}[235789]))(?:{_SEP}\(?0\)?)?{_SEP}"
    rf"(?:[35789]{_digits('8')}|2{_digits('9')})"
)
_FOREIGN = rf"\+(?!84)\d{{1,3}}{_digits('6,12')}"
# A digit right after the number means it is part of something longer; a separator and
# another number ("0905 123 456 2 lần") does not.
PHONE = re.compile(rf"(?<![\w+/])(?:{_INTERNATIONAL}|{_NATIONAL}|{_FOREIGN})(?!\d)")

# Letters beyond ASCII too: people type "dũng40@gmail.com" and mail systems accept it.
# The look-behind holds every character of the local part: a match starts only where a run
# of them starts (with "%" missing from it, "a%a%a%…" was rescanned after every "%").
EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?!\w)")

# Written so that filters do not read it: "an [at] example [dot] com", "an(at)gmail(dot)com",
# "an a còng gmail chấm com" (run on the folded text). Bounded parts: linear.
_AT = r"(?:[ \u00a0]{0,3}[\[({<][ \u00a0]{0,3}(?:at|a cong)[ \u00a0]{0,3}[\])}>][ \u00a0]{0,3}|[ \u00a0]{1,3}(?:at|a cong)[ \u00a0]{1,3}|@)"
_DOT = r"(?:[ \u00a0]{0,3}[\[({<][ \u00a0]{0,3}(?:dot|cham)[ \u00a0]{0,3}[\])}>][ \u00a0]{0,3}|[ \u00a0]{1,3}(?:dot|cham)[ \u00a0]{1,3}|\.)"
SPELLED_EMAIL = re.compile(
    rf"(?<![\w.%+-])[\w.%+-]{{1,64}}{_AT}[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,4}}{_DOT}[a-z]{{2,24}}(?!\w)"
)

# A company's tax code (mã số thuế): 10 digits, a branch's 13 ("0101234567-001"). With its
# word in any form; without it only the branch form, a shape nothing else has.
_TAX_WORDS = alternation(
    ["mã số thuế", "mst", "mã số doanh nghiệp", "msdn", "mã số thuế doanh nghiệp", "tax code"]
)
_TAX_VALUE = r"\d(?:[ .]?\d){9}(?:[ \u00a0]?[-–][ \u00a0]?\d{3})?"
TAX_WITH_WORD = re.compile(
    rf"{_TAX_WORDS}[\s:.#-]{{0,5}}(?:la[ \u00a0]{{1,3}})?(?P<v>{_TAX_VALUE})(?![\w])"
)
TAX_BRANCH = re.compile(r"(?<![\w.,/-])\d{10}[ \u00a0]?[-–][ \u00a0]?\d{3}(?![\w]|[.,/-]\d)")

_ID_WORDS = alternation(
    [
        "cccd", "cmnd", "cmt", "căn cước", "căn cước công dân", "chứng minh nhân dân",
        "chứng minh thư", "số định danh", "số định danh cá nhân", "mã định danh", "hộ chiếu",
        "passport", "id card",
    ]
)  # fmt: skip
_VALUE_GAP = r"(?:\s*(?:so|no\.?|number|la|:|#|-))*\s*"
ID_WITH_WORD = re.compile(
    rf"{_ID_WORDS}{_VALUE_GAP}(?P<v>[a-z]{{0,2}}\d(?:[ .-]?\d){{6,11}})(?!\w)"
)
_LONE = r"(?<![\w.,/-])"
_END = r"(?![\w]|[.,/-]\d)"
CCCD = re.compile(
    rf"{_LONE}(?:\d{{12}}|\d{{3}}([ .-])\d{{3}}\1\d{{3}}\1\d{{3}}|\d{{4}}([ .-])\d{{4}}\2\d{{4}}){_END}"
)
CMND = re.compile(rf"{_LONE}(?:\d{{9}}|\d{{3}} \d{{3}} \d{{3}}){_END}")
# A nine-digit number followed by a unit is an amount or a quantity, not an ID card.
_UNIT_AFTER = re.compile(r"\s*(?:d|dong|vnd|usd|trieu|nghin|ngan|ty|m2|m|km|kg|tan|lit|ha|%)\b")

_BANK_WORDS = alternation(
    [
        "số tài khoản", "tài khoản", "stk", "số tk", "tk", "account number", "account no",
        "bank account", "a/c",
    ]
)  # fmt: skip
BANK_WITH_WORD = re.compile(
    rf"{_BANK_WORDS}(?:[\s:.,#-]+[^\W\d_]+){{0,6}}?[\s:.,#-]+(?P<v>\d(?:[ .\-]?\d){{5,18}})(?!\w)"
)
LONG_NUMBER = re.compile(rf"{_LONE}\d{{13,19}}(?!\w)")

# "81B1-234.56", "81A-123.45", "81-B1 23456", "81C-098.64", "81LD-001.23".
PLATE = re.compile(
    r"(?<![\w.\-/])\d{2}[ \-]?[A-Z]{1,2}\d?(?:[ .\-]|\s?-\s?)?(?:\d{3}\.\d{2}|\d{4,5})(?![\w]|[.,]\d)"
)
PLATE_WITH_WORD = re.compile(
    rf"{alternation(['biển số', 'biển số xe', 'biển kiểm soát', 'bks', 'biển xe'])}"
    r"\s*(?:xe\s*)?[:.]?\s*(?:la\s*)?"
    r"(?P<v>\d{2}[ \-]?[a-z]{1,2}\d?[ .\-]?\d{3}\.?\d{1,2})(?!\w)"
)


def _spans(pattern: re.Pattern[str], text: str, kind: Kind, group: int | str = 0) -> Iterator[Span]:
    for m in pattern.finditer(text):
        yield Span(m.start(group), m.end(group), kind)


def _cmnd(view: TextView) -> Iterator[Span]:
    for m in CMND.finditer(view.text):
        if not _UNIT_AFTER.match(view.folded, m.end()):
            yield Span(m.start(), m.end(), Kind.ID_NUMBER)


# What each detector cannot match without: how many decimal digits (`\d`) its shortest
# match holds, in the text it reads. A text with fewer is not scanned (issue 12).
_MIN_DIGITS = {
    "TAX_WITH_WORD": 10,  # \d(?:[ .]?\d){9}
    "TAX_BRANCH": 13,  # \d{10} - \d{3}
    "PHONE": 7,  # a foreign number: + \d{1,3} and 6 more; a national one has 10
    "ID_WITH_WORD": 7,  # \d(?:[ .-]?\d){6,11}
    "CCCD": 12,
    "CMND": 9,
    "BANK_WITH_WORD": 6,  # \d(?:[ .\-]?\d){5,18}
    "LONG_NUMBER": 13,
    "PLATE": 6,  # \d{2} and \d{4,5} (or \d{3}.\d{2})
    "PLATE_WITH_WORD": 6,  # \d{2} and \d{3}, \d{1,2}
}
_DECIMAL = CharTable(lambda ch: ch if ch.isdecimal() else None)  # what `\d` matches
# Every spelt-out e-mail holds "@", a bracket, or " at " / " a cong " between spaces.
_SPELLED_AT = re.compile(r"[@\[({<]|[ \u00a0](?:at|a cong)[ \u00a0]")


def pattern_spans(view: TextView) -> list[Span]:
    """Everything found by shape alone; overlaps are resolved by the caller."""
    text, folded = view.text, view.folded
    digits = len(text.translate(_DECIMAL))
    folded_digits = len(folded.translate(_DECIMAL))

    def enough(name: str, on_folded: bool = False) -> bool:
        return (folded_digits if on_folded else digits) >= _MIN_DIGITS[name]

    return [
        *(_spans(EMAIL, text, Kind.EMAIL) if "@" in text else ()),
        *(_spans(SPELLED_EMAIL, folded, Kind.EMAIL) if _SPELLED_AT.search(folded) else ()),
        *(
            _spans(TAX_WITH_WORD, folded, Kind.TAX_CODE, "v")
            if enough("TAX_WITH_WORD", True)
            else ()
        ),
        *(_spans(TAX_BRANCH, text, Kind.TAX_CODE) if enough("TAX_BRANCH") else ()),
        *(_spans(PHONE, text, Kind.PHONE) if enough("PHONE") else ()),
        *(
            _spans(ID_WITH_WORD, folded, Kind.ID_NUMBER, "v")
            if enough("ID_WITH_WORD", True)
            else ()
        ),
        *(_spans(CCCD, text, Kind.ID_NUMBER) if enough("CCCD") else ()),
        *(_cmnd(view) if enough("CMND") else ()),
        *(
            _spans(BANK_WITH_WORD, folded, Kind.BANK_ACCOUNT, "v")
            if enough("BANK_WITH_WORD", True)
            else ()
        ),
        *(_spans(LONG_NUMBER, text, Kind.BANK_ACCOUNT) if enough("LONG_NUMBER") else ()),
        *(_spans(PLATE, text, Kind.LICENCE_PLATE) if enough("PLATE") else ()),
        *(
            _spans(PLATE_WITH_WORD, folded, Kind.LICENCE_PLATE, "v")
            if enough("PLATE_WITH_WORD", True)
            else ()
        ),
    ]
