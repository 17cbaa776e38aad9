"""Browser tests: the embedded system served on a free port, driven by headless Chromium.

Chromium and ChromeDriver come from Debian (`deploy/browser.sh install`); a missing browser
is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from services.embedded import Embedded
from services.kit.transport import InMemoryBus
from services.runners import wire_in_memory
from tests.conftest import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def until(probe: Callable[[], Any], what: str, timeout_s: float = 30) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def navigate(browser: WebDriver, element: WebElement) -> None:
    """Click something that loads a new page, and wait until the new page replaced the old
    and has finished loading (a POST answers with a redirect: two loads)."""
    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    _new_page_loaded(browser, old)


def _new_page_loaded(browser: WebDriver, old: WebElement) -> None:
    """Wait for `old` to go and the next document to finish loading. A script run while the
    document is being replaced can fail ("document unloaded"): that is waiting, not failing."""
    waiting = WebDriverWait(browser, 15, ignored_exceptions=(WebDriverException,))
    waiting.until(staleness_of(old))
    waiting.until(lambda b: b.execute_script("return document.readyState") == "complete")


def press(browser: WebDriver, xpath: str, attempts: int = 3) -> None:
    """Find the button at `xpath` and navigate with it. Only the click is tried again, when
    the page was still being replaced as the button was found (Chromium: "does not belong
    to the document"); once clicked, the form has gone, and only the wait remains."""
    for attempt in range(attempts):
        old = browser.find_element(By.TAG_NAME, "html")
        try:
            browser.find_element(By.XPATH, xpath).click()
        except (StaleElementReferenceException, WebDriverException) as error:
            if attempt == attempts - 1 or (
                "document" not in str(error)
                and not isinstance(error, StaleElementReferenceException)
            ):
                raise
            time.sleep(0.5)
            continue
        _new_page_loaded(browser, old)
        return


class LiveSystem:
    """The embedded system (three services, in-process bus, SQLite) in a background thread."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.system = Embedded(data_dir, base_url=self.url)
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        await self.system.migrate()
        self.system.bus = InMemoryBus()
        loops = [
            asyncio.create_task(c) for c in wire_in_memory(self.system.bus, self.system.services)
        ]
        config = uvicorn.Config(
            self.system.web(), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        await self._server.serve()
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await self.system.bus.close()

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the embedded system did not answer within 30 s")

    def status(self, code: str) -> dict[str, Any]:
        """The public status of a case, as the status API gives it."""
        return dict(httpx.get(f"{self.url}/api/cases/{code}", timeout=5).json())

    def agency_token(self, agency: str) -> str:
        """An API token of `agency`, as a head would create one in the console."""
        from services.kit.db import Database
        from services.router.console.accounts import issue_token

        async def issue() -> str:
            db = Database(self.system.router.db.url)  # the server's engine lives in its loop
            try:
                async with db.transaction() as session:
                    issued = await issue_token(
                        session,
                        agency=agency,
                        label="test",
                        created_by="test",
                        agencies=self.system.router.core.agencies,
                    )
                return issued.secret
            finally:
                await db.dispose()

        return asyncio.run(issue())

    def answer_as_agency(self, agency: str, code: str, answer: str) -> None:
        """Answer the case with tracking `code` through the agency API (an agency's system):
        the API saves a draft, which the agency's head approves in the console."""
        auth = {"Authorization": f"Bearer {self.agency_token(agency)}"}
        queue = httpx.get(f"{self.url}/api/v1/queue", headers=auth, timeout=10).json()
        [case_id] = [item["case_id"] for item in queue["cases"] if item["tracking_code"] == code]
        sent = httpx.post(
            f"{self.url}/api/v1/cases/{case_id}/answer",
            headers=auth,
            json={"answer": answer, "officer": "can.bo"},
            timeout=10,
        )
        assert sent.status_code == 202, sent.text
        self.approve_as_head(agency, case_id, int(sent.json()["draft_id"]))

    def approve_as_head(self, agency: str, case_id: str, draft_id: int) -> None:
        """A head of `agency` logs into the console and approves the draft."""
        username, password = f"ld.{agency.lower()}", "Xr7-tq2-Lw9-bv4-Pn6"
        self._account(agency, username, password)
        origin = {"Origin": self.url}
        with httpx.Client(base_url=self.url, timeout=10, headers=origin) as client:
            page = client.get("/can-bo/dang-nhap").text
            token = re.search(r'name="login_token" value="([^"]+)"', page)
            assert token, page
            login = {"username": username, "password": password, "next": "/can-bo/"}
            logged = client.post("/can-bo/dang-nhap", data={**login, "login_token": token[1]})
            assert logged.status_code in (200, 303), logged.text
            case_page = client.get(f"/can-bo/ho-so/{case_id}").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', case_page)
            assert csrf, case_page
            approved = client.post(f"/can-bo/du-thao/{draft_id}/duyet", data={"csrf": csrf[1]})
            assert approved.status_code in (200, 303), approved.text

    def _account(self, agency: str, username: str, password: str) -> None:
        from services.kit.db import Database
        from services.router.console.accounts import create_account

        async def create() -> None:
            db = Database(self.system.router.db.url)  # the server's engine lives in its loop
            try:
                async with db.transaction() as session:
                    await create_account(
                        session,
                        username=username,
                        password=password,
                        agency=agency,
                        role="head",
                        agencies=self.system.router.core.agencies,
                    )
            finally:
                await db.dispose()

        asyncio.run(create())

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture
def live_system(tmp_path: Path) -> Iterator[LiveSystem]:
    live = LiveSystem(tmp_path / "embedded")
    live.start()
    yield live
    live.stop()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("Chromium/ChromeDriver missing: run deploy/browser.sh install")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,1000",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=ChromeService(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
