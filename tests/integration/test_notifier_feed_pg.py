"""The public catalogue's queries on PostgreSQL: folded search with LIKE escapes, dates in
Vietnam's time zone, status and agency filters, counts, statistics and Open311."""

from __future__ import annotations

from datetime import date, datetime

from schemas.events import CaseEscalated
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from tests.unit.notifier.builders import BASE, HOA, accepted, answered, apply, client, code, routed


async def test_search_filters_and_statistics_run_on_postgresql(pg_url: str) -> None:
    service = NotifierService(
        NotifierSettings(database_url=pg_url, public_base_url=BASE, page_size=1)
    )
    land, late, night = code(), code(), code()
    # 23:30 on 5 March in Vietnam is 16:30 UTC the same day; 00:30 on 6 March is 17:30 UTC on the 5th.
    at_night = datetime.fromisoformat("2023-03-06T00:30:00+07:00")
    await apply(
        service,
        accepted("land", land, **HOA),
        routed("land", land),
        answered("land", land, "Sở sẽ sửa hạn mức 100% đất ở_thửa.", answered_on=date(2023, 2, 1)),
        accepted("late", late, **{**HOA, "title": "Đất đai chậm"}),
        routed("late", late, agency="SXD", agency_name="Sở Xây dựng"),
        CaseEscalated(correlation_id="late", case_id="late", tracking_code=late, agency="SXD", stage="answer", due=date(2023, 2, 8)),
        accepted("night", night, **{**HOA, "title": "Giấy phép", "content": "Xin giấy phép xây dựng."}, received_at=at_night),
    )  # fmt: skip
    feed = "/tra-loi/feed.json"
    async with client(service) as http:

        async def codes(query: str) -> set[str]:
            found: set[str] = set()
            url = f"{feed}?{query}"
            while url:
                body = (await http.get(url.removeprefix(BASE))).json()
                found |= {item["_pakn"]["tracking_code"] for item in body["items"]}
                url = body.get("next_url", "")
            return found

        assert await codes("q=HAN MUC dat o") == {land}
        assert await codes("q=dat") == {land, late}
        assert await codes("q=100%25") == {land}
        assert await codes("q=se%25sua") == set()  # a literal %, not a wildcard
        assert await codes("q=dat_o") == set()  # a literal _, not any character
        assert await codes("q=o_thửa") == {land}
        assert await codes("van_ban=22/2016&co_quan=SXD") == {late}
        assert await codes("tinh_trang=qua-han") == {late}
        assert await codes("tinh_trang=da-tra-loi") == {land}
        assert await codes("tu_ngay=2023-03-06") == {night}
        assert await codes("den_ngay=2023-03-05") == {land, late}
        stats = (await http.get("/thong-ke")).text
        requests = (await http.get("/open311/v2/requests.json?status=open&page_size=10")).json()
    assert "Sở Xây dựng" in stats and "Toàn tỉnh" in stats
    assert {r["service_request_id"] for r in requests} == {late, night}
    await service.db.dispose()
