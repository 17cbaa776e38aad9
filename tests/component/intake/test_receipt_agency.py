"""The receipt names the agency and the router's dates once the routing reached the intake,
and before that says the agency is being decided and where to follow it (issue 14)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from services.intake.channels.receipt_handling import handling
from services.intake.models import CaseRouting
from tests.unit.intake.http_support import GOOD, PORTAL_AUTH, Intake, intake, migrated_db
from tests.unit.intake.routing_events import (
    SYT,
    answered,
    deliver,
    extended,
    info_requested,
    registered,
    routed,
)

__all__ = ["intake", "migrated_db"]


def _part(page: str, element_id: str) -> str:
    """The text of the element with `element_id`, tags removed, spaces collapsed."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|ol|p)>', page, re.S)
    assert found, page
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


async def _receipt(intake: Intake, code: str) -> str:
    response = await intake.client.get(f"/bien-nhan/{code}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # a reload asks again
    return response.text


async def test_before_the_routing_the_agency_is_being_decided(intake: Intake) -> None:
    case = await registered(intake)
    page = await _receipt(intake, case.tracking_code)
    agency = _part(page, "co-quan")
    assert "Đang xác định cơ quan có thẩm quyền" in agency and "vài phút" in agency
    assert f"https://pakn.gialai.gov.vn/tra-cuu/{case.tracking_code}" in agency
    assert f'href="/bien-nhan/{case.tracking_code}"' in page  # reload it, no script
    steps = _part(page, "thoi-han")
    assert "3 ngày làm việc" in steps and "10 ngày làm việc" in steps  # the general rule
    assert not re.search(r"\d\d/\d\d/\d{4}", steps)
    assert _part(page, "tinh-trang") == "Đã tiếp nhận, đang chờ phân loại"


async def test_once_routed_the_agency_and_its_dates_replace_the_general_periods(
    intake: Intake,
) -> None:
    case = await registered(intake)
    await deliver(intake, routed(case))
    page = await _receipt(intake, case.tracking_code)
    assert _part(page, "co-quan") == SYT
    steps = _part(page, "thoi-han")
    assert f"{SYT} trả lời: chậm nhất ngày 16/12/2026" in steps
    assert "3 ngày làm việc" not in steps and "trong 10 ngày làm việc" not in steps
    assert "Đang xác định" not in page and 'id="tai-lai"' not in page
    assert _part(page, "tinh-trang") == "Đã chuyển đến cơ quan có thẩm quyền"
    assert "Nội dung riêng của người gửi" not in page  # the routing's text is not kept

    await deliver(intake, extended(case, date(2026, 12, 30)))
    steps = _part(await _receipt(intake, case.tracking_code), "thoi-han")
    assert "chậm nhất ngày 30/12/2026 (đã gia hạn một lần" in steps


async def test_a_reload_shows_the_agency_once_the_routing_arrives(intake: Intake) -> None:
    case = await registered(intake)
    new = await intake.client.get(f"/bien-nhan/{case.tracking_code}?moi=1")
    assert "Đang xác định" in _part(new.text, "co-quan")
    assert f'href="/bien-nhan/{case.tracking_code}?moi=1"' in new.text
    await deliver(intake, routed(case))
    again = await intake.client.get(f"/bien-nhan/{case.tracking_code}?moi=1")
    assert _part(again.text, "co-quan") == SYT


async def test_the_triage_queue_says_the_office_is_choosing_by_its_date(intake: Intake) -> None:
    case = await registered(intake)
    await deliver(intake, routed(case, "TRIAGE", "Văn phòng UBND tỉnh Gia Lai"))
    page = await _receipt(intake, case.tracking_code)
    assert _part(page, "co-quan") == (
        "Chưa xác định: Văn phòng UBND tỉnh Gia Lai đang xem xét để chọn cơ quan có thẩm "
        "quyền, chậm nhất ngày 07/12/2026."
    )
    steps = _part(page, "thoi-han")
    assert "chậm nhất ngày 07/12/2026" in steps and "chậm nhất ngày 16/12/2026" in steps
    assert "TRIAGE" not in page


async def test_a_case_for_the_national_system_says_where_it_went(intake: Intake) -> None:
    case = await registered(intake)
    national = "Hệ thống thông tin tiếp nhận xử lý PAKN quốc gia"
    await deliver(intake, routed(case, "QG", national))
    page = await _receipt(intake, case.tracking_code)
    assert _part(page, "co-quan") == national
    steps = _part(page, "thoi-han")
    assert f"được chuyển đến {national}: chậm nhất ngày 09/12/2026" in steps
    assert "công khai trên Hệ thống tiếp nhận, trả lời phản ánh, kiến nghị quốc gia" in steps


async def test_a_stopped_clock_and_an_answer_are_said(intake: Intake) -> None:
    case = await registered(intake)
    await deliver(intake, routed(case), info_requested(case))
    page = await _receipt(intake, case.tracking_code)
    assert "thời hạn trả lời tạm dừng" in _part(page, "thoi-han")
    assert "16/12/2026" not in _part(page, "thoi-han")  # no date the stop made wrong
    await deliver(intake, answered(case))
    page = await _receipt(intake, case.tracking_code)
    assert _part(page, "tinh-trang") == "Đã được trả lời ngày 11/12/2026"
    assert "có thể được gia hạn" not in _part(page, "thoi-han")  # nothing left to extend
    assert f"/tra-cuu/{case.tracking_code}" in _part(page, "da-tra-loi")


async def test_a_refused_item_s_receipt_names_no_agency(intake: Intake) -> None:
    anonymous = {**GOOD, "channel": "portal", "name": "ẩn danh", "phone": "", "address": ""}
    sent = await intake.client.post("/api/submissions", json=anonymous, headers=PORTAL_AUTH)
    assert sent.json()["status"] == "refused", sent.text
    page = await _receipt(intake, sent.json()["tracking_code"])
    assert 'id="co-quan"' not in page and 'id="ly-do"' in page
    assert _part(page, "tinh-trang") == "Không được tiếp nhận xử lý"


def test_the_words_of_each_state() -> None:
    row = CaseRouting(
        case_id="c1",
        agency="SYT",
        agency_name="",
        due_classify=date(2026, 12, 7),
        due_forward=date(2026, 12, 9),
        due_answer=date(2026, 12, 16),
    )
    assert handling(None).where == "unknown" and not handling(None).known
    shown = handling(row)
    assert (shown.where, shown.agency_name, shown.due_answer) == ("agency", "SYT", "16/12/2026")
    row.agency = "TRIAGE"
    assert handling(row).where == "triage" and handling(row).status_vi.endswith("đang phân loại")
