"""Every HTTP channel on PostgreSQL ends in the same register and the same case events,
which the intake relay publishes on the real broker."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from schemas.topics import Topics
from services.intake.models import IntakeAttachment, IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from tests.support import (
    STAFF_SECRET,
    RunningService,
    events_of,
    eventually,
    office_pass,
    read_topic,
    staff_csrf,
)
from tests.unit.intake.http_support import PORTAL_AUTH, PORTAL_KEY

CONTENT = (
    "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ tại huyện Chư Sê yêu cầu quá nhiều giấy tờ "
    "không có trong quy định; đề nghị Sở Xây dựng hướng dẫn thống nhất."
)
PERSON = {"address": "thôn 3, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


async def test_each_http_channel_registers_and_its_case_event_reaches_kafka(
    kafka: str, topics: Topics, pg_url: str, tmp_path: Path
) -> None:
    intake = IntakeService(
        IntakeSettings(
            database_url=pg_url,
            kafka_bootstrap=kafka,
            topic_namespace=topics.namespace,
            attachment_dir=tmp_path / "files",
            staff_secret=STAFF_SECRET,
            channel_keys=f"portal:{hashlib.sha256(PORTAL_KEY.encode()).hexdigest()}",
            open311_keys=f"tests:{hashlib.sha256(b'secret').hexdigest()}",
            public_base_url="http://intake",
        )
    )
    async with RunningService(intake, bootstrap=kafka):
        transport = httpx.ASGITransport(app=intake.web())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://intake", cookies=office_pass()
        ) as client:
            codes = {
                "web": await _web(client),
                "portal": await _portal(client),
                "open311": await _open311(client),
                "hotline": await _hotline(client),
                "post": await _post(client),
            }
            odd = {"channel": "portal", "received_at": "2023-01-18T09:30:00+07:00",
                   "name": "Nguyễn\u0000 Văn A", "content": CONTENT, "x\ud800": "\u0000\udfff"}  # fmt: skip
            bad = await client.post(
                "/api/submissions", content=json.dumps(odd).encode(), headers=PORTAL_AUTH
            )
            assert bad.status_code == 201, bad.text  # PostgreSQL refuses NUL and lone surrogates

        async def published() -> list[dict[str, Any]]:
            records = await read_topic(kafka, topics.case_events, idle_s=0.5)
            events = events_of(records, "case.accepted") + events_of(records, "case.refused")
            return events if len(events) >= len(codes) + 1 else []

        events = await eventually(published, what="the six case events on Kafka")
    by_code = {e["case"]["tracking_code"]: e["case"] for e in events}
    channels = {name: by_code[code]["channel"] for name, code in codes.items()}
    assert channels == {
        "web": "web", "portal": "portal", "open311": "web", "hotline": "hotline", "post": "post",
    }  # fmt: skip
    called = datetime.fromisoformat(by_code[codes["hotline"]]["received_at"])
    assert called == datetime(2023, 3, 6, 1, 15, tzinfo=UTC)  # the call time, 08:15 in Gia Lai
    assert by_code[codes["web"]]["attachments"] == ["giấy phép.pdf"]
    async with intake.db.session() as session:
        cases = (await session.exec(select(IntakeCase))).all()
        raws = (await session.exec(select(RawPayload))).all()
        (attachment,) = (await session.exec(select(IntakeAttachment))).all()
    assert len(cases) == 6 and {r.status for r in raws} == {"registered"}
    assert attachment.case_id == next(c.id for c in cases if c.tracking_code == codes["web"])
    odd_case = next(c for c in cases if c.name == "Nguyễn Văn A")
    assert odd_case.extra == {"x\ufffd": "\ufffd"}  # kept, in a form PostgreSQL stores


async def _web(client: httpx.AsyncClient) -> str:
    form = {**PERSON, "name": "Nguyễn Thị Hoa", "phone": "0905 123 456", "content": CONTENT}
    files = [("attachments", ("giấy phép.pdf", PDF, "application/pdf"))]
    response = await client.post("/gui-phan-anh", data=form, files=files)
    assert response.status_code == 303, response.text  # to the receipt (Post/Redirect/Get)
    return _code((await client.get(response.headers["location"])).text)


async def _portal(client: httpx.AsyncClient) -> str:
    item = {
        **PERSON,
        "id": "DVC-1",
        "channel": "portal",
        "received_at": "2023-01-18T09:30:00+07:00",
        "name": "Lê Văn Tám",
        "phone": "0905 222 111",
        "content": CONTENT,
    }
    response = await client.post("/api/submissions", json=item, headers=PORTAL_AUTH)
    assert response.status_code == 201, response.text
    return str(response.json()["tracking_code"])


async def _open311(client: httpx.AsyncClient) -> str:
    form = {
        "api_key": "secret",
        "service_code": "regulation",
        "description": CONTENT,
        "first_name": "Hùng",
        "last_name": "Phạm Văn",
        "phone": "0905 333 111",
        "address_string": PERSON["address"],
    }
    response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()[0]["service_request_id"])


async def _hotline(client: httpx.AsyncClient) -> str:
    call = {
        "csrf": staff_csrf(),  # the staff pass's form token
        **PERSON,
        "call_time": "2023-03-06T08:15",
        "operator_id": "ttv-07",
        "name": "Trần Văn Bình",
        "phone": "0914 222 333",
        "content": CONTENT,
    }
    response = await client.post("/noi-bo/duong-day-nong", data=call)
    assert response.status_code == 201, response.text
    return _code(response.text)


async def _post(client: httpx.AsyncClient) -> str:
    letter = {
        "csrf": staff_csrf(),
        **PERSON,
        "received_on": "2023-01-18",
        "letter_no": "CV-145",
        "clerk_id": "vt-02",
        "name": "Rơ Mah Hlim",
        "content": CONTENT + " Gửi qua bưu điện.",
    }
    response = await client.post("/noi-bo/thu-gui", data=letter)
    assert response.status_code == 201, response.text
    return _code(response.text)


def _code(page: str) -> str:
    found = re.search(r'id="ma-tra-cuu">([^<]+)<', page)
    assert found, page
    return found.group(1)
