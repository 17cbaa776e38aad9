"""Cases about the same regulation, however it is written, answered together: one
`SubmitAnswer` per case with the same text, so each case closes and each submitter is told."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.router.console.regulations import group_by_regulation, regulation_of
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import LAND_RULE


def test_one_document_written_three_ways_has_one_key() -> None:
    keys = {
        regulation_of("Quyết định số 22/2016/QĐ-UBND"),
        regulation_of("QĐ 22/2016/QĐ-UBND"),
        regulation_of("", "Góp ý", "Theo quyet dinh 22/2016/qd-ubnd cua UBND tinh thi ..."),
    }
    assert len(keys) == 1
    (found,) = keys
    assert found is not None and found.label == "QĐ số 22/2016/QĐ-UBND (cấp tỉnh)"
    assert regulation_of("Nghị định 20/2008/NĐ-CP") != found
    assert regulation_of("Quy định về hạn mức đất ở") is None
    assert regulation_of("") is None


def test_groups_leave_out_items_without_a_regulation_and_put_the_biggest_first() -> None:
    a, b = regulation_of("QĐ 22/2016/QĐ-UBND"), regulation_of("Luật Đất đai 2013")
    groups = group_by_regulation([(a, 1), (b, 2), (None, 3), (a, 4)])
    assert [(g.regulation, g.items) for g in groups] == [(a, (1, 4)), (b, (2,))]


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("one", {**LAND_RULE, "regulation": "Quyết định số 22/2016/QĐ-UBND"})
    await harness.accept(
        "two",
        {**LAND_RULE, "regulation": "QĐ 22/2016/QĐ-UBND"},
        name="Lê Văn Tám",
        phone="0912 000 111",
        email="tam@example.com",
    )
    await harness.accept("three", {**LAND_RULE, "regulation": "Luật Đất đai 2013"})
    yield harness
    await harness.close()


async def test_a_consolidated_answer_closes_each_case_of_the_regulation(console: Console) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    groups = (await officer.get("/can-bo/van-ban")).text
    links = re.findall(r'href="(/can-bo/van-ban/[a-z0-9-]+)">([^<]+)</a></th><td>(\d+)', groups)
    assert next((label, count) for _, label, count in links) == (
        "QĐ số 22/2016/QĐ-UBND (cấp tỉnh)",
        "2",
    )
    group_page = links[0][0]
    page = (await officer.get(group_page)).text
    assert "GL-ONE" in page and "GL-TWO" in page and "GL-THREE" not in page

    none = await console.post_form(officer, group_page, group_page + "/du-thao", {"answer": "x"})
    assert none.status_code == 400 and "chọn ít nhất một hồ sơ" in none.text
    answer = "Sở đã tham mưu UBND tỉnh sửa đổi hạn mức tại Quyết định 22/2016/QĐ-UBND."
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token
    drafted = await officer.post(
        group_page + "/du-thao",
        data={
            "csrf": token.group(1),
            "answer": answer,
            "outcome": "regulation_amended",
            "case_id": ["one", "two", "three"],
        },
    )
    assert drafted.status_code == 303
    pending = (await officer.get(group_page)).text
    assert "Câu trả lời chung đang chờ duyệt (2 hồ sơ)" in pending, "only the group's cases"
    assert "Lê Văn Tám" not in pending.split("Bản sẽ công khai")[1].split("<form")[0]

    head = await console.officer("ld.stnmt", "STNMT", "head")
    approve = re.search(
        r'action="(/can-bo/van-ban/[^"]+/duyet)"', (await head.get(group_page)).text
    )
    assert approve
    sent = await console.post_form(head, group_page, approve.group(1), {})
    assert sent.status_code == 200 and "Đã gửi 2 câu trả lời" in sent.text
    assert await console.apply() == []
    statuses = [(await console.router.case(c)).status for c in ("one", "two", "three")]
    assert statuses == ["answered", "answered", "routed"]
    answered = await console.router.published(event_type="case.answered")
    assert sorted(e["case_id"] for e in answered) == ["one", "two"]
    assert {e["answer"] for e in answered} == {answer}
    assert {e["outcome"] for e in answered} == {"regulation_amended"}
    again = await console.post_form(head, "/can-bo/van-ban", approve.group(1), {})
    assert again.status_code == 404, "a batch is published once"
