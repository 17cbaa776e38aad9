"""The shared edge of every web app (`services.kit.web`): security headers on every
response, a public OpenAPI document without the internal routes, links from the configured
base URL only, and parameters checked before they reach a route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.embedded import Embedded
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.intake.web import MissingSetting
from services.kit.settings import data_dir_url
from services.kit.web import (
    INTERNAL_PREFIXES,
    ParameterError,
    bounded_day,
    full_openapi,
    page_number,
    record_id,
)
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.unit.databases import migrated_copy

BASE = "https://pakn.gialai.gov.vn"
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")
PORTAL_ITEM = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Pleiku, tỉnh Gia Lai",
    "phone": "0905 123 456",
    "title": "Kiến nghị sửa quy định về hạn mức đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Nông nghiệp và Môi trường tham mưu sửa đổi cho phù hợp."
    ),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per service (the migrations create every service's tables)."""
    root = tmp_path_factory.mktemp("edge")
    for name in ("intake", "router", "notifier"):
        migrated_copy(root, name)  # copies of one migrated file: tests.unit.databases
    return root


@pytest.fixture(scope="module")
async def apps(folder: Path) -> AsyncIterator[dict[str, FastAPI]]:
    intake = IntakeService(
        IntakeSettings(
            database_url=data_dir_url(folder, "intake"),
            attachment_dir=folder / "files",
            public_base_url=BASE,
        )
    )
    router = RouterService(RouterSettings(database_url=data_dir_url(folder, "router")))
    notifier = NotifierService(
        NotifierSettings(database_url=data_dir_url(folder, "notifier"), public_base_url=BASE)
    )
    embedded = Embedded(folder / "embedded", base_url="http://127.0.0.1:8000")
    yield {
        "intake": intake.web(),
        "router": router.web(),
        "notifier": notifier.web(),
        "embedded": embedded.web(),
    }
    for service in (intake, router, notifier, *embedded.services):
        await service.db.dispose()


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
        yield client


# A page of each service that needs no data, an error, a JSON answer and the page guard.
PAGES = {
    "intake": ["/gui-phan-anh", "/khong-co", "/openapi.json"],
    "router": ["/can-bo/dang-nhap", "/can-bo/", "/khong-co", "/api/v1/queue"],
    "notifier": ["/tra-cuu", "/open311/v2/services.json", "/tra-loi?trang=%C2%B2", "/khong-co"],
    "embedded": ["/gui-phan-anh", "/tra-cuu", "/can-bo/dang-nhap", "/healthz", "/khong-co"],
}


@pytest.mark.parametrize("service", sorted(PAGES))
async def test_every_response_carries_the_security_headers(
    apps: dict[str, FastAPI], service: str
) -> None:
    async for client in _client(apps[service]):
        for path in PAGES[service]:
            response = await client.get(path, headers={"accept": "text/html"})
            assert response.status_code < 500, (path, response.status_code)
            missing = [h for h in HEADERS if h not in response.headers]
            assert not missing, (path, missing)
            policy = response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy, path
            assert "default-src 'self'" in policy or "default-src 'none'" in policy, path
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers.get("referrer-policy"), path
            assert len(response.headers.get_list("content-security-policy")) == 1, path


async def test_a_public_page_allows_no_script_and_no_foreign_resource(
    apps: dict[str, FastAPI],
) -> None:
    async for client in _client(apps["notifier"]):
        policy = (await client.get("/tra-cuu")).headers["content-security-policy"]
    assert "script-src 'none'" in policy and "object-src 'none'" in policy
    assert "http" not in policy and "*" not in policy


@pytest.mark.parametrize("service", sorted(PAGES))
async def test_the_public_openapi_document_leaves_the_internal_routes_out(
    apps: dict[str, FastAPI], service: str
) -> None:
    async for client in _client(apps[service]):
        document = (await client.get("/openapi.json")).json()
    internal = [p for p in document["paths"] if p.startswith(INTERNAL_PREFIXES)]
    assert not internal
    everything = full_openapi(apps[service])["paths"]
    assert len(everything) > len(document["paths"])  # the internal ones exist, unpublished


async def test_what_integrators_need_stays_in_the_public_document(
    apps: dict[str, FastAPI],
) -> None:
    async for client in _client(apps["embedded"]):
        paths = (await client.get("/openapi.json")).json()["paths"]
    assert "post" in paths["/api/submissions"]
    assert {"get", "post"} <= set(paths["/open311/v2/requests.json"])
    assert "/open311/v2/services.json" in paths and "/api/answers.json" in paths
    described = {p["name"] for p in paths["/open311/v2/requests.json"]["get"]["parameters"]}
    assert {"service_request_id", "status", "start_date", "page", "page_size"} <= described


def test_intake_refuses_to_start_without_its_public_base_url(folder: Path) -> None:
    settings = IntakeSettings(database_url=data_dir_url(folder, "intake"), public_base_url="")
    with pytest.raises(MissingSetting, match="PAKN_INTAKE_PUBLIC_BASE_URL"):
        IntakeService(settings).web()


def test_the_embedded_default_sets_every_base_url_itself(tmp_path: Path) -> None:
    system = Embedded(tmp_path, base_url="http://127.0.0.1:8123")
    assert system.intake.settings.public_base_url == "http://127.0.0.1:8123"
    assert system.notifier.settings.public_base_url == "http://127.0.0.1:8123"
    assert system.web().openapi()["paths"]


async def test_links_are_built_from_the_configured_base_url_not_the_host_header(
    apps: dict[str, FastAPI],
) -> None:
    async for client in _client(apps["intake"]):
        response = await client.post(
            "/api/submissions", json=PORTAL_ITEM, headers={"host": "evil.example"}
        )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status_url"].startswith(BASE + "/tra-cuu/")
    assert answer["receipt_url"].startswith(BASE + "/")
    assert "evil.example" not in response.text


@pytest.mark.parametrize("value", ["²", "١٢", "0", "10001", str(2**64), "9" * 40])
async def test_a_page_number_out_of_form_or_bounds_is_a_400_in_vietnamese(
    apps: dict[str, FastAPI], value: str
) -> None:
    async for client in _client(apps["notifier"]):
        response = await client.get("/open311/v2/requests.json", params={"page": value})
        page = await client.get(
            "/tra-loi", params={"trang": value}, headers={"accept": "text/html"}
        )
    assert response.status_code == 400 and "Số trang" in response.json()["detail"]
    assert page.status_code == 400 and "Số trang" in page.text


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31", "2024-02-30", "²"])
async def test_a_date_out_of_form_or_bounds_is_a_400_in_vietnamese(
    apps: dict[str, FastAPI], value: str
) -> None:
    async for client in _client(apps["notifier"]):
        feed = await client.get("/tra-loi/feed.json", params={"den_ngay": value})
        open311 = await client.get("/open311/v2/requests.json", params={"start_date": value})
        stats = await client.get("/thong-ke", params={"tu_ngay": value})
    assert feed.status_code == 400 and "ngày" in feed.json()["detail"].lower()
    assert open311.status_code == 400 and "ngày" in open311.json()[0]["description"].lower()
    assert stats.status_code == 400


async def test_fastapis_own_refusals_speak_vietnamese(apps: dict[str, FastAPI]) -> None:
    async for client in _client(apps["router"]):
        missing = await client.get("/khong-co")
        wrong_method = await client.delete("/can-bo/dang-nhap")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.json()["detail"]
    assert wrong_method.status_code == 405 and "không được hỗ trợ" in wrong_method.json()["detail"]


def test_the_parameter_checks() -> None:
    assert page_number(None) == 1 and page_number(" 7 ") == 7 and page_number("10000") == 10_000
    for bad in ("²", "١", "0", "-1", "+1", "1e3", "10001", "9" * 19):
        with pytest.raises(ParameterError, match="Trang"):
            page_number(bad)
    assert record_id("12") == 12 and record_id(str(2**31)) is None and record_id("²") is None
    assert bounded_day("2024-02-29") == date(2024, 2, 29) and bounded_day(" ") is None
    for bad in ("0001-01-01", "9999-12-31", "2101-01-01", "2024-02-30", "２０２４-01-01"):
        with pytest.raises(ParameterError):
            bounded_day(bad)
