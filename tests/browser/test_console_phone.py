"""The console on a phone (390 px wide): the queue's filters, a case page and the reports
page with its charts fit the screen, with no horizontal scroll of the page, and the charts'
labels keep a readable size and stay inside their chart, apart from one another; the report's
tables break no word and stay tables for screen readers (issue 14)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.kit.db import Database
from services.router.console.accounts import create_account
from tests.browser.conftest import LiveSystem, navigate, press, until
from tests.browser.phone import WIDTH, fits, on_phone, on_screen, readable_charts, table_roles

PASSWORD = "mật-khẩu-đủ-dài-2023"
TABLET = {"width": 800, "height": 1280, "deviceScaleFactor": 2, "mobile": True}
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


# Every word of every table cell shown on the page that is broken across lines ("Ti|ếp
# nh|ận", "Sở Nôn|g"): each word's boxes on the screen must share one line. Cells hidden
# from the eye (a phone layout may keep the column headers for screen readers only, in a
# box of one pixel) are left out.
BROKEN_WORDS = """
const shown = el => {
  for (let e = el; e; e = e.parentElement) {
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
  }
  return true;
};
const broken = [];
for (const cell of [...document.querySelectorAll("main th, main td")].filter(shown)) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/[^\\s/-]+[/-]*/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push({cell: cell.textContent.trim(), word: word[0]});
    }
  }
}
return broken;
"""
# A figure of a wide table shown as a line of its own on a phone: the column's name before
# it (from the cell's data-cot, which must match the column's header), both on one line,
# inside the screen.
FIGURE_LINES = """
return [...document.querySelectorAll("main td[data-cot]")].map(c => {
  const r = c.getBoundingClientRect();
  const style = getComputedStyle(c);
  const header = c.closest("table").querySelectorAll("thead th")[c.cellIndex];
  return {figure: c.textContent.trim(), column: c.dataset.cot, header: header.textContent,
          before: getComputedStyle(c, "::before").content, height: r.height,
          line: parseFloat(style.lineHeight), left: r.left, right: r.right,
          display: style.display};
});
"""
# What the DOM says the tables hold, to compare with what a screen reader is given.
TABLE_PARTS = """
const n = s => document.querySelectorAll(s).length;
return {table: n("main table"), columnheader: n("main th[scope=col]"),
        rowheader: n("main th[scope=row]"), cell: n("main td")};
"""


def _readable_tables(browser: WebDriver) -> None:
    """No word of a table is broken across lines, each figure of the wide tables shows on
    one line after its column's name, and the tables stay tables for screen readers."""
    broken = browser.execute_script(BROKEN_WORDS)
    assert not broken, f"words broken across lines: {broken}"
    figures = browser.execute_script(FIGURE_LINES)
    assert len(figures) >= 10, figures  # the agencies table: one agency at least
    for f in figures:
        assert f["column"] == f["header"], f
        assert f["before"] == f'"{f["column"]}" / ""', f  # named for the eye, not read twice
        assert f["height"] < 2 * f["line"], f"not on one line: {f}"
        assert f["left"] >= 0 and f["right"] <= WIDTH, f"off the screen: {f}"
    parts = browser.execute_script(TABLE_PARTS)
    assert parts["table"] == 8 and parts["columnheader"] >= 11, parts
    assert table_roles(browser) == parts


def test_the_console_fits_a_phone(
    live_system: LiveSystem, browser: WebDriver, tmp_path: Path
) -> None:
    created = httpx.post(f"{live_system.url}/api/submissions", json=ITEM, timeout=10)
    assert created.status_code == 201, created.text
    code = str(created.json()["tracking_code"])
    until(lambda: live_system.status(code).get("agency") == "SNNMT", f"{code} routed")
    asyncio.run(_supervisor(live_system))
    on_phone(browser)

    browser.get(live_system.url + "/can-bo/")
    fits(browser, "the login page")
    browser.find_element(By.ID, "username").send_keys("gs.vpub")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    press(browser, "//button[normalize-space()='Đăng nhập']")
    browser.get(live_system.url + "/can-bo/?co_quan=*")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hàng đợi")
    fits(browser, "the queue")
    for name in ("co_quan", "tinh_trang", "van_ban", "tu_ngay"):  # one filter a line, on screen
        on_screen(browser.find_element(By.ID, name).rect, name)

    navigate(browser, browser.find_element(By.LINK_TEXT, code))
    assert code in browser.find_element(By.TAG_NAME, "h1").text
    fits(browser, "the case page")

    navigate(browser, browser.find_element(By.LINK_TEXT, "Báo cáo"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Báo cáo")
    fits(browser, "the reports page")
    charts = readable_charts(browser)
    browser.execute_script("document.getElementById('theo-co-quan').scrollIntoView()")
    browser.save_screenshot(str(tmp_path / "bao-cao-390.png"))  # to look at when it fails
    assert tuple(charts) == CHARTS, charts
    assert "Cổng thông tin (biểu mẫu trực tuyến)" in charts["Tiếp nhận theo kênh"]
    assert LONGEST_REASON in charts["Không được tiếp nhận, theo lý do"]  # whole, on two lines
    agencies = charts["Kết quả xử lý theo cơ quan"]
    assert {"Sở Nông nghiệp và Môi trường", "Đúng hạn", "Quá hạn", "Đang xử lý"} <= set(agencies)
    _readable_tables(browser)
    agency_row = "#bang-co-quan tbody th[scope=row]"
    assert "Sở Nông nghiệp và Môi trường" in [
        row.text for row in browser.find_elements(By.CSS_SELECTOR, agency_row)
    ]

    # Wider than a phone (a tablet, 800 px) the agencies' table is a table to the eye as
    # well, headers on top and a row an agency, squeezed into the screen without breaking
    # a word.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", TABLET)
    browser.refresh()
    header = browser.find_element(By.CSS_SELECTOR, "#bang-co-quan thead th:last-child").rect
    assert header["width"] > 1 and header["height"] > 1, header
    assert {f["display"] for f in browser.execute_script(FIGURE_LINES)} == {"table-cell"}
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 800
    broken = browser.execute_script(BROKEN_WORDS)
    assert not broken, f"words broken across lines at 800 px: {broken}"
