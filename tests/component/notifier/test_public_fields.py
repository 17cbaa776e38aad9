"""The field (lĩnh vực) filter of the answers list: a case's fields are those of the agency
that holds or answered it; the filter works in the page, every feed and Open311, and the
agencies file gives every agency a Vietnamese field (the Inspectorate aside)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

import feedparser
import pytest

from schemas.events import CaseTransferred
from services.notifier.service import NotifierService
from services.router.domain.agencies import load_agencies
from tests.unit.notifier.builders import (
    accepted,
    answered,
    apply,
    client,
    code,
    feed_codes,
    migrated_notifier,
    refused,
    routed,
)
from tests.unit.notifier.reference_data import packaged_directory

LAND = {"title": "Hạn mức đất ở", "content": "Hạn mức công nhận đất ở chưa phù hợp."}
CIVIL = {"title": "Thủ tục hộ tịch", "content": "Đăng ký khai sinh phải nộp quá nhiều giấy tờ."}
MARKET = {"title": "Chợ đầu mối", "content": "Kiểm tra an toàn thực phẩm ở chợ còn chồng chéo."}
CLINIC = {"title": "Bếp ăn bệnh viện", "content": "Cấp giấy an toàn thực phẩm cho bếp ăn chậm."}
HOUSE = {"title": "Nhà ở xã hội", "content": "Điều kiện mua nhà ở xã hội chưa rõ."}
LAND_FIELD = urlencode({"linh_vuc": "Đất đai"})  # as the page writes it


@pytest.fixture
async def cases(tmp_path: Path) -> tuple[NotifierService, dict[str, str]]:
    service = await migrated_notifier(tmp_path, page_size=2)
    codes = {name: code() for name in ("land", "late", "civil", "market", "clinic", "house")}
    codes["refused"] = code()
    house = {"correlation_id": "house", "case_id": "house", "tracking_code": codes["house"]}
    await apply(
        service,
        accepted("land", codes["land"], **LAND),
        routed("land", codes["land"]),
        answered("land", codes["land"], "Sở sẽ tham mưu sửa đổi hạn mức."),
        accepted("late", codes["late"], **LAND),
        routed("late", codes["late"]),
        accepted("civil", codes["civil"], **CIVIL),
        routed("civil", codes["civil"], agency="STP", agency_name="Sở Tư pháp"),
        accepted("market", codes["market"], **MARKET),
        routed("market", codes["market"], agency="SCT", agency_name="Sở Công Thương"),
        accepted("clinic", codes["clinic"], **CLINIC),
        routed("clinic", codes["clinic"], agency="SYT", agency_name="Sở Y tế"),
        accepted("house", codes["house"], **HOUSE),
        routed("house", codes["house"]),
        CaseTransferred(**house, from_agency="STNMT", to_agency="SXD", reason="nhà ở", by="cb", hop=2),
        routed("house", codes["house"], agency="SXD", agency_name="Sở Xây dựng", hop=2),
        refused("refused", codes["refused"], "complaint_or_denunciation", **LAND),
    )  # fmt: skip
    return service, codes


async def test_field_filter_keeps_only_cases_of_agencies_with_that_field(
    cases: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = cases
    land = {codes["land"], codes["late"]}
    async with client(service) as http:
        page = await http.get("/tra-loi", params={"linh_vuc": "Đất đai"})
        feed = await feed_codes(http, f"/tra-loi/feed.json?{LAND_FIELD}")
        answers = await feed_codes(http, f"/api/answers.json?{LAND_FIELD}")
        atom = feedparser.parse((await http.get(f"/tra-loi/atom.xml?{LAND_FIELD}")).content)
        open311 = await http.get(f"/open311/v2/requests.json?{LAND_FIELD}&page_size=50")
    assert page.status_code == 200 and "Kết quả: 2 phản ánh, kiến nghị" in page.text
    assert all(c in page.text for c in land)
    assert not any(c in page.text for n, c in codes.items() if n not in ("land", "late"))
    assert f"/tra-loi/feed.json?{LAND_FIELD}" in page.text  # the query's own feeds
    assert f"/open311/v2/requests.json?{LAND_FIELD}" in page.text
    assert feed == land and answers == {codes["land"]}
    assert not atom.bozo and {e.id.rsplit("/", 1)[1] for e in atom.entries} == land
    assert {r["service_request_id"] for r in open311.json()} == land


async def test_a_field_spans_agencies_and_follows_transfers(
    cases: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = cases
    base = "/tra-loi/feed.json?linh_vuc="
    async with client(service) as http:
        food = await feed_codes(http, base + quote("An toàn thực phẩm"))
        housing = await feed_codes(http, base + quote("Nhà ở"))
        civil = await feed_codes(http, base + quote("Hộ tịch") + "&tinh_trang=dang-xu-ly")
        typed = await feed_codes(http, base + "dat%20dai")  # without diacritics
    assert food == {codes["market"], codes["clinic"]}  # Sở Công Thương and Sở Y tế
    assert housing == {codes["house"]}  # transferred from STNMT to SXD: SXD's fields now
    assert civil == {codes["civil"]}
    assert typed == {codes["land"], codes["late"]}


async def test_an_unknown_field_is_explained(cases: tuple[NotifierService, dict[str, str]]) -> None:
    service, _ = cases
    async with client(service) as http:
        page = await http.get("/tra-loi", params={"linh_vuc": "Thiên văn"})
        feed = await http.get("/tra-loi/feed.json", params={"linh_vuc": "Thiên văn"})
        open311 = await http.get("/open311/v2/requests.json", params={"linh_vuc": "Thiên văn"})
    assert page.status_code == 400 and "Lĩnh vực: giá trị «Thiên văn»" in page.text
    assert feed.status_code == 400 and "Lĩnh vực" in feed.json()["detail"]
    assert open311.status_code == 400 and "Lĩnh vực" in open311.json()[0]["description"]


async def test_the_page_lists_every_field_once_in_order(
    cases: tuple[NotifierService, dict[str, str]],
) -> None:
    service, _ = cases
    fields = list(service.directory.fields())
    async with client(service) as http:
        page = (await http.get("/tra-loi", params={"linh_vuc": "Nhà ở"})).text
    assert '<label for="linh_vuc">Lĩnh vực</label>' in page
    assert '<select id="linh_vuc" name="linh_vuc"' in page
    assert "<fieldset>" in page and "<legend>" in page and "<script" not in page
    options = [f'<option value="{f}"' for f in fields]
    positions = [page.index(option) for option in options]
    assert positions == sorted(positions)
    assert all(page.count(option) == 1 for option in options)
    assert '<option value="Nhà ở" selected>' in page


def test_directory_fields_are_sorted_unique_and_name_their_agencies() -> None:
    fields = packaged_directory().fields()
    labels = list(fields)
    assert len(labels) == len(set(labels))
    assert labels.index("Đất đai") < labels.index("Điện") < labels.index("Giá")  # Đ with D
    assert fields["Đất đai"] == ("STNMT",)
    assert set(fields["An toàn thực phẩm"]) == {"SCT", "SYT"}
    assert "TTR" not in {code for agencies in fields.values() for code in agencies}


def test_every_agency_but_the_inspectorate_has_a_vietnamese_field() -> None:
    registry = load_agencies()
    missing = [a.code for a in registry.agencies if not a.fields_vi and a.code != "TTR"]
    assert missing == []
    inspectorate = registry.get("TTR")
    assert inspectorate is not None and inspectorate.fields_vi == ()
    assert all(label.strip() == label and label for a in registry.agencies for label in a.fields_vi)
