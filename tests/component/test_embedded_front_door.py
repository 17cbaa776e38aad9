"""Issue 14: the embedded default's home page is the citizens' front door; the system's
dashboard (topics, raw statuses) is the office's, behind the console's staff pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from services.embedded import Embedded
from services.kit import staffpass


def _pass(system: Embedded, agency: str) -> str:
    return staffpass.issue(
        system.staff_secret,
        username="officer",
        agency=agency,
        role="head",
        ttl=timedelta(minutes=10),
        session="s",
    )


async def test_the_home_page_is_for_citizens_and_the_dashboard_for_the_office(
    tmp_path: Path,
) -> None:
    system = Embedded(tmp_path / "embedded", base_url="http://127.0.0.1:8000")
    await system.migrate()
    transport = httpx.ASGITransport(app=system.web())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        home = await http.get("/")
        anonymous = await http.get("/noi-bo/he-thong")
        http.cookies.set(staffpass.COOKIE, _pass(system, "SNNMT"))
        agency = await http.get("/noi-bo/he-thong")
        http.cookies.set(staffpass.COOKIE, _pass(system, staffpass.OFFICE))
        office = await http.get("/noi-bo/he-thong")
    for system_word in ("Chủ đề", "pakn.", "routed", "TRIAGE", str(tmp_path)):
        assert system_word not in home.text
    for link in ("/gui-phan-anh", "/tra-cuu", "/tra-loi", "/kenh-tiep-nhan", "/can-bo/"):
        assert f'href="{link}"' in home.text
    assert "Chưa có câu trả lời nào" in home.text and "<script" not in home.text
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/can-bo/")
    assert agency.status_code == 403
    assert office.status_code == 200 and "Các sự kiện trên từng chủ đề" in office.text
    assert office.headers["cache-control"] == "no-store"
    for service in system.services:
        await service.db.dispose()
