"""Issue 14: in the embedded default (one process, the in-process bus) the intake follows
the router's case events too, so the receipt names the agency the router chose."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx

from services.embedded import Embedded
from services.runners import wire_in_memory
from tests.support import eventually

BASE = "http://127.0.0.1:8000"
FORM = {
    "name": "Trần Văn Bình",
    "address": "thôn 2, xã Ia Grai, tỉnh Gia Lai",
    "phone": "0912 345 678",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
}


async def _agency_on_receipt(http: httpx.AsyncClient, code: str) -> str | None:
    """The receipt's agency, or None while it says the agency is being decided."""
    page = (await http.get(f"/bien-nhan/{code}")).text
    found = re.search(r'id="co-quan">(.*?)</dd>', page, re.S)
    assert found, page
    shown = found.group(1)
    return None if "Đang xác định" in shown else re.sub(r"<[^>]+>", "", shown).strip()


async def _routed_status(http: httpx.AsyncClient, code: str) -> dict[str, Any] | None:
    """The public status once the notifier has the routing too (it follows on its own)."""
    status = dict((await http.get(f"/api/cases/{code}")).json())
    return status if status.get("agency_name") else None


async def test_the_receipt_names_the_agency_the_router_chose(tmp_path: Path) -> None:
    system = Embedded(tmp_path / "embedded", base_url=BASE)
    await system.migrate()
    loops = [asyncio.create_task(c) for c in wire_in_memory(system.bus, system.services)]
    try:
        transport = httpx.ASGITransport(app=system.web())
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            sent = await http.post("/gui-phan-anh", data=FORM)
            assert sent.status_code == 303, sent.text
            code = sent.headers["location"].split("/")[-1].split("?")[0]
            shown = await eventually(
                lambda: _agency_on_receipt(http, code), timeout_s=20, what="the receipt's agency"
            )
            status = await eventually(
                lambda: _routed_status(http, code), timeout_s=20, what="the status page's agency"
            )
        assert status["agency"] not in (None, "TRIAGE") and shown == status["agency_name"]
        assert system.bus.topics[system.intake.topics.case_events]  # it came by the bus
    finally:
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await system.bus.close()
        for service in system.services:
            await service.db.dispose()
