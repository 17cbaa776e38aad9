"""Regenerate docs/screenshots/: what a citizen (and the office) sees, in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the embedded system on a free port with a fresh data folder, sends one item through
the web form, has the agency it was routed to answer it (its API, then its head approves
in the console), and takes: the home page, the receipt, the answer page, the answers list
at phone width (390 px), the published channels and, when the router has reports
(services/router/reports), the console's report page. Chromium and ChromeDriver come from
`deploy/browser.sh install`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.embedded import Embedded  # noqa: E402
from services.kit.db import Database  # noqa: E402
from services.kit.transport import InMemoryBus  # noqa: E402
from services.router.console.accounts import create_account, issue_token  # noqa: E402
from services.runners import wire_in_memory  # noqa: E402

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PASSWORD = "Xr7-tq2-Lw9-bv4-Pn6"
FORM = {
    "name": "Nguyễn Thị Hoa",
    "address": "thôn 3, xã Ia Grai, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "title": "Kiến nghị sửa quy định về hạn mức công nhận đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
}
UNTITLED = {
    **FORM,
    "phone": "0914 222 333",
    "title": "",
    "content": (
        "Thủ tục đăng ký hộ kinh doanh tại xã yêu cầu nộp bản sao có chứng thực dù đã có bản "
        "điện tử; đề nghị bỏ yêu cầu này để giảm giấy tờ cho người dân."
    ),
    "regulation": "",
}
ANSWER = (
    "Sở Nông nghiệp và Môi trường đã tiếp thu kiến nghị. Sở đang rà soát Quyết định số "
    "22/2016/QĐ-UBND và sẽ trình UBND tỉnh sửa đổi hạn mức công nhận đất ở trong quý tới, có "
    "lấy ý kiến người dân trước khi ban hành."
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def until(probe: Callable[[], Any], what: str, timeout_s: float = 60) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := probe():
            return value
        time.sleep(0.3)
    raise SystemExit(f"timed out waiting for {what}")


class System:
    """The embedded system in a background thread (as the browser tests run it)."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.embedded = Embedded(data_dir, base_url=self.url)
        self.server: uvicorn.Server | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        await self.embedded.migrate()
        self.embedded.bus = InMemoryBus()
        services = self.embedded.services
        loops = [asyncio.create_task(c) for c in wire_in_memory(self.embedded.bus, services)]
        config = uvicorn.Config(
            self.embedded.web(), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        await self.server.serve()
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)

    def start(self) -> None:
        self.thread.start()
        until(lambda: self._up(), "the embedded system")

    def _up(self) -> bool:
        try:
            return httpx.get(self.url + "/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(timeout=10)

    def status(self, code: str) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/api/cases/{code}", timeout=5).json())

    def send(self, form: dict[str, str]) -> str:
        sent = httpx.post(f"{self.url}/gui-phan-anh", data=form, timeout=10)
        if sent.status_code != 303:
            raise SystemExit(f"the form was refused: {sent.status_code}")
        return str(sent.headers["location"]).split("/")[2].split("?")[0]

    def _router_db(self, work: Callable[[Any], Any]) -> Any:
        async def run() -> Any:
            db = Database(self.embedded.router.db.url)  # the server's engine is in its loop
            try:
                async with db.transaction() as session:
                    return await work(session)
            finally:
                await db.dispose()

        return asyncio.run(run())

    def head_of(self, agency: str) -> str:
        username = f"ld.{agency.lower()}"
        agencies = self.embedded.router.core.agencies
        self._router_db(
            lambda session: create_account(
                session,
                username=username,
                password=PASSWORD,
                agency=agency,
                role="head",
                agencies=agencies,
            )
        )
        return username

    def answer(self, agency: str, code: str, text: str) -> None:
        """The agency's system answers through the API; its head approves in the console."""
        agencies = self.embedded.router.core.agencies

        async def token(session: Any) -> str:
            issued = await issue_token(
                session, agency=agency, label="ảnh màn hình", created_by="screenshots",
                agencies=agencies,
            )  # fmt: skip
            return str(issued.secret)

        auth = {"Authorization": f"Bearer {self._router_db(token)}"}
        queue = httpx.get(f"{self.url}/api/v1/queue", headers=auth, timeout=10).json()
        [case_id] = [c["case_id"] for c in queue["cases"] if c["tracking_code"] == code]
        draft = httpx.post(
            f"{self.url}/api/v1/cases/{case_id}/answer",
            headers=auth,
            json={"answer": text, "officer": "can.bo"},
            timeout=10,
        ).json()["draft_id"]
        client = self.console(self.head_of(agency))
        try:
            page = client.get(f"/can-bo/ho-so/{case_id}").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            if not csrf:
                raise SystemExit("no form token on the console's case page")
            client.post(f"/can-bo/du-thao/{draft}/duyet", data={"csrf": csrf[1]})
        finally:
            client.close()

    def console(self, username: str) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=10, headers={"Origin": self.url})
        page = client.get("/can-bo/dang-nhap").text
        token = re.search(r'name="login_token" value="([^"]+)"', page)
        if not token:
            raise SystemExit("no login token on the console's login page")
        login = {"username": username, "password": PASSWORD, "next": "/can-bo/"}
        client.post("/can-bo/dang-nhap", data={**login, "login_token": token[1]})
        return client


def chromium(width: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={width},1000",
    ):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=ChromeService(CHROMEDRIVER), options=options)


def shoot(browser: webdriver.Chrome, url: str, path: Path, *, width: int) -> None:
    """The whole page, `width` CSS pixels wide (phone widths as a phone reports them)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.get(url)
    height = int(browser.execute_script("return document.documentElement.scrollHeight"))
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": min(height, 6000), "deviceScaleFactor": 1,
         "mobile": width < 600},
    )  # fmt: skip
    browser.save_screenshot(str(path))
    print(f"  {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        system = System(Path(folder) / "embedded")
        system.start()
        browser = chromium(1280)
        try:
            code = system.send(FORM)
            system.send(UNTITLED)
            until(lambda: system.status(code).get("status") == "routed", "the routing")
            agency = system.status(code)["agency"]
            system.answer(agency, code, ANSWER)
            until(lambda: system.status(code).get("status") == "answered", "the answer")
            url, out = system.url, args.out
            shoot(browser, f"{url}/", out / "home.png", width=1280)
            shoot(browser, f"{url}/bien-nhan/{code}?moi=1", out / "receipt.png", width=1280)
            shoot(browser, f"{url}/tra-cuu/{code}", out / "answer.png", width=1280)
            shoot(browser, f"{url}/kenh-tiep-nhan", out / "channels.png", width=1280)
            shoot(browser, f"{url}/tra-loi", out / "answers-390px.png", width=390)
            shoot(browser, f"{url}/gui-phan-anh", out / "form-390px.png", width=390)
            pdf = httpx.get(f"{url}/tra-cuu/{code}/van-ban.pdf", timeout=30)
            (out / "answer-letter.pdf").write_bytes(pdf.content)
            print(f"  {out / 'answer-letter.pdf'}")
            if (ROOT / "services" / "router" / "reports").is_dir():
                username = system.head_of("VPUB")
                browser.get(f"{url}/can-bo/dang-nhap")
                browser.find_element(By.ID, "username").send_keys(username)
                browser.find_element(By.ID, "password").send_keys(PASSWORD)
                browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
                until(lambda: "/can-bo/dang-nhap" not in browser.current_url, "the login")
                shoot(browser, f"{url}/can-bo/bao-cao", out / "report.png", width=1280)
        finally:
            browser.quit()
            system.stop()


if __name__ == "__main__":
    main()
