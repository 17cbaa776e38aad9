"""The shortcuts of issue 12 find exactly what the plain computations find.

- the phrase index (one Aho–Corasick pass) gives each phrase list the matches of its regex;
- the words a rule pattern requires (prefilter.py) are in every text it matches;
- the redaction detectors skipped for lack of digits (or of "@") would find nothing;
- `marked_words` counts as the word-by-word reading does;
- admissibility's `_empty`, reading words and fillers in step, decides and explains as
  before.

Checked on every labelled item and on crafted texts (test_classify_golden.py compares the
end results; test_classify_speed_invariants.py the routing memo).
"""

from __future__ import annotations

import random
import re
import sys
from bisect import bisect_right
from pathlib import Path

import pytest

from schemas.submission import Submission
from services.classify import routing_input
from services.intake.domain import admissibility
from services.intake.domain.admissibility_policy import DEFAULT
from services.intake.domain.normalise import normalise_submission
from services.intake.flatfile import read_flat
from services.kit.text import marked_words
from services.router.core import RouterCore, load_core
from services.router.domain import classify
from services.router.domain.classify import RoutingInput
from services.router.domain.matching import MARKED, Condition, Phrases, Texts, _marks
from services.router.domain.prefilter import may_match
from services.text.redaction import patterns
from services.text.redaction.base import Span, TextView, make_view

DATA = Path(__file__).resolve().parents[1] / "data"
SCOPES = ("text", "title", "regulation", "address", "cited")
ODD = "Đường ĐẮK Pơ İstanbul ﬁ ß x\u0301 \u00a0 \t\n ½ ² ＡＢ 😀 Ç'ă ‘Iakha’ TP. Pleiku a.b 1.000"
CRAFTED = [
    ODD,
    "Gọi 0905 123 456 hoặc +84 912345678, (0269) 3846117, +33 6 12 34 56 78.",
    "CCCD 064201001234, CMND 230 456 789, MST 5900123456-001, STK 0123456789012.",
    "Biển số 81B1-234.56, xe 81A-123.45; email an.nguyen@gmail.com, an [at] gmail [dot] com",
    "an a còng gmail chấm com; ngày 20/12/2022 nộp 3 bộ hồ sơ",
]


@pytest.fixture(scope="module")
def core() -> RouterCore:
    return load_core()


@pytest.fixture(scope="module")
def items() -> list[Submission]:
    found = []
    for name in ("pakn-tune.jsonl", "pakn-holdout.jsonl", "pakn-2025.jsonl"):
        found += [
            normalise_submission(x.submission) for x in read_flat(DATA / name) if x.submission
        ]
    return found


@pytest.fixture(scope="module")
def texts(core: RouterCore, items: list[Submission]) -> list[Texts]:
    odd = RoutingInput(content=ODD, received_on=items[0].received_at.date())
    inputs = [routing_input(item) for item in items] + [odd]
    found = []
    for rules in (core.router.rules_2023, core.router.rules_today):
        for given in inputs:
            texts = classify._texts(given, rules)
            assert isinstance(texts, Texts)
            found.append(texts)
    return found


def _conditions(core: RouterCore) -> list[Condition]:
    found = []
    for rules in (core.router.rules_2023, core.router.rules_today):
        for section in ("class_rules", "kind_rules", "competence_rules", "actor_rules"):
            found += [rule.when for rule in getattr(rules, section)]
        found += [r.when for r in rules.special_targets]
        found += [rules.citations] if rules.citations else []
    return found


def _phrase_lists(core: RouterCore) -> list[Phrases]:
    lists: dict[int, Phrases] = {}
    for condition in _conditions(core):
        built = condition.__pydantic_private__ or {}
        for finder in (*built["_groups"], built["_phrases"], built["_masks"]):
            if finder is not None:
                lists[id(finder)] = finder
    for rules in (core.router.rules_2023, core.router.rules_today):
        for department in rules.departments:
            for vocabulary in ("names", "units", "strong", "keywords"):
                if (finder := department.finder(vocabulary)) is not None:
                    lists[id(finder)] = finder
    return list(lists.values())


def test_the_phrase_index_finds_what_each_regex_finds(core: RouterCore, texts: list[Texts]) -> None:
    lists = _phrase_lists(core)
    assert any(f.forms is not None for f in lists)
    for item in texts:
        for scope in SCOPES:
            text, marked = item[scope], item.get(scope + MARKED, "")
            read = item.read(text)
            for finder in lists:
                plain = [m.span() for m in finder.finditer(text, marked)]
                assert [m.span() for m in finder.matches(text, marked, read)] == plain
                assert [m.group(0) for m in finder.matches(text, marked, read)] == [
                    m.group(0) for m in finder.finditer(text, marked)
                ]
                if plain:
                    assert not finder.absent(read)


def test_required_words_are_in_every_text_a_pattern_matches(
    core: RouterCore, texts: list[Texts]
) -> None:
    pairs = []
    for condition in _conditions(core):
        built = condition.__pydantic_private__ or {}
        pairs += zip(built["_patterns"], built["_pattern_words"], strict=True)
        pairs += zip(built["_vetoes"], built["_veto_words"], strict=True)
    assert sum(bool(clauses) for _, clauses in pairs) > len(pairs) // 2
    for item in texts:
        for scope in SCOPES:
            read = item.read(item[scope])
            present = read.index.present if read.index else None
            for pattern, clauses in pairs:
                if pattern.search(item[scope]):
                    assert may_match(clauses, read.words, present), pattern.pattern
                    assert may_match(clauses, read.words, None), pattern.pattern


def _plain_pattern_spans(view: TextView) -> list[Span]:
    text, folded = view.text, view.folded
    p = patterns
    return [
        *p._spans(p.EMAIL, text, p.Kind.EMAIL),
        *p._spans(p.SPELLED_EMAIL, folded, p.Kind.EMAIL),
        *p._spans(p.TAX_WITH_WORD, folded, p.Kind.TAX_CODE, "v"),
        *p._spans(p.TAX_BRANCH, text, p.Kind.TAX_CODE),
        *p._spans(p.PHONE, text, p.Kind.PHONE),
        *p._spans(p.ID_WITH_WORD, folded, p.Kind.ID_NUMBER, "v"),
        *p._spans(p.CCCD, text, p.Kind.ID_NUMBER),
        *p._cmnd(view),
        *p._spans(p.BANK_WITH_WORD, folded, p.Kind.BANK_ACCOUNT, "v"),
        *p._spans(p.LONG_NUMBER, text, p.Kind.BANK_ACCOUNT),
        *p._spans(p.PLATE, text, p.Kind.LICENCE_PLATE),
        *p._spans(p.PLATE_WITH_WORD, folded, p.Kind.LICENCE_PLATE, "v"),
    ]


def test_skipped_detectors_would_find_nothing(items: list[Submission]) -> None:
    random.seed(12)
    shaped = [
        "".join(random.choice("0123456789 .-–()+@[]abxy\u00a0") for _ in range(40))
        for _ in range(300)
    ]
    for text in [*CRAFTED, *shaped, *(x.content for x in items), *(x.title for x in items)]:
        view = make_view(text)
        assert patterns.pattern_spans(view) == _plain_pattern_spans(view), text


def _plain_marked_words(text: str) -> tuple[int, int]:
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words), sum(bool(_marks(w)) for w in words)


def test_marked_words_counts_word_by_word(items: list[Submission]) -> None:
    random.seed(7)
    alphabet = [*"abcđĐăâêôơưáàảãạ \t\n\u00a0.,1≠x\u0301½²ǅΩ😀Ç'", "  "]
    samples = ["".join(random.choice(alphabet) for _ in range(30)) for _ in range(2000)]
    for text in [*CRAFTED, *samples, *(x.content.lower() for x in items)]:
        assert marked_words(text) == _plain_marked_words(text), text


def _plain_empty(text: admissibility._Text) -> tuple[int, int]:
    """Words and substantive words of `_empty`, as it counted them before issue 12."""
    policy = DEFAULT
    kept = admissibility._salutations(policy.salutations).sub(
        lambda m: " " * len(m.group(0)), text.folded
    )
    kept = admissibility._terms(policy.closings).sub(lambda m: " " * len(m.group(0)), kept)
    run, letter = re.compile(r"\w+"), re.compile(r"[^\W\d_]")
    words = [m.span() for m in run.finditer(kept) if letter.search(m.group())]
    fillers = admissibility._spans(admissibility._Text(kept, text.marked), policy.filler_words)

    def inside(span: tuple[int, int]) -> bool:
        i = bisect_right(fillers, (span[0], sys.maxsize)) - 1
        return i >= 0 and span[1] <= fillers[i][1]

    return len(words), len([w for w in words if not inside(w)])


def test_empty_content_reads_as_before(items: list[Submission]) -> None:
    short = ["Kính gửi quý cơ quan, xin cảm ơn.", "tôi có ý kiến", "ok test", "", "Xin chào!"]
    contents = [*short, *CRAFTED, *(f"{x.title}\n{x.content}" for x in items)]
    policy = DEFAULT
    for content in contents:
        text = admissibility._text(content)
        words, substantive = _plain_empty(text)
        enough = words >= policy.min_content_words and substantive >= min(
            policy.min_substantive_words, policy.min_content_words
        )
        decision = admissibility._empty(text, policy)
        assert (decision is None) == enough, content
        if decision is not None:
            assert f"{words} words besides" in decision.explanation
            assert f"{substantive} that say something" in decision.explanation
