"""The queue's filter by routing rule, in words an officer reads (issue 14). Pure.

A case keeps the id of the rule that sent it where it is (`RoutedCase.rule_id`:
"field.STNMT", "actor.local_desk", "triage.no_evidence", "transfer.named"); the rules file
gives its rules no names, so each label is made from what the rule is: its family (the id's
first part), the agency it names, which class of item it applies to (`CLASS_VI`), the first
words it looks for, and for a rule that looks only for patterns (regular expressions, no
words to quote) a few words saying what they find. The id stays the option's value, so the
queue's links keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from schemas.vocabulary import CLASS_VI
from services.kit.text import fold
from services.router.domain.rules import CompetenceRule, RuleSet, TargetRule

# What the patterns of each rule find, by the id's last part (the rules without words).
_FINDS_VI = {
    "reference": "văn bản người gửi nêu",
    "issuer": "cơ quan ban hành văn bản được nêu trong nội dung",
    "addressee": "nơi người gửi đề nghị",
    "local_arrangement": "việc của UBND xã, huyện được nêu",
    "text": "nội dung viện dẫn luật, nghị định, thông tư",
    "law_named": "nội dung nêu một đạo luật",
    "local_authority": "UBND xã, huyện",
    "local_desk": "bộ phận một cửa xã, huyện",
    "one_stop_desk": "bộ phận một cửa",
    "local_official": "cán bộ, công chức xã, phường",
    "local_visit": "xã, phường nơi người dân đến làm việc",
    "local_authority_said": "xã, huyện đã trả lời, hẹn hoặc từ chối",
    "district_office": "phòng chuyên môn cấp huyện",
    "local_addressee": "xã, huyện được đề nghị chấn chỉnh",
    "department_addressee": "sở, ngành được đề nghị",
    "operator_forward": "nơi điện thoại viên ghi chuyển đến",
    "postal_procedures": "gửi, nhận hồ sơ qua bưu điện",
    "no_rules": "chưa có bộ quy tắc cho ngày tiếp nhận",
    "no_evidence": "không quy tắc nào chỉ ra cơ quan",
    "no_untried_agency": "các cơ quan phù hợp đều đã từng giữ hồ sơ",
}
_LEVEL_VI = {
    "central": "Thẩm quyền của trung ương",
    "province": "Thẩm quyền của tỉnh (sở theo lĩnh vực)",
    "district": "Thẩm quyền của chính quyền địa phương",
}
_FIXED_VI = {  # the ids the router gives besides the rules file's
    "transfer.named": "Cán bộ chuyển hồ sơ đến",
    "transfer.to_triage": "Cán bộ trả hồ sơ về hàng chờ phân loại",
    "triage.assigned": "Văn phòng UBND tỉnh phân loại và giao xử lý",
    "cutover.successor": "Sắp xếp tổ chức bộ máy: chuyển cơ quan tiếp nhận nhiệm vụ",
    "cutover.triage": "Sắp xếp tổ chức bộ máy: chờ phân loại lại",
}
OTHER_VI = "Quy tắc định tuyến khác (không còn trong bộ quy tắc)"


def _finds(rule_id: str, rule: TargetRule | CompetenceRule | None) -> str:
    """What the rule looks for: its own first words, else what its patterns find."""
    if rule is not None and rule.when.any:
        return rule.when.any[0]
    if rule is not None and rule.when.all:
        return ", ".join(group[0] for group in rule.when.all)
    return _FINDS_VI.get(rule_id.rsplit(".", 1)[-1], "")


def _joined(head: str, tail: str, glue: str = ": ") -> str:
    return f"{head}{glue}{tail}" if tail else head


def _by_id(rules: RuleSet) -> dict[str, TargetRule | CompetenceRule]:
    every: list[TargetRule | CompetenceRule] = [
        *rules.competence_rules,
        *rules.actor_rules,
        *rules.special_targets,
    ]
    return {rule.id: rule for rule in every}


def rule_label(rule_id: str, *, rules: RuleSet, name_of: Callable[[str], str]) -> str:
    """The words for `rule_id`; `name_of` gives an agency's name from its code."""
    if rule_id in _FIXED_VI:
        return _FIXED_VI[rule_id]
    family, _, rest = rule_id.partition(".")
    rule = _by_id(rules).get(rule_id)
    if family == "field" and rest:
        return f"Lĩnh vực quản lý của {name_of(rest)}"
    if family == "triage":
        return _joined("Chờ phân loại", _finds(rule_id, None))
    if isinstance(rule, CompetenceRule):
        return _joined(_LEVEL_VI[rule.level], _finds(rule_id, rule), ", căn cứ ")
    if family == "special" and rule is not None:
        return _joined(f"Việc giao riêng cho {name_of(rule.target)}", _finds(rule_id, rule))
    if family == "actor" and rule is not None:
        if rule.applies_to == ("behaviour",):
            return _joined(CLASS_VI["behaviour"], _finds(rule_id, rule), " của ")
        return _joined("Cơ quan được nêu", _finds(rule_id, rule))
    return OTHER_VI


def rule_choices(
    rule_ids: Iterable[str], *, rules: RuleSet, name_of: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(id, label) for the filter, by label; two rules never show the same words."""
    labelled = sorted(
        ((rule_label(i, rules=rules, name_of=name_of), i) for i in rule_ids),
        key=lambda pair: (fold(pair[0]), pair[1]),
    )
    seen: dict[str, int] = {}
    choices = []
    for label, rule_id in labelled:
        seen[label] = seen.get(label, 0) + 1
        choices.append((rule_id, label if seen[label] == 1 else f"{label} ({seen[label]})"))
    return choices
