"""The console on a phone (390 px wide): the queue's filters, a case page and the reports
page with its charts fit the screen, with no horizontal scroll of the page (issue 14)."""

from __future__ import annotations

import asyncio

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.kit.db import Database
from services.router.console.accounts import create_account
from tests.browser.conftest import LiveSystem, navigate, press, until

PASSWORD = "mật-khẩu-đủ-dài-2023"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
ITEM = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "title": "Kiến nghị sửa quy định về hạn mức công nhận đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa "
        "phù hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
    ),
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
    "channel_ref": "WEB-PHONE-A",
}


async def _supervisor(live: LiveSystem) -> None:
    db = Database(live.system.router.db.url)  # the server's engine lives in its own loop
    try:
        async with db.transaction() as session:
            await create_account(
                session,
                username="gs.vpub",
                password=PASSWORD,
                agency="VPUB",
                role="supervisor",
                agencies=live.system.router.core.agencies,
            )
    finally:
        await db.dispose()


def _fits(browser: WebDriver, page: str) -> None:
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.body.scrollWidth,"
        " window.innerWidth]"
    )
    assert widths[2] == 390, widths
    assert max(widths[0], widths[1]) <= 390, f"{page} scrolls sideways: {widths}"


def test_the_console_fits_a_phone(live_system: LiveSystem, browser: WebDriver) -> None:
    created = httpx.post(f"{live_system.url}/api/submissions", json=ITEM, timeout=10)
    assert created.status_code == 201, created.text
    code = str(created.json()["tracking_code"])
    until(lambda: live_system.status(code).get("agency") == "SNNMT", f"{code} routed")
    asyncio.run(_supervisor(live_system))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)

    browser.get(live_system.url + "/can-bo/")
    _fits(browser, "the login page")
    browser.find_element(By.ID, "username").send_keys("gs.vpub")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    press(browser, "//button[normalize-space()='Đăng nhập']")
    browser.get(live_system.url + "/can-bo/?co_quan=*")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hàng đợi")
    _fits(browser, "the queue")
    for name in ("co_quan", "tinh_trang", "van_ban", "tu_ngay"):  # one filter a line, on screen
        box = browser.find_element(By.ID, name).rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)

    navigate(browser, browser.find_element(By.LINK_TEXT, code))
    assert code in browser.find_element(By.TAG_NAME, "h1").text
    _fits(browser, "the case page")

    browser.get(live_system.url + "/can-bo/bao-cao")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Báo cáo")
    _fits(browser, "the reports page")
    for chart in browser.find_elements(By.CSS_SELECTOR, "svg[role=img]"):
        assert chart.rect["width"] <= 390, chart.rect
