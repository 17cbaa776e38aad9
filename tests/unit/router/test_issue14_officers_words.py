"""Issue 14: the routing reason in officers' words, and the self-approval setting (the
console's pages and separation of duties on answers, on SQLite:
tests/component/router/test_issue14_officers_words.py)."""

from __future__ import annotations

import re

import pytest

from services.router.domain.explain import officer_reason
from services.router.settings import RouterSettings

TECHNICAL = re.compile(r"\d\.\d|độ tin cậy|class |rule|[0-9a-f]{10}|\bbehaviour\b|\btriage\b")


@pytest.mark.parametrize(
    ("rule_id", "agency", "name", "expected"),
    [
        ("field.STNMT", "STNMT", "Sở Tài nguyên và Môi trường", "lĩnh vực quản lý của Sở Tài"),
        ("special.portal_fault", "STTTT", "Sở Thông tin", "giao riêng cho Sở Thông tin"),
        ("actor.local_authority", "X21952", "UBND xã Tuy Phước", "thuộc UBND xã Tuy Phước"),
        ("competence.district.x", "DPK", "UBND TP Pleiku", "chính quyền địa phương"),
        ("competence.central.x", "QG", "Hệ thống PAKN quốc gia", "bộ, ngành trung ương"),
        ("triage.no_evidence", "TRIAGE", "Văn phòng UBND tỉnh", "chưa đủ căn cứ"),
    ],
)
def test_the_reason_is_a_plain_sentence(
    rule_id: str, agency: str, name: str, expected: str
) -> None:
    reasons = (
        "class behaviour 11: class.behaviour.delay 'cham' vs regulation 2",
        "agency: confidence 0.83; lịch 023a2744d27f",
        "district D622: named at 'huyện Chư Sê'",
    )
    text = officer_reason(
        agency=agency,
        agency_name=name,
        rule_id=rule_id,
        case_class="behaviour",
        kind="phan_anh",
        regulation="Quyết định 22/2016/QĐ-UBND",
        reasons=reasons,
    )
    assert expected in text
    assert "Quyết định 22/2016/QĐ-UBND" in text  # the regulation named
    assert "Hành vi hành chính".lower() in text  # the class, in words
    without_regulation = text.replace("22/2016/QĐ-UBND", "")
    assert not TECHNICAL.search(without_regulation), text
    assert "0.83" not in text and "023a2744d27f" not in text and rule_id not in text


def test_the_place_recognised_is_said() -> None:
    text = officer_reason(
        agency="X1",
        agency_name="UBND phường Pleiku",
        rule_id="competence.district.land",
        reasons=("xã: Hội Thương (cũ); theo địa chỉ người gửi: 123",),
    )
    assert "theo địa chỉ người gửi" in text and "123" not in text


def test_an_officers_decision_is_given_as_written() -> None:
    text = officer_reason(
        agency="SXD",
        agency_name="Sở Xây dựng",
        rule_id="transfer.named",
        reasons=("Thuộc lĩnh vực xây dựng",),
        decided_by="cb.stnmt",
    )
    assert text == "Cán bộ chuyển đến Sở Xây dựng: Thuộc lĩnh vực xây dựng"


def test_the_self_approval_setting_reads_a_list_of_codes() -> None:
    settings = RouterSettings(console_self_approval_agencies=" stnmt ;SXD,, ")
    assert settings.self_approval == frozenset({"STNMT", "SXD"})
    assert RouterSettings().self_approval == frozenset()
