"""What a citizen sees (issue 14): the front door, the receipt after the form (a refresh
sends nothing again), the answer as a letter to download, and the pages at phone width."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import httpx
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.conftest import LiveSystem, navigate, until

FORM = {
    "name": "Nguyễn Thị Hoa",
    "address": "thôn 3, xã Ia Grai, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
}
ANSWER = "Sở đã tiếp thu kiến nghị, sẽ trình sửa đổi hạn mức đất ở trong quý tới."
PHONE_WIDTH = 390


def cases_in_register(live: LiveSystem) -> int:
    with sqlite3.connect(Path(live.system.data_dir) / "intake.db") as db:
        return int(db.execute("select count(*) from intake_case").fetchone()[0])


def phone_width(browser: WebDriver) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )


def scroll_width(browser: WebDriver) -> int:
    return int(browser.execute_script("return document.documentElement.scrollWidth"))


def submitted(live: LiveSystem) -> str:
    """A case sent through the form (as a browser would), its tracking code."""
    sent = httpx.post(f"{live.url}/gui-phan-anh", data=FORM, timeout=10)
    assert sent.status_code == 303, sent.text
    return sent.headers["location"].split("/")[2].split("?")[0]


def test_the_home_page_is_a_front_door_for_citizens(
    live_system: LiveSystem, browser: WebDriver
) -> None:
    browser.get(live_system.url + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Phản ánh, kiến nghị")
    links = {
        a.get_attribute("pathname") for a in browser.find_elements(By.CSS_SELECTOR, "#cua-vao a")
    }
    assert {"/gui-phan-anh", "/tra-cuu", "/tra-loi", "/kenh-tiep-nhan"} <= links
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Chủ đề" not in main and "routed" not in main and "TRIAGE" not in main
    assert "Chưa có câu trả lời nào" in main  # an empty list says so
    navigate(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Các kênh tiếp nhận"))
    channels = browser.find_element(By.ID, "kenh-tinh").text
    assert "Đường dây nóng" in channels and "Thời gian trực" in channels
    assert "pakn@gialai.gov.vn" in channels
    listed = httpx.get(live_system.url + "/kenh-tiep-nhan.json", timeout=10).json()
    assert {c["kind"] for c in listed["channels"]} == {"web", "email", "hotline", "post"}
    assert listed["agencies"]  # the router's directory reached the notifier
    # The system's dashboard is the office's, behind the console's login.
    dashboard = httpx.get(live_system.url + "/noi-bo/he-thong", timeout=10)
    assert dashboard.status_code == 303 and "/can-bo/" in dashboard.headers["location"]


def test_the_receipt_follows_the_form_and_a_refresh_sends_nothing_again(
    live_system: LiveSystem, browser: WebDriver
) -> None:
    browser.get(live_system.url + "/gui-phan-anh")
    for field, value in FORM.items():
        browser.find_element(By.ID, field).send_keys(value)
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "/bien-nhan/GL-" in browser.current_url
    code = browser.find_element(By.ID, "ma-tra-cuu").text
    receipt = browser.find_element(By.TAG_NAME, "main").text
    assert "Đã tiếp nhận phản ánh, kiến nghị" in receipt
    deadlines = browser.find_element(By.ID, "thoi-han").text
    if "Đang xác định" in browser.find_element(By.ID, "co-quan").text:  # not routed yet
        assert "3 ngày làm việc" in deadlines and "10 ngày làm việc" in deadlines
    else:  # routed already: the router's dates (tests/browser/test_receipt_agency.py)
        assert "chậm nhất ngày" in deadlines
    for how in ("0269 3 822 333", "thứ Hai", "pakn@gialai.gov.vn"):
        assert how in receipt, how
    assert "/kenh-tiep-nhan" in receipt and "Nguyễn Thị Hoa" not in receipt
    assert cases_in_register(live_system) == 1

    browser.refresh()  # a GET of the receipt: the form is not sent again
    assert browser.find_element(By.ID, "ma-tra-cuu").text == code
    browser.back()
    browser.forward()
    assert cases_in_register(live_system) == 1
    # The same form sent again (a second click) is the first case, not a second code.
    assert submitted(live_system) == code and cases_in_register(live_system) == 1


def test_the_answer_is_a_letter_to_download(live_system: LiveSystem, browser: WebDriver) -> None:
    code = submitted(live_system)
    until(lambda: live_system.status(code).get("status") == "routed", "the routing")
    agency = live_system.status(code)["agency"]
    live_system.answer_as_agency(agency, code, ANSWER)
    until(lambda: live_system.status(code).get("status") == "answered", "the answer")

    browser.get(f"{live_system.url}/tra-cuu/{code}")
    number = browser.find_element(By.ID, "so-van-ban").text
    assert number == f"{code}/TL-{agency}"
    assert "Thủ trưởng cơ quan" in browser.find_element(By.ID, "nguoi-ky").text
    link = browser.find_element(By.ID, "tai-van-ban").get_attribute("href")
    assert link
    letter = httpx.get(link, timeout=30)
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(letter.content)).pages
    )
    assert ANSWER in text and number in text
    assert "hạn mức công nhận đất ở" in text  # the question, diacritics and all
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nguyễn Thị Hoa" not in text and "0905" not in text


def test_the_lists_and_the_form_fit_a_phone(
    live_system: LiveSystem, browser: WebDriver, tmp_path: Path
) -> None:
    submitted(live_system)
    until(lambda: "GL-" in httpx.get(live_system.url + "/tra-loi", timeout=10).text, "a case")
    phone_width(browser)
    for path in ("/tra-loi", "/", "/gui-phan-anh", "/kenh-tiep-nhan", "/thong-ke"):
        browser.get(live_system.url + path)
        assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
        browser.save_screenshot(str(tmp_path / f"{path.strip('/') or 'home'}.png"))
        assert scroll_width(browser) <= PHONE_WIDTH, path
