"""Issue 14 through the intake's web form on a migrated SQLite database: the form answers with
its receipt (Post/Redirect/Get) and a resend is the same case (the repeat rule itself:
tests/unit/intake/test_form_repeats.py)."""

from __future__ import annotations

from tests.unit.intake.http_support import GOOD, Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]


async def test_the_form_redirects_to_its_receipt_and_a_resend_is_the_same_case(
    intake: Intake,
) -> None:
    first = await intake.client.post("/gui-phan-anh", data=GOOD)
    again = await intake.client.post("/gui-phan-anh", data=GOOD)
    assert (first.status_code, again.status_code) == (303, 303)
    location = first.headers["location"]
    assert location.startswith("/bien-nhan/GL-") and location.endswith("?moi=1")
    assert again.headers["location"] == location and len(await intake.cases()) == 1
    receipt = await intake.client.get(location)
    page = receipt.text
    assert receipt.status_code == 200 and "Tải lại trang này không gửi lại" in page
    assert "3 ngày làm việc" in page and "10 ngày làm việc" in page
    settings = intake.service.settings
    for published in (settings.hotline_number, settings.hotline_hours, settings.pakn_email):
        assert published in page
    assert "/kenh-tiep-nhan" in page and "/gui-phan-anh" in page
    plain = await intake.client.get(location.split("?")[0])  # printed later: no banner
    assert "Tải lại trang này" not in plain.text and "10 ngày làm việc" in plain.text


async def test_a_refused_item_s_receipt_says_why_instead_of_deadlines(intake: Intake) -> None:
    form = {**GOOD, "content": "Tôi tố cáo cán bộ xã nhận hối lộ khi làm thủ tục."}
    sent = await intake.client.post("/gui-phan-anh", data=form)
    assert sent.status_code == 303
    (case,) = await intake.cases()
    page = (await intake.client.get(sent.headers["location"])).text
    if case.status == "refused":
        assert 'id="ly-do"' in page and 'id="thoi-han"' not in page
    else:  # the register may accept it for the office to look at: then the deadlines
        assert 'id="thoi-han"' in page
