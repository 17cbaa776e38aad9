"""A citizen fills the public form in a real browser, leaves with a tracking code, prints
the receipt and finds the case on the status page."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.conftest import LiveSystem, navigate

FORM = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "title": "Kiến nghị sửa quy định về hạn mức đất ở <b>gấp</b>",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
}


def test_a_citizen_submits_the_form_and_looks_the_case_up(
    live_system: LiveSystem,
    browser: WebDriver,
) -> None:
    browser.get(live_system.url + "/gui-phan-anh")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # empty: the browser
    assert browser.current_url.endswith("/gui-phan-anh")  # itself asks for the required fields
    for field, value in FORM.items():
        browser.find_element(By.ID, field).send_keys(value)
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    code = browser.find_element(By.ID, "ma-tra-cuu").text  # the receipt (303 after the POST)
    assert code.startswith("GL-") and len(code) == 12
    assert browser.current_url.endswith(f"/bien-nhan/{code}?moi=1")
    public = browser.find_element(By.TAG_NAME, "main").text
    assert "hạn mức đất ở" not in public and "Nguyễn Thị Hoa" not in public  # the code alone
    browser.find_element(By.ID, "lien_he").send_keys("0905123456")  # proves the submitter
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/bien-nhan'] button"))
    receipt = browser.find_element(By.TAG_NAME, "main").text
    assert "<b>gấp</b>" in receipt  # shown as typed, not as markup
    assert "0905" not in receipt

    browser.get(live_system.url + "/tra-cuu")
    browser.find_element(By.ID, "ma").send_keys(code.lower())
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    deadline = time.monotonic() + 15
    while code not in browser.find_element(By.TAG_NAME, "main").text:
        # The case reaches the public status page through the bus; it may take a moment.
        assert time.monotonic() < deadline, browser.find_element(By.TAG_NAME, "main").text
        time.sleep(0.3)
        browser.get(live_system.url + f"/tra-cuu/{code}")
    assert "Nguyễn Thị Hoa" not in browser.page_source


def test_errors_are_listed_and_each_leads_to_its_field(
    live_system: LiveSystem, browser: WebDriver
) -> None:
    browser.get(live_system.url + "/gui-phan-anh")
    browser.find_element(By.ID, "name").send_keys("Nguyễn Văn An")
    browser.find_element(By.ID, "email").send_keys("an@example.com")
    browser.find_element(By.ID, "content").send_keys("Đề nghị đơn giản hóa thủ tục.")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    summary = browser.find_element(By.ID, "loi")
    link = summary.find_element(By.CSS_SELECTOR, "a[href='#address']")
    assert "địa chỉ hoặc số điện thoại" in link.text
    link.click()
    assert browser.switch_to.active_element.get_attribute("id") == "address"
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Nguyễn Văn An"
