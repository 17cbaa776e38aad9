"""Public pages on today's structure (issue 9 part 5), served by a notifier on a migrated SQLite
database: a filter by today's agency lists its predecessors' cases, in pages, feeds and
statistics (the pure rules: tests/unit/notifier/test_agencies_today.py)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.notifier.builders import (
    accepted,
    apply,
    client,
    code,
    feed_codes,
    migrated_notifier,
    routed,
)


async def test_the_pages_and_feeds_list_predecessors_cases(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path, province_name="Gia Lai (thử)")
    old, new, other = code(), code(), code()
    await apply(
        service,
        accepted("old", old, title="Đất đai"),
        routed("old", old),  # STNMT, 2023
        accepted("new", new, title="Nông nghiệp"),
        routed("new", new, agency="SNNMT", agency_name="Sở Nông nghiệp và Môi trường"),
        accepted("other", other, title="Xây dựng"),
        routed("other", other, agency="SXD", agency_name="Sở Xây dựng"),
    )
    async with client(service) as http:
        page = await http.get("/tra-loi", params={"co_quan": "SNNMT"})
        feed = await feed_codes(http, "/tra-loi/feed.json?co_quan=SNNMT")
        old_only = await feed_codes(http, "/tra-loi/feed.json?co_quan=STNMT")
        case_page = (await http.get(f"/tra-cuu/{old}")).text
        stats = (await http.get("/thong-ke")).text
        everything = (await http.get("/tra-loi")).text
    assert page.status_code == 200 and old in page.text and new in page.text
    assert other not in page.text
    assert feed == {old, new} and old_only == {old}
    assert "Sở Tài nguyên và Môi trường (cũ)" in case_page
    assert "tỉnh Gia Lai (thử)" in case_page  # the title names the province of the settings
    assert "gộp theo cơ quan hiện nay" in stats
    assert '<optgroup label="Cơ quan trước khi sắp xếp (cũ)">' in everything
    await service.db.dispose()
