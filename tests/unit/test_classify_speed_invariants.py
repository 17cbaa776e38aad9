"""The fast paths of routing and redaction decide exactly as the plain ones (issue 12).

Routing keeps a per-item memo of matches and skips phrase lists whose words are absent from
a text; folding goes through per-character tables. Each is checked here against the plain
computation on the labelled holdout items (tests/unit/router/test_labelled_sets.py holds the
accuracy floors; `scripts/bench_classify.py` measures the cost).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from services.classify import routing_input
from services.intake.domain.normalise import normalise_submission
from services.intake.flatfile import read_flat
from services.kit.text import analysed, fold
from services.router.core import RouterCore, load_core
from services.router.domain import classify
from services.router.domain.classify import RoutingInput
from services.router.domain.evidence import ACTORS, WORDS, field_tally
from services.router.domain.matching import (
    _ABBREVIATION_DOT,
    _APOSTROPHES,
    _NOT_WORD,
    _SENTENCE_END,
    _SPACES,
    Texts,
    _aligned_sub,
    _fold_letter,
    _marks,
    normalise_pair,
    typed_with_diacritics,
)
from services.text.redaction.base import _same_length

HOLDOUT = Path(__file__).resolve().parents[1] / "data" / "pakn-holdout.jsonl"
ODD = (
    "Đường ĐẮK Pơ İstanbul ﬁ ß ǅ Ω x\u0301 \u00a0 \t\n\u200b ½ ² ⅷ ＡＢ 𝐀 😀 Ç'ă ‘Iakha’ TP. Pleiku"
)


@pytest.fixture(scope="module")
def core() -> RouterCore:
    return load_core()


@pytest.fixture(scope="module")
def inputs() -> list[RoutingInput]:
    items = [
        normalise_submission(line.submission) for line in read_flat(HOLDOUT) if line.submission
    ]
    return [routing_input(item) for item in items]


def _plain_fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _plain_same_length(text: str, convert: str) -> str:
    out = []
    for ch in text:
        mapped = _plain_fold(ch) if convert == "fold" else ch.lower()
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out)


def _plain_pair(text: str) -> tuple[str, str]:
    """normalise_pair as it was, letter by letter."""
    nfc = unicodedata.normalize("NFC", analysed(text).lower())
    pairs = [(_fold_letter(ch), ch) for ch in nfc]
    both = ("".join(f for f, _ in pairs), "".join(m if f != "" else "" for f, m in pairs))
    both = _aligned_sub(_APOSTROPHES, "", both)
    both = _aligned_sub(_ABBREVIATION_DOT, None, both)
    both = _aligned_sub(_SENTENCE_END, " . ", both)
    both = _aligned_sub(_NOT_WORD, " ", both)
    folded, marked = _aligned_sub(_SPACES, " ", both)
    start = len(folded) - len(folded.lstrip())
    end = len(folded.rstrip())
    return folded[start:end], marked[start:end]


def _samples(inputs: list[RoutingInput]) -> list[str]:
    return [ODD, *(f"{i.title}\n{i.content}\n{i.address}" for i in inputs)]


def test_folding_tables_match_the_plain_computation(inputs: list[RoutingInput]) -> None:
    for text in _samples(inputs):
        assert fold(text) == _plain_fold(text)
        for convert in ("fold", "lower"):
            assert _same_length(text, convert) == _plain_same_length(text, convert)
        folded, marked = normalise_pair(text)
        assert (folded, marked) == _plain_pair(text)
        words = [w for w in marked.split() if any(ch.isalpha() for ch in w)]
        plain = sum(bool(_marks(w)) for w in words) >= 0.2 * max(len(words), 1)
        assert typed_with_diacritics(marked) == plain


def test_memo_and_skips_decide_as_the_plain_path(
    core: RouterCore, inputs: list[RoutingInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = [core.route(item) for item in inputs]
    monkeypatch.setattr(classify, "Texts", dict)  # no memo, no skipped phrase lists
    plain = [core.route(item) for item in inputs]
    assert fast == plain


def test_memoised_matches_equal_fresh_ones(core: RouterCore, inputs: list[RoutingInput]) -> None:
    rules = core.router.rules_2023
    conditions = [
        rule.when
        for name in ("class_rules", "kind_rules", "competence_rules", "actor_rules")
        for rule in getattr(rules, name)
    ]
    for item in inputs:
        texts = classify._texts(item, rules)
        assert isinstance(texts, Texts)
        plain = dict(texts)
        for _ in range(2):  # the second round reads the memo
            for condition in conditions:
                assert [m.span() for m in condition.hits(texts)] == [
                    m.span() for m in condition.hits(plain)
                ]
            for vocabularies in (ACTORS, WORDS, (*ACTORS, *WORDS)):
                assert field_tally(texts, rules, vocabularies) == field_tally(
                    plain, rules, vocabularies
                )
