"""Today's province, end to end in a real browser (issue 9): a citizen fills the web form
now, with a pre-July-2025 address; the case goes to the commune that covers the place
today; that commune's head, with the embedded default's trial login, answers it in the
console; the answer is public without the citizen's personal data."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.kit.db import Database
from services.router.console.demo import seed_demo_accounts
from services.router.domain.agencies import AgencyRegistry
from tests.browser.conftest import LiveSystem, navigate, press, until

COMMUNE = "X23764"  # xã Ia Grai since 1 Jul 2025 (former xã Ia Kha, huyện Ia Grai, among others)
FORM = {
    "name": "Rơ Châm Hyuk",
    "address": "thôn Ia Yok, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai",
    "phone": "0978 456 123",
    "title": "UBND xã chậm cấp giấy chứng nhận quyền sử dụng đất",
    "content": (
        "UBND xã Ia Kha, huyện Ia Grai chậm cấp giấy chứng nhận quyền sử dụng đất cho hộ gia "
        "đình tôi: hồ sơ nộp đã bốn tháng mà chưa có kết quả, cũng không được hướng dẫn bổ "
        "sung giấy tờ gì. Đề nghị xã giải quyết đúng thời hạn quy định."
    ),
}
ANSWER = (
    "UBND xã Ia Grai đã rà soát hồ sơ; giấy chứng nhận quyền sử dụng đất của hộ gia đình "
    "được trả trong 10 ngày làm việc, bộ phận một cửa của xã sẽ liên hệ để hẹn ngày nhận."
)
PERSONAL = (FORM["name"], FORM["phone"], "0978456123", "thôn Ia Yok")


def _trial_login(live: LiveSystem, path: Path) -> tuple[str, str]:
    """The commune head's trial login, made as the embedded default makes them (the agencies
    in force today), limited to this commune and the office to keep the test quick."""
    router = live.system.router
    today = router.core.agencies_on(router.today())
    assert {COMMUNE, "VPUB"} <= set(today.codes), "the commune and the office are in force today"
    few = AgencyRegistry(agencies=tuple(a for a in today.agencies if a.code in (COMMUNE, "VPUB")))

    async def seed() -> None:
        # Its own engine: the live system's belongs to the server thread's event loop.
        db = Database(router.db.url)
        try:
            await seed_demo_accounts(db, few, path)
        finally:
            await db.dispose()

    asyncio.run(seed())
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    [(username, password)] = [(u, p) for a, u, role, p in rows if a == COMMUNE and role == "head"]
    return username, password


def test_on_todays_date_the_commune_answers_an_old_address_case_in_public(
    live_system: LiveSystem, browser: WebDriver, tmp_path: Path
) -> None:
    browser.get(live_system.url + "/gui-phan-anh")
    for field, value in FORM.items():
        browser.find_element(By.ID, field).send_keys(value)
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    code = browser.find_element(By.ID, "ma-tra-cuu").text
    assert code.startswith("GL-"), browser.find_element(By.TAG_NAME, "main").text

    routed = until(
        lambda: (s := live_system.status(code)).get("status") == "routed" and s,
        f"{code} routed",
    )
    assert routed["agency"] == COMMUNE, routed
    browser.get(f"{live_system.url}/tra-cuu/{code}")
    status_page = browser.find_element(By.TAG_NAME, "main").text
    assert "xã Ia Grai" in status_page, status_page

    username, password = _trial_login(live_system, tmp_path / "tai-khoan-thu.tsv")
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(live_system.url + "/can-bo/")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Đăng nhập']"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hàng đợi")
    links = browser.find_elements(By.CSS_SELECTOR, "tbody th[scope=row] a")
    assert [a.text for a in links] == [code]

    navigate(browser, links[0])
    case_page = browser.find_element(By.TAG_NAME, "main").text
    assert "địa chỉ cũ" in case_page and "xã Ia Grai" in case_page, "the reason names the change"
    assert "0978456123" in case_page, "the commune in charge sees the original"
    browser.find_element(By.ID, "answer").send_keys(ANSWER)
    browser.find_element(By.ID, "legal_basis").send_keys("Luật Đất đai 2024")
    press(browser, "//button[normalize-space()='Lưu dự thảo']")
    # Separation of duties: the commune's other head approves the draft.
    case_id = browser.current_url.split("/can-bo/ho-so/")[1].split("?")[0]
    draft = re.search(r"/can-bo/du-thao/(\d+)/huy", browser.page_source)
    assert draft, "the draft is pending"
    live_system.approve_as_head(COMMUNE, case_id, int(draft.group(1)))
    until(lambda: live_system.status(code).get("status") == "answered", "the answer")

    browser.get(live_system.url + "/tra-loi")
    listing = browser.find_element(By.TAG_NAME, "main")
    assert "xã Ia Grai" in listing.text
    assert not [p for p in PERSONAL if p in browser.page_source], "no personal data listed"
    navigate(browser, listing.find_element(By.CSS_SELECTOR, f"a[href$='/tra-cuu/{code}']"))
    public = browser.find_element(By.TAG_NAME, "main").text
    assert ANSWER in public and "Đã trả lời" in public
    assert not [p for p in PERSONAL if p in browser.page_source], "no personal data published"
