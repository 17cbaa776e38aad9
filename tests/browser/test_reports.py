"""The office's supervisor opens the reports page in a real browser with JavaScript switched
off, picks a quarter in one click, and downloads the report as XLSX and as PDF."""

from __future__ import annotations

import asyncio
from datetime import datetime
from io import BytesIO
from pathlib import Path

import httpx
from openpyxl import load_workbook
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.kit.db import Database
from services.router.console.accounts import create_account
from services.router.domain.calendar import VIETNAM
from tests.browser.conftest import LiveSystem, navigate, press, until

PASSWORD = "mật-khẩu-đủ-dài-2023"
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
}
RECEIVED = "Số phản ánh, kiến nghị tiếp nhận trong kỳ (được chấp nhận xử lý)"


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
                display_name="Trần Văn Bình",
                agencies=live.system.router.core.agencies,
            )
    finally:
        await db.dispose()


def _downloaded(folder: Path, suffix: str) -> Path:
    def done() -> Path | None:
        found = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        return found[0] if found else None

    return Path(until(done, f"the {suffix} download"))


def test_the_office_reads_a_quarter_and_downloads_it(
    live_system: LiveSystem, browser: WebDriver, tmp_path: Path
) -> None:
    created = httpx.post(
        f"{live_system.url}/api/submissions",
        json={**ITEM, "channel_ref": "WEB-REPORT-A"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    code = str(created.json()["tracking_code"])
    until(lambda: live_system.status(code).get("agency") == "SNNMT", f"{code} routed")
    live_system.answer_as_agency("SNNMT", code, "Sở đã tiếp thu, sẽ trình sửa đổi hạn mức.")
    until(lambda: live_system.status(code).get("status") == "answered", "the answer")
    asyncio.run(_supervisor(live_system))
    today = datetime.now(VIETNAM).date()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    roman = ("I", "II", "III", "IV")[quarter - 1]
    other = "I" if quarter != 1 else "II"  # another quarter of the year

    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    downloads = tmp_path / "tai-ve"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    browser.get(live_system.url + "/can-bo/")
    browser.find_element(By.ID, "username").send_keys("gs.vpub")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    press(browser, "//button[normalize-space()='Đăng nhập']")
    navigate(browser, browser.find_element(By.LINK_TEXT, "Báo cáo"))
    assert browser.find_element(By.TAG_NAME, "h1").text == (
        "Báo cáo tiếp nhận, xử lý phản ánh, kiến nghị"
    )

    # Another quarter, then this one, each in one click.
    navigate(browser, browser.find_element(By.LINK_TEXT, f"Quý {other}/{year}"))
    assert browser.find_element(By.TAG_NAME, "h2").text.startswith(
        f"Toàn tỉnh — Quý {other} năm {year}"
    )
    navigate(browser, browser.find_element(By.LINK_TEXT, f"Quý {roman}/{year}"))
    assert browser.find_element(By.TAG_NAME, "h2").text.startswith(
        f"Toàn tỉnh — Quý {roman} năm {year}"
    )
    summary = browser.find_element(By.ID, "tong-hop")
    first_row = summary.find_element(By.CSS_SELECTOR, "tbody tr td").text
    assert first_row == "1"
    chart = browser.find_element(By.CSS_SELECTOR, "svg[role=img] title")
    assert chart.get_attribute("textContent") == "Tiếp nhận theo kênh"
    rows = browser.find_elements(By.CSS_SELECTOR, "#bang-co-quan tbody th[scope=row]")
    assert "Sở Nông nghiệp và Môi trường" in [row.text for row in rows]

    browser.find_element(By.LINK_TEXT, "Bảng tính Excel (XLSX)").click()
    book = load_workbook(BytesIO(_downloaded(downloads, ".xlsx").read_bytes()))
    figures = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(values_only=True) if row}
    assert figures[RECEIVED] == 1 and figures["— trong đó trả lời đúng hạn"] == 1

    browser.find_element(By.LINK_TEXT, "Văn bản PDF").click()
    document = PdfReader(BytesIO(_downloaded(downloads, ".pdf").read_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in document.pages).split())
    assert f"Quý {roman} năm {year}" in text
    assert "Sở Nông nghiệp và Môi trường" in text
    assert f"{RECEIVED} 1" in text
