"""The queue page of the console on a router's SQLite database: overdue cases marked, filters,
escaping and private headers (the sorting and the filters themselves:
tests/unit/router/test_console_queue.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import DISTRICT, LAND_RULE


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path, today=date(2023, 3, 17))
    await harness.accept("land", {**LAND_RULE, "regulation": "QĐ 22/2016/QĐ-UBND"})
    await harness.accept("dist", DISTRICT)
    yield harness
    await harness.close()


async def test_the_queue_page_marks_overdue_cases_and_filters(console: Console) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = await supervisor.get("/can-bo/?co_quan=*")
    assert page.status_code == 200
    # Received Monday 6 March; on Friday 17 March the 5-day forwarding deadline (13th) passed.
    assert page.text.count("13/03/2023 — Quá hạn") == 2
    assert '<th scope="col">Hạn đang áp dụng</th>' in page.text
    only_land = (await supervisor.get("/can-bo/?co_quan=*&van_ban=22/2016")).text
    assert "GL-LAND" in only_land and "GL-DIST" not in only_land
    by_channel = (await supervisor.get("/can-bo/?co_quan=*&kenh=hotline")).text
    assert "GL-LAND" not in by_channel and "Không có hồ sơ nào" in by_channel
    by_date = (await supervisor.get("/can-bo/?co_quan=*&tu_ngay=2023-03-07")).text
    assert "GL-LAND" not in by_date
    behaviour = (await supervisor.get("/can-bo/?co_quan=*&loai=behaviour")).text
    assert "GL-DIST" in behaviour and "GL-LAND" not in behaviour
    bad = await supervisor.get("/can-bo/?co_quan=*&tu_ngay=hôm-qua")
    assert bad.status_code == 400 and "không đúng dạng ngày" in bad.text


async def test_user_text_is_escaped_and_private_pages_are_not_cached_or_framed(
    console: Console,
) -> None:
    hostile = '<script>alert("x")</script>'
    await console.accept(
        "xss", {**LAND_RULE, "title": hostile + " hạn mức đất ở"}, name=f"<b>{hostile}</b>"
    )
    officer = await console.officer("cb.stnmt", "STNMT")
    for path in ("/can-bo/", "/can-bo/ho-so/xss"):
        response = await officer.get(path)
        assert hostile not in response.text and "&lt;script&gt;" in response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_the_rule_filter_shows_words_and_keeps_the_ids(console: Console) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    page = (await supervisor.get("/can-bo/?co_quan=*")).text
    select = re.search(r'<select id="quy_tac" name="quy_tac">(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options == [
        ("", "Tất cả"),
        ("actor.local_authority", "Hành vi hành chính của UBND xã, huyện"),
        ("field.STNMT", "Lĩnh vực quản lý của Sở Tài nguyên và Môi trường"),
    ]
    # The id is what the link carries, as before: a filtered queue, the rule chosen.
    only_land = (await supervisor.get("/can-bo/?co_quan=*&quy_tac=field.STNMT")).text
    assert "GL-LAND" in only_land and "GL-DIST" not in only_land
    assert '<option value="field.STNMT" selected>Lĩnh vực quản lý của' in only_land
