"""`make_view` decides whether a text was typed without diacritics as it always did, also
when it skips converting a text without placeholders twice (services/text/redaction/base.py)."""

from __future__ import annotations

import re

import pytest

from services.text.redaction.base import _ANY_PLACEHOLDER, _same_length, make_view


def plain_mode(text: str) -> bool:
    bare = re.sub(_ANY_PLACEHOLDER, "", text)
    return _same_length(bare, "fold") == _same_length(bare, "lower")


@pytest.mark.parametrize(
    "text",
    [
        "Ong Nguyen Van An o thon 2",
        "Ông Nguyễn Văn An ở thôn 2",
        "Ong [họ tên] o thon 2, goi [số điện thoại]",  # plain, with placeholders
        "Ông [họ tên] ở [địa chỉ]",
        "[họ tên]",
        "",
        "İstanbul ﬁ ß Ω",
    ],
)
def test_the_mode_is_the_plain_computation(text: str) -> None:
    assert make_view(text).plain == plain_mode(text)
