"""An agency's head works the queue in a real browser with JavaScript switched off: logs in,
opens the first case, transfers one case and answers another."""

from __future__ import annotations

import asyncio
import re

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from services.kit.db import Database
from services.router.console.accounts import create_account
from tests.browser.conftest import LiveSystem, navigate, press, until

PASSWORD = "mật-khẩu-đủ-dài-2023"
# Received now (the public API decides the time): the Sở Tài nguyên và Môi trường it names
# is today's Sở Nông nghiệp và Môi trường (SNNMT).
ITEM = {
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


def _submit(live: LiveSystem, ref: str) -> str:
    # Two texts: the same text from one person on one day would be one case (a repeat).
    extra = " Ngoài ra, đề nghị công bố rõ hồ sơ, thời gian công nhận đất ở tại mỗi xã, phường."
    content = ITEM["content"] + (extra if ref.endswith("B") else "")
    item = {**ITEM, "channel_ref": ref, "content": content}
    created = httpx.post(f"{live.url}/api/submissions", json=item, timeout=10)
    assert created.status_code == 201, created.text
    code = str(created.json()["tracking_code"])
    until(lambda: live.status(code).get("agency") == "SNNMT", f"{code} routed to SNNMT")
    return code


async def _head_account(live: LiveSystem) -> None:
    # Its own engine: the live system's belongs to the server thread's event loop.
    db = Database(live.system.router.db.url)
    try:
        async with db.transaction() as session:
            await create_account(
                session,
                username="lan.snnmt",
                password=PASSWORD,
                agency="SNNMT",
                role="head",
                display_name="Lê Thị Lan",
                agencies=live.system.router.core.agencies,
            )
    finally:
        await db.dispose()


def test_a_head_logs_in_transfers_one_case_and_answers_another(
    live_system: LiveSystem, browser: WebDriver
) -> None:
    codes = [_submit(live_system, "WEB-CONSOLE-A"), _submit(live_system, "WEB-CONSOLE-B")]
    asyncio.run(_head_account(live_system))
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})

    browser.get(live_system.url + "/can-bo/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Đăng nhập dành cho cán bộ xử lý"
    browser.find_element(By.ID, "username").send_keys("lan.snnmt")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    press(browser, "//button[normalize-space()='Đăng nhập']")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hàng đợi")
    listed = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "tbody th[scope=row] a")]
    assert sorted(listed) == sorted(codes)

    navigate(browser, browser.find_element(By.CSS_SELECTOR, "tbody th[scope=row] a"))
    first = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Hồ sơ ")
    assert "hoa.nguyen@example.com" in browser.page_source, "the agency in charge sees the original"
    Select(browser.find_element(By.ID, "to_agency")).select_by_value("SXD")
    browser.find_element(By.ID, "transfer_reason").send_keys("Hạn mức đất ở do Sở Xây dựng chủ trì")
    press(browser, "//button[normalize-space()='Chuyển hồ sơ']")
    assert "Đã gửi yêu cầu" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    until(lambda: live_system.status(first).get("agency") == "SXD", "the transfer")

    second = next(code for code in codes if code != first)
    browser.get(live_system.url + "/can-bo/")
    links = browser.find_elements(By.CSS_SELECTOR, "tbody th[scope=row] a")
    assert [a.text for a in links] == [second], "the transferred case left the queue"
    navigate(browser, links[0])
    browser.find_element(By.ID, "answer").send_keys(ANSWER)
    browser.find_element(By.ID, "legal_basis").send_keys("Luật Đất đai 2013")
    Select(browser.find_element(By.ID, "outcome")).select_by_value("amendment_proposed")
    press(browser, "//button[normalize-space()='Lưu dự thảo']")
    public = browser.find_element(
        By.XPATH, "//h3[contains(., 'Bản sẽ công khai')]/following::div[1]"
    )
    assert public.text == ANSWER
    # Separation of duties: whoever drafted the answer does not approve it.
    case_id = browser.current_url.split("/can-bo/ho-so/")[1].split("?")[0]
    draft = re.search(r"/can-bo/du-thao/(\d+)/huy", browser.page_source)
    assert draft, "the draft is pending"
    assert "người soạn không tự duyệt" in browser.page_source
    assert not browser.find_elements(
        By.XPATH, "//button[normalize-space()='Duyệt và công bố câu trả lời']"
    ), "the drafter is offered no approval"
    live_system.approve_as_head("SNNMT", case_id, int(draft.group(1)))  # another head
    until(lambda: live_system.status(second).get("status") == "answered", "the answer")

    browser.get(f"{live_system.url}/tra-cuu/{second}")
    assert ANSWER in browser.page_source and "Nguyễn Thị Hoa" not in browser.page_source
