"""Open311 GeoReport v2 `POST requests` as the spec writes it: `api_key` required and
checked per client, `service_code` from services.json, the location required, errors in the
spec's format (JSON and XML, parsed by the standard library's XML parser)."""

from __future__ import annotations

import hashlib
import shutil
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.intake.channels.open311 import SERVICE_CODES
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings, parse_open311_keys
from services.notifier.open311 import service_list
from tests.support import office_pass
from tests.unit.intake.http_support import GOOD, Intake, intake_settings, migrated_db

__all__ = ["migrated_db"]
KEY = "khoa-cua-ung-dung-thu"
KEYS = f"app-thu:{hashlib.sha256(KEY.encode()).hexdigest()}"
FORM = {
    "api_key": KEY,
    "service_code": "regulation",
    "description": GOOD["content"],
    "first_name": "Hoa",
    "last_name": "Nguyễn Thị",
    "phone": "0905 123 456",
    "address_string": GOOD["address"],
    "lat": "13.9833",
    "long": "108.0",
    "attribute[title]": "Hạn mức đất ở",
}


@pytest.fixture
async def intake(tmp_path: Path, migrated_db: Path) -> AsyncIterator[Intake]:
    shutil.copyfile(migrated_db, tmp_path / "intake.db")
    service = IntakeService(intake_settings(tmp_path, open311_keys=KEYS))
    transport = httpx.ASGITransport(app=service.web())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://intake", cookies=office_pass()
    ) as client:
        yield Intake(service, client)
    await service.db.dispose()


async def test_a_keyed_client_registers_and_its_location_is_kept(intake: Intake) -> None:
    form = {**FORM, "open311_client": "gia-mao", "via": "web"}
    response = await intake.client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id", "token"}
    [case] = await intake.cases()
    assert answer["service_request_id"] == case.tracking_code
    assert case.extra["open311_client"] == "app-thu" and case.extra["via"] == "open311"
    assert "api_key" not in case.extra
    assert (case.extra["lat"], case.extra["long"]) == ("13.9833", "108.0")
    assert case.address == GOOD["address"] and case.title == "Hạn mức đất ở"


async def test_the_xml_post_answers_in_the_spec_xml(intake: Intake) -> None:
    response = await intake.client.post("/open311/v2/requests.xml", data=FORM)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    [case] = await intake.cases()
    assert root.findtext("request/service_request_id") == case.tracking_code


@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "doan-bua"}, 403, "api_key"),
        ({"service_code": "potholes"}, 400, "service_code"),
        ({"service_code": "x\x01\ufffey"}, 400, "service_code"),  # and the XML stays XML
        ({"service_code": ""}, 400, "service_code"),
        ({"lat": "13.9", "long": ""}, 400, "lat, long"),
        ({"lat": "91", "long": "108"}, 400, "lat"),
        ({"lat": "13.9", "long": "nan"}, 400, "long"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "address_string"),
    ],
)
async def test_a_refused_post_gets_the_spec_error_naming_the_parameter(
    intake: Intake, change: dict[str, str], status: int, named: str
) -> None:
    form = {**FORM, **change}
    as_json = await intake.client.post("/open311/v2/requests.json", data=form)
    as_xml = await intake.client.post("/open311/v2/requests.xml", data=form)
    assert (as_json.status_code, as_xml.status_code) == (status, status)
    assert any(e["code"] == status and named in e["description"] for e in as_json.json())
    root = ET.fromstring(as_xml.content)
    assert root.tag == "errors" and root.findtext("error/code") == str(status)
    assert await intake.cases() == []


async def test_a_wrong_key_learns_nothing_else(intake: Intake) -> None:
    form = {**FORM, "api_key": "doan-bua", "service_code": "potholes", "description": ""}
    [error] = (await intake.client.post("/open311/v2/requests.json", data=form)).json()
    assert error == {"code": 403, "description": "api_key: khóa không hợp lệ."}


async def test_without_configured_keys_nobody_may_post(tmp_path: Path, migrated_db: Path) -> None:
    shutil.copyfile(migrated_db, tmp_path / "intake.db")
    service = IntakeService(intake_settings(tmp_path, open311_keys=""))
    transport = httpx.ASGITransport(app=service.web())
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        response = await client.post("/open311/v2/requests.json", data=FORM)
    await service.db.dispose()
    assert response.status_code == 403


def test_the_keys_setting_is_checked() -> None:
    digest = hashlib.sha256(b"k").hexdigest()
    assert parse_open311_keys(f"app-a:{digest.upper()}, b.c:{digest}") == {digest: "b.c"}
    for wrong in (f"App A:{digest}", "app:not-a-digest", f":{digest}"):
        with pytest.raises(ValueError, match="open311_keys"):
            parse_open311_keys(wrong)
    with pytest.raises(ValueError):
        IntakeSettings(open311_keys="app:CHANGE-ME")


def test_post_takes_exactly_the_service_codes_the_read_api_lists() -> None:
    assert set(SERVICE_CODES) == {service.service_code for service in service_list()}
