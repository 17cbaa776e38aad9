"""The console on a phone (390 px wide): the queue's filters, a case page and the reports
page with its charts fit the screen, with no horizontal scroll of the page, and the charts'
labels keep a readable size and stay inside their chart, apart from one another; the report's
tables break no word and stay tables for screen readers (issue 14)."""

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
TABLET = {"width": 800, "height": 1280, "deviceScaleFactor": 2, "mobile": True}
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


def _table_roles(browser: WebDriver) -> dict[str, int]:
    """The roles a screen reader is given for the tables (Chromium's accessibility tree): a
    phone layout must not turn them into loose text."""
    browser.execute_cdp_cmd("Accessibility.enable", {})
    nodes = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    wanted = ("table", "columnheader", "rowheader", "cell")
    roles = [str(n.get("role", {}).get("value")) for n in nodes if not n.get("ignored")]
    return {role: roles.count(role) for role in wanted}


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
        assert f["left"] >= 0 and f["right"] <= 390, f"off the screen: {f}"
    parts = browser.execute_script(TABLE_PARTS)
    assert parts["table"] == 8 and parts["columnheader"] >= 11, parts
    assert _table_roles(browser) == parts


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
