"""Issue 14: the routing reason in officers' words, and separation of duties on answers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.router.domain.explain import officer_reason
from services.router.settings import RouterSettings
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import LAND_RULE, VAGUE

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


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)  # → STNMT
    await harness.accept("vague", VAGUE)  # → TRIAGE
    yield harness
    await harness.close()


async def test_the_case_page_shows_no_rule_ids_figures_or_hashes(console: Console) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    page = (await officer.get("/can-bo/ho-so/land")).text
    assert "Lý do chuyển đến cơ quan này" in page
    routing = page.split("<h2>Định tuyến</h2>")[1].split("</table>")[0]
    case = await console.router.case("land")
    assert case.rule_id not in routing and "Độ tin cậy" not in page
    assert case.calendar_version not in page
    assert not re.search(r"\b0\.\d+\b", routing), routing
    head = await console.officer("ld.vpub", "VPUB", "supervisor")
    triage = (await head.get("/can-bo/ho-so/vague")).text
    assert "chưa đủ căn cứ" in triage and "confidence" not in triage


async def _draft(console: Console, client, case_id: str = "land") -> str:  # type: ignore[no-untyped-def]
    page = f"/can-bo/ho-so/{case_id}"
    saved = await console.post_form(
        client, page, f"{page}/du-thao", {"answer": "Sở đã trả lời.", "outcome": "answered"}
    )
    assert saved.status_code == 303
    found = re.search(r"/can-bo/du-thao/(\d+)/huy", (await client.get(page)).text)
    assert found
    return found.group(1)


async def test_a_head_does_not_approve_the_draft_they_wrote(console: Console) -> None:
    head = await console.officer("ld.stnmt", "STNMT", "head")
    draft = await _draft(console, head)
    page = (await head.get("/can-bo/ho-so/land")).text
    assert "người soạn không tự duyệt" in page and "Duyệt và công bố" not in page
    own = await console.post_form(head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft}/duyet", {})
    assert own.status_code == 409 and "không tự duyệt" in own.text
    other = await console.officer("ld2.stnmt", "STNMT", "head")
    approved = await console.post_form(
        other, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft}/duyet", {}
    )
    assert approved.status_code == 303


async def test_an_agency_allowed_by_the_settings_may_self_approve(console: Console) -> None:
    console.settings.console_self_approval_agencies = "SXD, STNMT"
    head = await console.officer("ld.stnmt", "STNMT", "head")
    draft = await _draft(console, head)
    assert "Duyệt và công bố" in (await head.get("/can-bo/ho-so/land")).text
    own = await console.post_form(head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft}/duyet", {})
    assert own.status_code == 303


def test_the_self_approval_setting_reads_a_list_of_codes() -> None:
    settings = RouterSettings(console_self_approval_agencies=" stnmt ;SXD,, ")
    assert settings.self_approval == frozenset({"STNMT", "SXD"})
    assert RouterSettings().self_approval == frozenset()
