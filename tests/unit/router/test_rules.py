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
from services.router.domain.matching import normalise
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
