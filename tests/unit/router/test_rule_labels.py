"""The queue's rule filter names each rule in Vietnamese words, never by its id."""

from __future__ import annotations

import re

import pytest

from services.router.console.rule_labels import OTHER_VI, rule_choices, rule_label
from services.router.domain.rules import RuleSet, load_rules

RULES = load_rules()
NAMES = {"STNMT": "Sở Tài nguyên và Môi trường", "STC": "Sở Tài chính"}


def name_of(code: str) -> str:
    return NAMES.get(code, f"cơ quan {code}")


def every_rule_id(rules: RuleSet) -> list[str]:
    sections = (rules.competence_rules, rules.actor_rules, rules.special_targets)
    return [rule.id for section in sections for rule in section] + [d.id for d in rules.departments]


def test_every_rule_of_the_packaged_file_has_its_own_words() -> None:
    ids = every_rule_id(RULES)
    choices = rule_choices(ids, rules=RULES, name_of=name_of)
    assert sorted(i for i, _ in choices) == sorted(ids)  # the id stays the value
    labels = [label for _, label in choices]
    assert len(set(labels)) == len(labels), "two rules read the same"
    for rule_id, label in choices:
        assert rule_id not in label and "_" not in label, label
        assert label != OTHER_VI, rule_id  # every rule of the file is known
        assert not re.search(r"\([0-9]+\)$", label), label  # no numbering needed


@pytest.mark.parametrize(
    ("rule_id", "words"),
    [
        ("field.STNMT", "Lĩnh vực quản lý của Sở Tài nguyên và Môi trường"),
        # words the rule looks for, and the agency it names
        ("special.fees_and_charges", "Việc giao riêng cho Sở Tài chính: lệ phí"),
        # a rule of patterns only, for one class of items (CLASS_VI)
        ("actor.local_desk", "Hành vi hành chính của bộ phận một cửa xã, huyện"),
        ("competence.central.reference", "Thẩm quyền của trung ương, căn cứ văn bản người gửi nêu"),
        ("triage.no_evidence", "Chờ phân loại: không quy tắc nào chỉ ra cơ quan"),
        ("transfer.named", "Cán bộ chuyển hồ sơ đến"),
        ("cutover.successor", "Sắp xếp tổ chức bộ máy: chuyển cơ quan tiếp nhận nhiệm vụ"),
        ("class.behaviour.delay", OTHER_VI),  # not a routing rule: never a case's rule
        ("r", OTHER_VI),
    ],
)
def test_a_rule_in_words(rule_id: str, words: str) -> None:
    assert rule_label(rule_id, rules=RULES, name_of=name_of) == words


def test_rules_reading_the_same_are_told_apart_and_sorted_as_vietnamese() -> None:
    choices = rule_choices(
        ["old.one", "old.two", "transfer.named", "field.STC"], rules=RULES, name_of=name_of
    )
    assert choices == [
        ("transfer.named", "Cán bộ chuyển hồ sơ đến"),
        ("field.STC", "Lĩnh vực quản lý của Sở Tài chính"),
        ("old.one", OTHER_VI),
        ("old.two", f"{OTHER_VI} (2)"),
    ]
