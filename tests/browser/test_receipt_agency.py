"""The receipt with the agency and the deadlines (issue 14): a citizen sends the form, and
the receipt, reloaded without any script, names the agency the router chose and the dates
it set, as the public status page has them."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.conftest import LiveSystem, navigate, until

FORM = {
    "name": "Trần Văn Bình",
    "address": "thôn 2, xã Ia Grai, tỉnh Gia Lai",
    "phone": "0912 345 678",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
}
ROUTED_WITHIN_S = 30


def _agency_on_receipt(browser: WebDriver) -> str:
    """The receipt's agency once known, reloading it by its own link (no script) while it
    says the agency is being decided; at most `ROUTED_WITHIN_S` seconds."""
    deadline = time.monotonic() + ROUTED_WITHIN_S
    while "Đang xác định" in (shown := browser.find_element(By.ID, "co-quan").text):
        assert time.monotonic() < deadline, f"still not routed: {shown}"
        time.sleep(0.3)
        navigate(browser, browser.find_element(By.ID, "tai-lai"))
    return shown


def _routed(live: LiveSystem, code: str) -> dict[str, Any] | None:
    status = live.status(code)
    return status if status.get("agency_name") else None


def test_the_receipt_names_the_agency_and_its_deadlines(
    live_system: LiveSystem, browser: WebDriver
) -> None:
    browser.get(live_system.url + "/gui-phan-anh")
    for field, value in FORM.items():
        browser.find_element(By.ID, field).send_keys(value)
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    code = browser.find_element(By.ID, "ma-tra-cuu").text
    assert browser.current_url.endswith(f"/bien-nhan/{code}?moi=1")

    shown = _agency_on_receipt(browser)
    status = until(lambda: _routed(live_system, code), "the status page's agency")
    assert status["agency"] != "TRIAGE", status  # this text has a clear agency
    assert shown == status["agency_name"]
    due = date.fromisoformat(status["due_answer"]).strftime("%d/%m/%Y")
    steps = browser.find_element(By.ID, "thoi-han").text
    assert f"{shown} trả lời: chậm nhất ngày {due}" in steps
    assert "3 ngày làm việc" not in steps  # the general periods gave way to the dates
    assert browser.find_element(By.ID, "tinh-trang").text == "Đã chuyển đến cơ quan có thẩm quyền"
    assert browser.current_url.endswith(f"/bien-nhan/{code}?moi=1")  # still the new receipt
    assert "Trần Văn Bình" not in browser.find_element(By.TAG_NAME, "main").text
