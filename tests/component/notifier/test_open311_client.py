"""Every GeoReport v2 call against the running embedded system (a real uvicorn on a free
port), made by a real Open311 client library: `georeport` (PyPI, Apache-2.0, 0.3.1 of July
2025; it reads the spec's JSON and XML with `requests` and `xmltodict`). It has no POST and
no discovery call: those are made with httpx, following the spec literally (a form-encoded
body with `api_key`)."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from georeport import GeoReport

from services.embedded import Embedded
from services.kit.transport import InMemoryBus
from services.runners import wire_in_memory
from tests.conftest import free_port

KEY = "khoa-ung-dung-open311"
CONTENT = (
    "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
    "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
)
FORM = {
    "api_key": KEY,
    "service_code": "regulation",
    "description": CONTENT,
    "first_name": "Hùng",
    "last_name": "Phạm Văn",
    "phone": "0905 333 111",
    "address_string": "12 Hùng Vương, phường Pleiku, tỉnh Gia Lai",
    "lat": "13.98331",
    "long": "108.00012",
    "attribute[title]": "Hạn mức công nhận đất ở",
}


class Live:
    """The embedded system served by uvicorn in a background thread."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.system = Embedded(data_dir, base_url=self.url)
        self.server: uvicorn.Server | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        await self.system.migrate()
        self.system.bus = InMemoryBus()
        bus = self.system.bus
        loops = [asyncio.create_task(c) for c in wire_in_memory(bus, self.system.services)]
        config = uvicorn.Config(
            self.system.web(), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        await self.server.serve()
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await bus.close()

    def start(self) -> None:
        self.thread.start()
        until(lambda: httpx.get(self.url + "/", timeout=1).status_code == 200, "the home page")

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(timeout=30)


def until(probe: Any, what: str, timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if result := probe():
                return result
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout_s} s for {what}")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PAKN_INTAKE_OPEN311_KEYS", f"app-thu:{digest}")
        running = Live(tmp_path_factory.mktemp("open311"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def posted(live: Live) -> str:
    """One request posted as the spec says, then published by the notifier."""
    response = httpx.post(f"{live.url}/open311/v2/requests.json", data=FORM, timeout=10)
    assert response.status_code == 200, response.text
    [answer] = response.json()
    code = str(answer["service_request_id"])
    one = f"{live.url}/open311/v2/requests/{code}.json"
    until(lambda: httpx.get(one, timeout=5).status_code == 200, "the request to be public")
    return code


@pytest.fixture(scope="module", params=["json", "xml"])
def client(request: pytest.FixtureRequest, live: Live) -> GeoReport:
    return GeoReport(f"{live.url}/open311/v2", api_key=KEY, output_format=request.param)


def _field(item: Any, name: str) -> Any:
    return item[name]


def test_get_service_list(client: GeoReport) -> None:
    services = client.get_service_list()
    codes = {_field(s, "service_code") for s in services}
    assert codes == {"regulation", "behaviour", "unclassified"}
    assert all(str(_field(s, "metadata")).lower() == "true" for s in services)


def test_get_service_definition(client: GeoReport) -> None:
    definition = client.get_service_definition("regulation")
    assert _field(definition, "service_code") == "regulation"
    attributes = definition["attributes"]
    if client.output_format == "xml":  # xmltodict: {"attribute": [...]}
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["title", "regulation"]


def test_get_service_requests_with_every_filter(client: GeoReport, posted: str) -> None:
    def ids(**filters: str) -> set[str]:
        try:
            found = client.get_service_requests(**filters)
        except TypeError:  # georeport cannot read an empty <service_requests/> (None)
            assert client.output_format == "xml"
            return set()
        if isinstance(found, dict):  # xmltodict: one request is not a list
            found = [found]
        return {r["service_request_id"] for r in found or []}

    assert posted in ids()
    assert posted in ids(status="open,closed")
    assert posted in ids(service_code="regulation,unclassified")
    assert posted in ids(start_date=_recent_start())
    assert posted not in ids(start_date="2023-01-01T00:00:00Z", end_date="2023-02-01T00:00:00Z")
    assert ids(service_request_id=posted, status="closed", service_code="behaviour") == {posted}


def _recent_start() -> str:
    moment = time.gmtime(time.time() - 86_400)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)


def test_get_service_request(client: GeoReport, posted: str) -> None:
    request = client.get_service_request(posted)
    assert request["service_request_id"] == posted
    assert request["status"] in ("open", "closed")
    assert request["requested_datetime"].endswith("+07:00")
    assert "." not in request["requested_datetime"]  # no fraction of a second
    assert not request["lat"] and not request["long"]  # a citizen's point is not published


def test_discovery_and_errors_as_the_spec_writes_them(live: Live, posted: str) -> None:
    api = f"{live.url}/open311/v2"
    discovery = httpx.get(f"{api}/discovery.json", timeout=5).json()
    assert discovery["endpoints"][0]["url"] == api
    xml = ET.fromstring(httpx.get(f"{api}/discovery.xml", timeout=5).content)
    assert xml.findtext("endpoints/endpoint/url") == api
    wrong_key = httpx.post(f"{api}/requests.json", data={**FORM, "api_key": "x"}, timeout=5)
    unknown = httpx.post(f"{api}/requests.xml", data={**FORM, "service_code": "x"}, timeout=5)
    missing = httpx.get(f"{api}/requests/{posted[:-1]}.json", timeout=5)
    assert wrong_key.status_code == 403 and wrong_key.json()[0]["code"] == 403
    assert unknown.status_code == 400
    assert ET.fromstring(unknown.content).findtext("error/code") == "400"
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
