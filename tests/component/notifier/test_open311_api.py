"""The Open311 GeoReport v2 read API as the spec (wiki.open311.org/GeoReport_v2) reads it:
every call in JSON and XML (parsed by the standard library's XML parser), the filters and
their precedence, the default window, one time format, the error format everywhere."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from schemas.timezone import VIETNAM
from services.notifier.service import NotifierService
from tests.unit.notifier.builders import (
    accepted,
    answered,
    apply,
    client,
    code,
    migrated_notifier,
    refused,
    routed,
)

API = "/open311/v2"
NOW = datetime.now(VIETNAM)
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")  # RFC 3339, +07:00, no fraction
TEXT = {"name": "Nguyễn Văn A", "title": "Thủ tục cấp phép", "content": "Thủ tục còn rườm rà."}

Cases = tuple[NotifierService, dict[str, str]]


@pytest.fixture
async def cases(tmp_path: Path) -> Cases:
    """Recent cases (answered, open, unclassified, refused) and one from 2023."""
    service = await migrated_notifier(tmp_path)
    codes = {name: code() for name in ("answered", "open", "fresh", "refused", "old")}
    recent = {**TEXT, "received_at": NOW - timedelta(days=3, microseconds=-123)}
    await apply(
        service,
        accepted("answered", codes["answered"], **recent),
        routed("answered", codes["answered"]),
        answered("answered", codes["answered"], "Sở đã sửa quy trình."),
        accepted("open", codes["open"], **{**recent, "received_at": NOW - timedelta(days=10)}),
        routed("open", codes["open"], case_class="behaviour", kind="phan_anh"),
        accepted("fresh", codes["fresh"], **{**recent, "received_at": NOW - timedelta(hours=1)}),
        refused("refused", codes["refused"], "complaint_or_denunciation", **recent),
        accepted("old", codes["old"], **TEXT),  # received 18 Jan 2023
        routed("old", codes["old"]),
    )
    return service, codes


async def _ids(service: NotifierService, query: str) -> set[str]:
    async with client(service) as http:
        response = await http.get(f"{API}/requests.json?{query}")
    assert response.status_code == 200, response.text
    return {r["service_request_id"] for r in response.json()}


async def test_the_default_window_is_the_last_90_days(cases: Cases) -> None:
    service, codes = cases
    recent = {codes["answered"], codes["open"], codes["fresh"]}
    assert await _ids(service, "") == recent  # not the 2023 case, never the refused one
    assert await _ids(service, "start_date=2023-01-01T00:00:00%2B07:00") == {codes["old"]}
    assert await _ids(service, "end_date=2023-02-01T00:00:00Z") == {codes["old"]}
    assert await _ids(service, "page_size=50") == recent | {codes["old"]}  # paging: all


async def test_status_and_service_code_take_comma_lists(cases: Cases) -> None:
    service, codes = cases
    everything = {codes["answered"], codes["open"], codes["fresh"]}
    assert await _ids(service, "status=open,closed") == everything
    assert await _ids(service, "status=closed") == {codes["answered"]}
    assert await _ids(service, "status=open") == {codes["open"], codes["fresh"]}
    assert await _ids(service, "service_code=unclassified") == {codes["fresh"]}
    assert await _ids(service, "service_code=behaviour,unclassified") == {
        codes["open"],
        codes["fresh"],
    }
    assert await _ids(service, "service_code=regulation&status=open") == set()


async def test_service_request_id_takes_precedence_over_every_other_filter(cases: Cases) -> None:
    service, codes = cases
    wanted = f"{codes['old']},{codes['answered']},{codes['refused']}"
    query = f"service_request_id={wanted}&status=open&service_code=behaviour&end_date=2000-01-02"
    assert await _ids(service, query) == {codes["old"], codes["answered"]}


async def test_times_are_rfc_3339_in_one_form(cases: Cases) -> None:
    service, codes = cases
    async with client(service) as http:
        [one] = (await http.get(f"{API}/requests/{codes['answered']}.json")).json()
        [old] = (await http.get(f"{API}/requests/{codes['old']}.json")).json()
    for request in (one, old):
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert TIME.match(request[name]), (name, request[name])
    assert old["requested_datetime"] == "2023-01-18T09:30:00+07:00"
    assert old["expected_datetime"] == "2023-02-08T23:59:59+07:00"
    assert one["lat"] is None and one["long"] is None and one["address"] is None


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("start_date=hom-qua", "start_date"),
        ("end_date=2024-02-30", "end_date"),
        ("start_date=9999-12-31T00:00:00Z", "start_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2025-01-01T00:00:00Z", "start_date"),
        ("start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", "90 ngày"),
        ("status=open,maybe", "status"),
        ("service_code=potholes", "service_code"),
        ("page_size=1001", "page_size"),
        ("service_request_id=khong-phai-ma", "service_request_id"),
    ],
)
async def test_a_bad_parameter_is_a_400_in_the_spec_format_naming_it(
    cases: Cases, query: str, named: str
) -> None:
    service, _ = cases
    async with client(service) as http:
        as_json = await http.get(f"{API}/requests.json?{query}")
        as_xml = await http.get(f"{API}/requests.xml?{query}")
    assert as_json.status_code == 400 and as_xml.status_code == 400
    [error] = as_json.json()
    assert error["code"] == 400 and named in error["description"]
    root = ET.fromstring(as_xml.content)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert named in (root.findtext("error/description") or "")


async def test_services_and_their_definitions(cases: Cases) -> None:
    service, _ = cases
    async with client(service) as http:
        services = (await http.get(f"{API}/services.json")).json()
        definitions = {
            s["service_code"]: (await http.get(f"{API}/services/{s['service_code']}.json")).json()
            for s in services
        }
        xml = ET.fromstring((await http.get(f"{API}/services/regulation.xml")).content)
        unknown = await http.get(f"{API}/services/potholes.json")
    assert {s["service_code"] for s in services} == {"regulation", "behaviour", "unclassified"}
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    for service_code, definition in definitions.items():
        assert definition["service_code"] == service_code
        assert [a["code"] for a in definition["attributes"]] == ["title", "regulation"]
        assert all(
            a["variable"] is True and a["required"] is False for a in definition["attributes"]
        )
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "regulation"
    assert [a.findtext("code") for a in xml.iterfind("attributes/attribute")] == [
        "title",
        "regulation",
    ]
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404


async def test_every_call_answers_in_xml_too(cases: Cases) -> None:
    service, codes = cases
    async with client(service) as http:
        docs = {
            path: await http.get(f"{API}/{path}")
            for path in (
                "discovery.xml",
                "services.xml",
                "requests.xml",
                f"requests/{codes['answered']}.xml",
                "requests/GL-0000-000000.xml",
                "khong-co.xml",
            )
        }
    assert all(r.headers["content-type"].startswith("text/xml") for r in docs.values())
    discovery = ET.fromstring(docs["discovery.xml"].content)
    assert discovery.findtext("endpoints/endpoint/specification") == (
        "http://wiki.open311.org/GeoReport_v2"
    )
    assert {f.text for f in discovery.iterfind("endpoints/endpoint/formats/format")} == {
        "application/json",
        "text/xml",
    }
    services = ET.fromstring(docs["services.xml"].content)
    assert len(services.findall("service")) == 3
    assert services.findtext("service/metadata") == "true"
    listing = ET.fromstring(docs["requests.xml"].content)
    assert listing.tag == "service_requests" and len(listing.findall("request")) == 3
    [one] = ET.fromstring(docs[f"requests/{codes['answered']}.xml"].content).findall("request")
    assert one.findtext("service_request_id") == codes["answered"]
    assert one.findtext("status") == "closed" and TIME.match(
        one.findtext("requested_datetime") or ""
    )
    assert one.findtext("lat") == "" and one.findtext("address") == ""  # present, empty
    assert one.findtext("answering_agency/code") == "STNMT"
    assert [d.findtext("stage") for d in one.iterfind("deadlines/deadline")]
    for missing in ("requests/GL-0000-000000.xml", "khong-co.xml"):
        assert docs[missing].status_code == 404
        assert ET.fromstring(docs[missing].content).findtext("error/code") == "404"


async def test_a_404_anywhere_in_the_api_is_in_the_spec_format(cases: Cases) -> None:
    service, codes = cases
    async with client(service) as http:
        answers = [
            await http.get(f"{API}/{path}")
            for path in (
                f"requests/{codes['refused']}.json",
                "requests/khong-phai-ma.json",
                "services/x.json",
                "khong-co",
            )
        ]
    for response in answers:
        assert response.status_code == 404
        [error] = response.json()
        assert error["code"] == 404 and error["description"]


async def test_discovery_names_the_endpoint_and_its_formats(cases: Cases) -> None:
    service, _ = cases
    async with client(service) as http:
        body = (await http.get(f"{API}/discovery.json")).json()
    [endpoint] = body["endpoints"]
    assert endpoint["url"] == "http://pakn.test/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert TIME.match(body["changeset"]) and body["contact"] and body["key_service"]


async def test_xml_stays_well_formed_whatever_text_it_carries(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tracking = code()
    hostile = {"content": "Nội dung \x01\x0b <b>&amp; ]]> \ufffe hết", "title": "T\x00"}
    await apply(
        service,
        accepted("x", tracking, **{**TEXT, **hostile, "received_at": NOW}),
        routed("x", tracking),
    )
    async with client(service) as http:
        one = await http.get(f"{API}/requests/{tracking}.xml")
        unknown = await http.get(f"{API}/services/a%01b.xml")
    [request] = ET.fromstring(one.content).findall("request")
    assert "<b>&amp; ]]>" in (request.findtext("description") or "")
    assert ET.fromstring(unknown.content).findtext("error/code") == "404"
