"""The rules and agencies files: what they contain, and how a bad file is refused."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.router.domain.agencies import (
    DEFAULT_AGENCIES,
    AgencyDataError,
    load_agencies,
    parse_agencies,
)
from services.router.domain.matching import (
    MARKED,
    Condition,
    normalise,
    normalise_pair,
    phrases,
    typed_with_diacritics,
)
from services.router.domain.rules import (
    DEFAULT_RULES,
    RulesError,
    RuleSet,
    load_rules,
    parse_rules,
)


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def raw_rules() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def rules_data(raw_rules: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(raw_rules)


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    for section in (
        "class_rules",
        "kind_rules",
        "competence_rules",
        "actor_rules",
        "special_targets",
    ):
        for rule in data[section]:
            if rule["id"] == rule_id:
                return rule
    raise LookupError(rule_id)


# --- the shipped files ---------------------------------------------------------------


def test_shipped_rules_load_and_every_target_is_a_known_agency() -> None:
    rules = load_rules(agencies=load_agencies())
    assert rules.version
    assert rules.thresholds.triage_below == 0.5
    assert {d.code for d in rules.districts} == {
        "PLK",
        "AKE",
        "AYP",
        "KBA",
        "DDO",
        "CPA",
        "IGR",
        "MYA",
        "KCH",
        "DCO",
        "CPR",
        "CSE",
        "DPO",
        "IPA",
        "KPA",
        "PTH",
        "CPU",
    }


def test_shipped_agencies_match_the_2023_structure() -> None:
    agencies = load_agencies()
    assert len(agencies.codes) == 38
    assert agencies.get("STNMT") is not None
    assert agencies.get("NOPE") is None
    levels = {a.code: a.level for a in agencies.agencies}
    assert levels["QG"] == "central" and levels["PLK"] == "district"
    assert levels["VPUB"] == "province"


def test_agencies_of_the_2023_structure_are_gone_after_the_merger() -> None:
    agencies = load_agencies()
    assert agencies.active_on(date(2023, 1, 1)).codes == agencies.codes
    assert agencies.active_on(date(2025, 6, 30)).get("KBA") is not None
    assert agencies.active_on(date(2025, 7, 1)).codes == ()


def test_rules_are_in_force_only_for_the_2023_structure(shipped: RuleSet) -> None:
    assert shipped.in_force(date(2023, 1, 1)) and shipped.in_force(date(2025, 6, 30))
    assert not shipped.in_force(date(2025, 7, 1))
    assert not shipped.in_force(date(2022, 12, 31))


# --- agencies: validation --------------------------------------------------------------


def _agency(**changes: Any) -> dict[str, Any]:
    base = {
        "code": "SXD",
        "level": "province",
        "name_vi": "Sở Xây dựng",
        "name_en": "Department of Construction",
        "email": "pakn.sxd@gialai.gov.vn",
        "effective_from": date(2023, 1, 1),
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_agency(), _agency()], "SXD"),
        ([_agency(email="not-an-address")], "e-mail"),
        ([_agency(level="ward")], "level"),
        ([_agency(code="sxd")], "code"),
        ([_agency(effective_to=date(2022, 1, 1))], "effective_to"),
    ],
    ids=["duplicate-code", "bad-email", "unknown-level", "lower-case-code", "dates-reversed"],
)
def test_a_bad_agencies_file_is_refused(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(AgencyDataError, match=message):
        parse_agencies({"agencies": entries})


def test_an_unreadable_agencies_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AgencyDataError, match="cannot read"):
        load_agencies(tmp_path / "missing.yaml")
    assert load_agencies(DEFAULT_AGENCIES).codes  # the explicit path works too


# --- rules: a bad file names the bad rule ----------------------------------------------


def test_a_bad_regular_expression_names_its_rule(rules_data: dict[str, Any]) -> None:
    _rule(rules_data, "class.behaviour.delay")["when"]["patterns"] = ["(unclosed"]
    with pytest.raises(RulesError, match=r"class\.behaviour\.delay.*bad pattern"):
        parse_rules(rules_data)


def test_an_unknown_target_names_its_rule(rules_data: dict[str, Any]) -> None:
    _rule(rules_data, "special.portal_fault")["target"] = "somewhere else"
    with pytest.raises(RulesError, match=r"special\.portal_fault"):
        parse_rules(rules_data)


def test_a_rule_that_matches_nothing_names_itself(rules_data: dict[str, Any]) -> None:
    _rule(rules_data, "kind.feedback.explicit")["when"] = {"scope": "text"}
    with pytest.raises(RulesError, match=r"kind\.feedback\.explicit.*matches nothing"):
        parse_rules(rules_data)


def test_an_unknown_class_names_its_rule(rules_data: dict[str, Any]) -> None:
    _rule(rules_data, "class.regulation.critique")["class"] = "complaint"
    with pytest.raises(RulesError, match=r"class\.regulation\.critique"):
        parse_rules(rules_data)


def test_a_misspelt_field_names_its_rule(rules_data: dict[str, Any]) -> None:
    _rule(rules_data, "actor.local_desk")["wieght"] = 3
    with pytest.raises(RulesError, match=r"actor\.local_desk.*wieght"):
        parse_rules(rules_data)


def test_a_duplicate_id_is_refused(rules_data: dict[str, Any]) -> None:
    rules_data["kind_rules"].append(copy.deepcopy(rules_data["kind_rules"][0]))
    with pytest.raises(RulesError, match=r"kind\.petition\.explicit.*used twice"):
        parse_rules(rules_data)


def test_an_unknown_agency_code_is_refused_at_load(
    tmp_path: Path, rules_data: dict[str, Any]
) -> None:
    _rule(rules_data, "special.ethnic_policy")["target"] = "UBDT"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules_data, allow_unicode=True), encoding="utf-8")
    assert load_rules(path).version  # well-formed on its own
    with pytest.raises(RulesError, match="UBDT"):
        load_rules(path, agencies=load_agencies())


@pytest.mark.parametrize("content", ["- just\n- a list\n", "version: [unclosed\n"])
def test_a_file_that_is_not_a_rules_mapping_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError, match=str(path)):
        load_rules(path)


def test_a_rule_out_of_its_dates_is_dropped(rules_data: dict[str, Any]) -> None:
    _rule(rules_data, "special.portal_fault")["effective_to"] = date(2023, 12, 31)
    rules = parse_rules(rules_data)
    ids = lambda day: {r.id for r in rules.active_on(day).special_targets}  # noqa: E731
    assert "special.portal_fault" in ids(date(2023, 6, 1))
    assert "special.portal_fault" not in ids(date(2024, 1, 1))


# --- matching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Sở Tư pháp", "so tu phap"),
        ("TP. Pleiku", "tp pleiku"),
        ("huyện K'Bang", "huyen kbang"),
        ("Sở LĐ-TB&XH", "so ld tb xh"),
        ("Chậm! Đến nay vẫn chưa", "cham . den nay van chua"),
        ("  ĐỨC   CƠ  ", "duc co"),
    ],
)
def test_every_text_is_matched_in_one_normal_form(raw: str, normal: str) -> None:
    assert normalise(raw) == normal


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("xã Ia Rsươm", "KPA"),
        ("xa ia rsuom", "KPA"),
        ("phường Cheo Reo", "AYP"),
        ("thi tran Iakha", "IGR"),
        ("thị trấn Nhơn Hòa", "CPU"),
        ("xã Đăk Pling", "KCH"),
        ("huyện Đắk Đoa", "DDO"),
        ("TP. Pleiku", "PLK"),
    ],
)
def test_the_gazetteer_places_communes_in_their_district(
    shipped: RuleSet, text: str, district: str
) -> None:
    normal = normalise(text)
    found = {d.code for d in shipped.districts if d.prefixed_in(normal)}
    assert found == {district}


def test_a_commune_name_shared_by_two_districts_is_ambiguous_alone(shipped: RuleSet) -> None:
    found = {d.code for d in shipped.districts if d.prefixed_in(normalise("xã Ia Sao"))}
    assert found == {"IGR", "AYP"}


@pytest.mark.parametrize(
    "raw",
    ["Sở LĐ-TB&XH, TP. Pleiku!", "huyện K'Bang;  xã Đăk Pling", "ﬁ x\u0301 Đ.Đ", "", "  "],
)
def test_the_marked_text_is_aligned_with_the_normal_form(raw: str) -> None:
    folded, marked = normalise_pair(raw)
    assert folded == normalise(raw)
    assert len(marked) == len(folded)
    assert normalise(marked) == folded


# (phrase, text, found): a text typed with diacritics must carry the phrase's own; one typed
# without them matches on the folded form.
SPELLINGS = [
    ("chậm", "UBND xã chậm cấp giấy", True),
    ("chậm", "ông Rơ Châm Hiếu", False),
    ("chậm", "xa cham cap giay", True),
    ("bỏ thủ tục", "đề nghị bỏ thủ tục này", True),
    ("bỏ thủ tục", "theo bộ thủ tục đã công bố", False),
    ("thuê đất", "miễn thuế đất cho hộ nghèo", False),
    ("hòa giải", "tổ hoà giải ở thôn", True),  # the tone mark may sit on either vowel
    ("Lào", "người lao động", False),
    ("Lào", "nguoi lao dong", True),  # typed without diacritics, nothing tells them apart
]


def _texts(text: str) -> dict[str, str]:
    folded, marked = normalise_pair(text)
    return {"text": folded, "text" + MARKED: marked if typed_with_diacritics(marked) else ""}


@pytest.mark.parametrize(("phrase", "text", "found"), SPELLINGS)
def test_a_phrase_is_found_only_as_it_is_spelt(phrase: str, text: str, found: bool) -> None:
    finder = phrases([phrase])
    texts = _texts(text)
    assert finder is not None
    assert finder.found(texts["text"], texts["text" + MARKED]) is found


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Cán bộ xã chậm trả kết quả", True),
        ("Can bo xa cham tra ket qua", True),
        ("Tôi lo chăm sóc mẹ già", False),
        ("Toi lo cham soc me gia", False),  # without diacritics only `not_in` tells them apart
    ],
)
def test_not_in_masks_a_phrase_that_means_something_else(text: str, fires: bool) -> None:
    condition = Condition.model_validate({"any": ["chậm"], "not_in": ["chăm sóc"]})
    assert bool(condition.hits(_texts(text))) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Tôi đã đến xã 3 lần", True),
        ("Toi da den xa 3 lan", True),
        ("Đèn đường hỏng, đã báo 3 lần", False),
    ],
)
def test_spelled_words_of_a_pattern_must_carry_their_diacritics(text: str, fires: bool) -> None:
    condition = Condition.model_validate(
        {"patterns": [r"\bden\b[^.]{0,40}?\b\d+ lan\b"], "spelled": ["đến", "lần"]}
    )
    assert bool(condition.hits(_texts(text))) is fires


def test_a_one_letter_word_is_not_run_into_the_word_before(shipped: RuleSet) -> None:
    """ "xã Chư Á" may be written "xã Chư A" but "xã chưa" is not that commune."""
    assert {d.code for d in shipped.districts if d.prefixed_in(normalise("xã Chư Á"))} == {"PLK"}
    assert not [d.code for d in shipped.districts if d.prefixed_in(normalise("xã chưa duyệt"))]
    assert {d.code for d in shipped.districts if d.prefixed_in(normalise("xã Iakha"))} == {"IGR"}


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        (
            "Theo chính sách khuyến nông của tỉnh, chỉ hỗ trợ VietGAP.",
            "chinh sach khuyen nong cua tinh chi ho tro vietgap",
        ),
        ("Quy định này không phù hợp.", ""),
    ],
)
def test_citations_keep_what_the_text_says_of_the_regulation(
    shipped: RuleSet, text: str, cited: str
) -> None:
    assert shipped.citations is not None
    hits = shipped.citations.hits(_texts(text))
    assert " . ".join(m.group(0) for m in hits) == cited
