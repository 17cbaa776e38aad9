"""The public statistics page on a phone (390 px wide, issue 14): the date filters and the
chart fit the screen with no sideways scroll, and the chart's labels keep a readable size
and stay inside the chart, apart from one another."""

from __future__ import annotations

from pathlib import Path

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.conftest import LiveSystem, navigate, until
from tests.browser.phone import fits, on_phone, on_screen, readable_charts, table_roles

# Two items for two agencies: the chart gets two bars, each with its label.
LAND = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "title": "Kiến nghị sửa quy định về hạn mức công nhận đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa "
        "phù hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
    ),
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
    "channel_ref": "WEB-STATS-A",
}
FEES = {
    "name": "Trần Văn Bình",
    "address": "12 Hùng Vương, phường Diên Hồng, TP Pleiku, tỉnh Gia Lai",
    "phone": "0912 345 678",
    "title": "Kiến nghị giảm mức thu phí trông giữ xe tại bệnh viện",
    "content": (
        "Nghị quyết của HĐND tỉnh quy định mức thu phí trông giữ xe máy tại bệnh viện tỉnh "
        "quá cao so với thu nhập của người dân; đề nghị Sở Tài chính tham mưu giảm mức phí."
    ),
    "channel_ref": "WEB-STATS-B",
}

# Each cell of the figures' table: how many words it has and on how many lines they show
# (a word broken across lines, "Đã tiế|p nh|ận", makes more lines than words). Cells hidden
# from the eye (a phone layout may keep the column headers for screen readers only, in a
# box of one pixel) are left out.
CELLS = """
const shown = el => {
  for (let e = el; e; e = e.parentElement) {
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
  }
  return true;
};
return [...document.querySelectorAll("table th, table td")].filter(shown).map(c => {
  const range = document.createRange();
  range.selectNodeContents(c);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return {text: c.textContent.trim(), words: c.textContent.trim().split(/\\s+/).length,
          lines: tops.size};
});
"""


def test_the_statistics_page_fits_a_phone(
    live_system: LiveSystem, browser: WebDriver, tmp_path: Path
) -> None:
    for item in (LAND, FEES):
        created = httpx.post(f"{live_system.url}/api/submissions", json=item, timeout=10)
        assert created.status_code == 201, created.text
        code = str(created.json()["tracking_code"])
        until(lambda code=code: live_system.status(code).get("status") == "routed", code)
    stats = f"{live_system.url}/thong-ke"
    agencies = ("Sở Nông nghiệp và Môi trường", "Sở Tài chính")  # both cases counted
    until(lambda: all(a in httpx.get(stats, timeout=10).text for a in agencies), "both lines")
    on_phone(browser)

    browser.get(stats)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Thống kê")
    fits(browser, "the statistics page")
    for name in ("tu_ngay", "den_ngay"):
        on_screen(browser.find_element(By.ID, name).rect, name)
    on_screen(browser.find_element(By.XPATH, "//button[normalize-space()='Xem']").rect, "Xem")
    (labels,) = readable_charts(browser).values()
    browser.execute_script("document.querySelector('figure').scrollIntoView()")
    browser.save_screenshot(str(tmp_path / "thong-ke-390.png"))  # to look at when it fails
    assert set(agencies) <= set(labels), labels
    assert {"Đúng hạn", "Quá hạn", "Đang xử lý trong hạn"} <= set(labels), labels

    for cell in browser.execute_script(CELLS):
        assert cell["lines"] <= cell["words"], f"a word broken across lines: {cell}"
    for cell in browser.find_elements(By.CSS_SELECTOR, "table td"):
        on_screen(cell.rect, f"the figure {cell.text!r}")
    assert table_roles(browser) == {"table": 1, "columnheader": 8, "rowheader": 3, "cell": 21}

    # The filters at work: a range that holds both cases keeps the chart as it was.
    browser.execute_script(
        "document.getElementById('tu_ngay').value = '2020-01-01';"
        "document.getElementById('den_ngay').value = '2099-12-31';"
    )
    navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Xem']"))
    assert "tu_ngay=2020-01-01" in browser.current_url
    fits(browser, "the filtered statistics page")
    assert list(readable_charts(browser).values()) == [labels]
