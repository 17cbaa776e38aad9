"""The public answers feed: search without diacritics, filters, pages, feeds for every
query, Open311 field names, refused cases hidden, overdue shown, no script injection."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import feedparser
import httpx
import pytest

from schemas.events import CaseEscalated
from services.notifier.service import NotifierService
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

LAND = {
    "name": "Nguyễn Thị Hoa",
    "email": "hoa@example.com",
    "title": "Hạn mức công nhận đất ở",
    "content": "Quyết định số 22/2016/QĐ-UBND quy định hạn mức đất ở chưa phù hợp thực tế.",
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
}
ROAD = {
    "name": "Trần Văn Bình",
    "title": "Chậm cấp phép xây dựng",
    "content": "Bộ phận một cửa huyện chậm trả giấy phép xây dựng nhà ở riêng lẻ.",
    "received_at": datetime.fromisoformat("2023-03-06T08:00:00+07:00"),
}
HOSTILE_QUESTION = {
    "name": "Lê Văn C",
    "title": "<script>alert('tieu de')</script> Thủ tục hộ tịch",
    "content": "Hỏi về hộ tịch <img src=x onerror=alert(1)> ]]> </content> &amp; thêm",
}
HOSTILE_ANSWER = (
    "Trả lời: <script>alert('tra loi')</script> <a href=\"javascript:alert(2)\">xem</a>"
)
STANDARD_OPEN311 = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
}  # fmt: skip


@pytest.fixture
async def feed(tmp_path: Path) -> tuple[NotifierService, dict[str, str]]:
    service = await migrated_notifier(tmp_path, page_size=2)
    codes = {name: code() for name in ("land", "road", "hostile", "refused", "late")}
    await apply(
        service,
        accepted("land", codes["land"], **LAND),
        routed("land", codes["land"]),
        answered("land", codes["land"], "Sở sẽ tham mưu sửa đổi hạn mức đất ở trong quý III."),
        accepted("road", codes["road"], **ROAD),
        routed(
            "road", codes["road"], agency="IGR", agency_name="UBND huyện Ia Grai",
            case_class="behaviour", kind="phan_anh",
        ),
        accepted("hostile", codes["hostile"], **HOSTILE_QUESTION),
        routed("hostile", codes["hostile"], agency="STP", agency_name="Sở Tư pháp"),
        answered("hostile", codes["hostile"], HOSTILE_ANSWER, agency="STP", agency_name="Sở Tư pháp"),
        refused("refused", codes["refused"], "complaint_or_denunciation", **LAND),
        accepted("late", codes["late"], **{**LAND, "title": "Đất đai quá hạn"}),
        routed("late", codes["late"]),
        CaseEscalated(
            correlation_id="late", case_id="late", tracking_code=codes["late"],
            agency="STNMT", stage="answer", due=date(2023, 2, 8),
        ),
    )  # fmt: skip
    return service, codes


async def _codes_in(http: httpx.AsyncClient, url: str) -> set[str]:
    items = (await http.get(url)).json()["items"]
    return {item["_pakn"]["tracking_code"] for item in items}


async def test_search_ignores_diacritics_and_case(
    feed: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = feed
    async with client(service) as http:
        for query in ("han muc dat o", "HẠN MỨC ĐẤT Ở", "Han Muc"):
            found = await feed_codes(http, f"/tra-loi/feed.json?q={query}")
            assert found == {codes["land"], codes["late"]}, query
        page = await http.get("/tra-loi", params={"q": "giay phep xay dung"})
    assert codes["road"] in page.text and codes["land"] not in page.text


async def test_filters_select_by_agency_class_kind_regulation_status_and_dates(
    feed: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = feed
    base = "/tra-loi/feed.json?"
    async with client(service) as http:
        assert await feed_codes(http, base + "co_quan=IGR") == {codes["road"]}
        assert await feed_codes(http, base + "phan_loai=behaviour") == {codes["road"]}
        assert await feed_codes(http, base + "loai=phan_anh") == {codes["road"]}
        assert await feed_codes(http, base + "van_ban=22/2016") == {codes["land"], codes["late"]}
        answered_ = {codes["land"], codes["hostile"]}
        assert await feed_codes(http, base + "tinh_trang=da-tra-loi") == answered_
        assert await feed_codes(http, base + "tinh_trang=dang-xu-ly") == {
            codes["road"],
            codes["late"],
        }
        assert await feed_codes(http, base + "tinh_trang=qua-han") == {codes["late"]}
        assert await feed_codes(http, base + "tu_ngay=2023-03-01") == {codes["road"]}
        assert codes["road"] not in await feed_codes(http, base + "den_ngay=2023-03-05")
        bad = await http.get(base + "tu_ngay=hom-qua")
    assert bad.status_code == 400 and "ngày không hợp lệ" in bad.json()["detail"]


async def test_pages_cover_everything_once(feed: tuple[NotifierService, dict[str, str]]) -> None:
    service, codes = feed
    async with client(service) as http:
        first = (await http.get("/tra-loi/feed.json")).json()
        everything = await feed_codes(http, "/tra-loi/feed.json")
        second = await http.get("/tra-loi", params={"trang": 2})
        odd = [await http.get(url) for url in ("/tra-loi?trang=abc", "/tra-loi/feed.json?trang=-1")]
    assert len(first["items"]) == 2 and "next_url" in first
    assert everything == {codes[n] for n in ("land", "road", "hostile", "late")}
    assert "Trang 2 / 2" in second.text
    assert [r.status_code for r in odd] == [200, 200]  # a bad page number means the first


async def test_refused_cases_are_only_on_their_status_page(
    feed: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = feed
    hidden = codes["refused"]
    async with client(service) as http:
        for url in ("/tra-loi", "/tra-loi/atom.xml", "/tra-loi/feed.json", "/api/answers.json",
                    "/open311/v2/requests.json?page_size=50", "/thong-ke"):  # fmt: skip
            assert hidden not in (await http.get(url)).text, url
        assert (await http.get(f"/open311/v2/requests/{hidden}.json")).status_code == 404
        page = await http.get(f"/tra-cuu/{hidden}")
    assert page.status_code == 200
    assert "Không được tiếp nhận" in page.text and "khiếu nại, tố cáo" in page.text
    assert "Thanh tra tỉnh Gia Lai" in page.text
    assert LAND["content"][:30] not in page.text  # the refused text itself is not published


async def test_overdue_cases_show_as_overdue(feed: tuple[NotifierService, dict[str, str]]) -> None:
    service, codes = feed
    async with client(service) as http:
        page = await http.get(f"/tra-cuu/{codes['late']}")
        [request] = (await http.get(f"/open311/v2/requests/{codes['late']}.json")).json()
        listing = await http.get("/tra-loi", params={"q": "qua han"})
    assert 'class="overdue">quá hạn' in page.text
    assert request["overdue"] is True and request["status"] == "open"
    assert {"stage": "answer", "due": "2023-02-08", "met": False} in request["deadlines"]
    assert "quá hạn" in listing.text


async def test_atom_parses_as_atom_for_every_query(
    feed: tuple[NotifierService, dict[str, str]],
) -> None:
    service, _ = feed
    async with client(service) as http:
        for query in ("", "?q=dat", "?tinh_trang=da-tra-loi&trang=2", "?co_quan=STP"):
            parsed = feedparser.parse((await http.get("/tra-loi/atom.xml" + query)).content)
            assert not parsed.bozo, (query, parsed.get("bozo_exception"))
            assert parsed.version == "atom10" and parsed.feed.title
            for entry in parsed.entries:
                assert (
                    entry.id.startswith("http://pakn.test/tra-cuu/")
                    and entry.title
                    and entry.updated
                )


async def test_json_feed_and_open311_use_the_standard_names(
    feed: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = feed
    async with client(service) as http:
        body = (await http.get("/tra-loi/feed.json?co_quan=STNMT")).json()
        requests = (await http.get("/open311/v2/requests.json?page_size=50")).json()
        services = (await http.get("/open311/v2/services.json")).json()
        closed = (await http.get("/open311/v2/requests.json?status=closed&page_size=50")).json()
        error = await http.get("/open311/v2/requests.json?status=maybe")
    assert body["version"] == "https://jsonfeed.org/version/1.1" and body["title"]
    assert all(
        item["id"] and (item["content_text"] or item.get("content_html")) for item in body["items"]
    )
    assert all(set(r) >= STANDARD_OPEN311 for r in requests) and len(requests) == 4
    land = next(r for r in requests if r["service_request_id"] == codes["land"])
    assert land["status"] == "closed" and land["address"] is None
    assert land["answering_agency"] == {"code": "STNMT", "name": "Sở Tài nguyên và Môi trường"}
    assert "tham mưu sửa đổi" in land["answer"] and land["expected_datetime"].startswith(
        "2023-02-08"
    )
    assert {s["service_code"] for s in services} >= {"regulation", "behaviour"}
    assert {r["service_request_id"] for r in closed} == {codes["land"], codes["hostile"]}
    assert error.status_code == 400 and error.json()[0]["code"] == 400


async def test_script_in_a_question_or_an_answer_stays_text(
    feed: tuple[NotifierService, dict[str, str]],
) -> None:
    service, codes = feed
    async with client(service) as http:
        pages = {
            url: (await http.get(url)).text
            for url in (
                "/tra-loi",
                f"/tra-cuu/{codes['hostile']}",
                "/tra-loi/atom.xml",
                "/thong-ke",
                "/tra-loi?q=<script>",
            )
        }
        body = (await http.get("/tra-loi/feed.json?co_quan=STP")).json()
        parsed = feedparser.parse((await http.get("/tra-loi/atom.xml?co_quan=STP")).content)
    for url, text in pages.items():
        for raw in ("<script>alert", "<img src=x", '<a href="javascript', "]]> </content>"):
            assert raw not in text, (url, raw)
    assert "&lt;script&gt;alert(&#39;tra loi&#39;)" in pages[f"/tra-cuu/{codes['hostile']}"]
    [entry] = parsed.entries
    assert "<script>alert('tra loi')</script>" in entry.content[0].value  # text, as written
    assert entry.content[0].type == "text/plain"
    assert "content_html" not in body["items"][0]
    assert "<script>alert('tra loi')</script>" in body["items"][0]["content_text"]


async def test_status_by_code_keeps_working(feed: tuple[NotifierService, dict[str, str]]) -> None:
    service, codes = feed
    tc = codes["land"]
    async with client(service) as http:
        typed = await http.get("/tra-cuu", params={"ma": tc.lower().replace("-", " ")})
        page = await http.get(f"/tra-cuu/{tc}")
        status = (await http.get(f"/api/cases/{tc}")).json()
        missing = await http.get("/tra-cuu/GL-2222-2223")
    assert typed.status_code == 303 and typed.headers["location"] == f"/tra-cuu/{tc}"
    for text in ("Đã trả lời", "Sở Tài nguyên và Môi trường", "08/02/2023", "tham mưu sửa đổi"):
        assert text in page.text
    assert status["status"] == "answered" and status["on_time"] is True
    assert missing.status_code == 404
    assert json.dumps(status, ensure_ascii=False).count(tc) == 1
