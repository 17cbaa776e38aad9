"""A citizen finds a published answer by typing without diacritics, in a real browser with
JavaScript switched off: the public pages need none."""

from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.conftest import LiveSystem, navigate, until

# A public submission is received now (the public API decides channel and time itself):
# the Sở Tài nguyên và Môi trường it names is today's Sở Nông nghiệp và Môi trường.
SUBMISSION = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "email": "hoa.nguyen@example.com",
    "title": "Kiến nghị sửa quy định về hạn mức công nhận đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa "
        "phù hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
    ),
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
}
ANSWER = "Sở đã tiếp thu kiến nghị, sẽ trình sửa đổi hạn mức đất ở trong quý tới."


def test_search_without_diacritics_finds_and_opens_the_answer(
    live_system: LiveSystem, browser: WebDriver
) -> None:
    created = httpx.post(f"{live_system.url}/api/submissions", json=SUBMISSION, timeout=10)
    assert created.status_code == 201, created.text
    code = created.json()["tracking_code"]
    until(lambda: live_system.status(code).get("status") == "routed", "the routing")

    assert live_system.status(code)["agency"] == "SNNMT"
    live_system.answer_as_agency("SNNMT", code, ANSWER)
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    until(lambda: live_system.status(code).get("status") == "answered", "the answer")

    browser.get(live_system.url + "/tra-loi")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    search = browser.find_element(By.ID, "q")
    label = browser.find_element(By.CSS_SELECTOR, "label[for='q']")
    assert "không dấu" in label.text
    search.send_keys("han muc cong nhan dat o")
    navigate(
        browser, browser.find_element(By.XPATH, "//form[@role='search']//button[@type='submit']")
    )
    assert "q=han+muc" in browser.current_url
    results = browser.find_element(By.ID, "ket-qua").text
    assert results.startswith("Kết quả: 1 ")
    navigate(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "hạn mức công nhận đất ở"))

    assert browser.current_url.endswith(f"/tra-cuu/{code}")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert ANSWER in main and "Đã trả lời" in main
    assert "Nguyễn Thị Hoa" not in main and "0905 123 456" not in main
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table th[scope='col']")]
    assert headers == ["Bước", "Hạn", "Kết quả"]

    browser.get(live_system.url + "/thong-ke")
    chart = browser.find_element(By.CSS_SELECTOR, "svg[role='img']")
    assert chart.is_displayed() and chart.get_attribute("aria-labelledby")
    table = browser.find_element(By.TAG_NAME, "table").text
    assert "Sở Nông nghiệp và Môi trường" in table and "Toàn tỉnh" in table
