"""The console on a phone (390 px wide): the queue's filters, a case page and the reports
page with its charts fit the screen, with no horizontal scroll of the page, and the charts'
labels keep a readable size and stay inside their chart, apart from one another (issue 14)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.kit.db import Database
from services.router.console.accounts import create_account
from tests.browser.conftest import LiveSystem, navigate, press, until

PASSWORD = "mật-khẩu-đủ-dài-2023"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
SMALLEST_READABLE_PX = 12  # the charts are drawn at 13 px; scaled down, they must stay above
CHARTS = (
    "Tiếp nhận theo kênh",
    "Không được tiếp nhận, theo lý do",
    "Tiếp nhận theo lĩnh vực",
    "Kết quả xử lý theo cơ quan",
)
LONGEST_REASON = "Là khiếu nại, tố cáo (không thuộc phạm vi phản ánh, kiến nghị)"
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


# A chart's box on the screen, and every text in it: its box and its font size as drawn
# (CSS pixels), the chart's scale included.
TEXTS = """
const svg = arguments[0];
const scale = svg.getScreenCTM().a;
const box = svg.getBoundingClientRect();
return {title: svg.querySelector("title").textContent,
        box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
        texts: [...svg.querySelectorAll("text")].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          px: parseFloat(getComputedStyle(t).fontSize) * scale};
})};
"""


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


def _readable_charts(browser: WebDriver) -> dict[str, list[str]]:
    """Each chart's title and its texts, once each is checked: on screen, readable, inside
    the chart and apart from the others."""
    labels: dict[str, list[str]] = {}
    for svg in browser.find_elements(By.CSS_SELECTOR, "svg[role=img]"):
        chart = browser.execute_script(TEXTS, svg)
        box, texts = chart["box"], chart["texts"]
        assert box["left"] >= 0 and box["right"] <= 390, chart
        for t in texts:
            assert t["px"] >= SMALLEST_READABLE_PX, f"too small to read: {t}"
            inside = (
                box["left"] - 0.5 <= t["left"]
                and t["right"] <= box["right"] + 0.5
                and box["top"] - 0.5 <= t["top"]
                and t["bottom"] <= box["bottom"] + 0.5
            )
            assert inside, f"cut off by the edge of {chart['title']}: {t} (chart {box})"
        for n, a in enumerate(texts):
            for b in texts[n + 1 :]:
                assert not _overlap(a, b), f"labels overlap: {a} / {b}"
        labels[chart["title"]] = [t["text"] for t in texts]
    return labels


def _fits(browser: WebDriver, page: str) -> None:
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.body.scrollWidth,"
        " window.innerWidth]"
    )
    assert widths[2] == 390, widths
    assert max(widths[0], widths[1]) <= 390, f"{page} scrolls sideways: {widths}"


def test_the_console_fits_a_phone(
    live_system: LiveSystem, browser: WebDriver, tmp_path: Path
) -> None:
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

    navigate(browser, browser.find_element(By.LINK_TEXT, "Báo cáo"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Báo cáo")
    _fits(browser, "the reports page")
    charts = _readable_charts(browser)
    browser.execute_script("document.getElementById('theo-co-quan').scrollIntoView()")
    browser.save_screenshot(str(tmp_path / "bao-cao-390.png"))  # to look at when it fails
    assert tuple(charts) == CHARTS, charts
    assert "Cổng thông tin (biểu mẫu trực tuyến)" in charts["Tiếp nhận theo kênh"]
    assert LONGEST_REASON in charts["Không được tiếp nhận, theo lý do"]  # whole, on two lines
    agencies = charts["Kết quả xử lý theo cơ quan"]
    assert {"Sở Nông nghiệp và Môi trường", "Đúng hạn", "Quá hạn", "Đang xử lý"} <= set(agencies)
