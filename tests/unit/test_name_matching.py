"""The submitter's name is found without a regular expression of its own, and finds exactly
what the per-name expressions it replaced found (services/text/redaction/names.py)."""

from __future__ import annotations

import re
from itertools import product

import pytest

from services.kit.text import fold
from services.text.redaction import names
from services.text.redaction.base import make_view

TEXTS = [
    "Tôi là Nguyễn Văn An, ở thôn 3. Anh An đã gửi đơn; anh   An và chị Ân cũng vậy.",
    "anh anh anh An an-an An1 _An An_ ông An bà  An\u00a0An cô An. Chú An! dì an",
    "Ksor H'Nhi gửi: bà H'Nhi, chị H'Nhi2, em H'Nhi — Ksor  H'Nhi; KSOR H'NHI",
    "Văn Hòa văn hóa Nguyễn Văn Hòa Nguyễn  Văn\tHòa nguyen van hoa Nguyen Van Hoa",
    "",
    "An",
    "ông ông An ông",
]
NAMES = ["Nguyễn Văn An", "An", "Ksor H'Nhi", "H'Nhi", "Nguyễn Văn Hòa", "Văn Hòa", "anh"]


def _regex_phrases(folded: str, keys: list[str]) -> list[tuple[int, int]]:
    body = r"\s+".join(re.escape(k) for k in keys)
    return [m.span() for m in re.finditer(rf"(?<!\w){body}(?!\w)", folded)]


@pytest.mark.parametrize(("text", "name"), list(product(TEXTS, NAMES)))
def test_phrases_are_found_where_the_regular_expression_found_them(text: str, name: str) -> None:
    folded = make_view(text).folded
    for count in range(1, len(name.split()) + 1):
        keys = [fold(w) for w in name.split()[-count:]]
        assert list(names._phrase_matches(folded, keys)) == _regex_phrases(folded, keys)


@pytest.mark.parametrize(("text", "name"), list(product(TEXTS, NAMES)))
def test_a_given_name_after_an_honorific_is_found_as_before(text: str, name: str) -> None:
    view = make_view(text)
    key = fold(name.split()[-1])
    pattern = re.compile(rf"(?P<w>{names._HONORIFICS_ALTERNATION})\s+(?P<g>{re.escape(key)})(?!\w)")
    wanted = [
        m.span("g")
        for m in pattern.finditer(view.folded)
        if names.keyword_ok(view, m.start("w"), m.end("w"), names.HONORIFICS)
    ]
    assert [(s.start, s.end) for s in names._after_honorific(view, key)] == wanted
