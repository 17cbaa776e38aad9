"""Issue 14 in the console on a router's SQLite database: the case page shows no rule ids,
figures or hashes, and a head does not approve the draft they wrote (the reason in officers'
words: tests/unit/router/test_issue14_officers_words.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import LAND_RULE, VAGUE


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)  # → STNMT
    await harness.accept("vague", VAGUE)  # → TRIAGE
    yield harness
    await harness.close()


async def test_the_case_page_shows_no_rule_ids_figures_or_hashes(console: Console) -> None:
    officer = await console.officer("cb.stnmt", "STNMT")
    page = (await officer.get("/can-bo/ho-so/land")).text
    assert "Lý do chuyển đến cơ quan này" in page
    routing = page.split("<h2>Định tuyến</h2>")[1].split("</table>")[0]
    case = await console.router.case("land")
    assert case.rule_id not in routing and "Độ tin cậy" not in page
    assert case.calendar_version not in page
    assert not re.search(r"\b0\.\d+\b", routing), routing
    head = await console.officer("ld.vpub", "VPUB", "supervisor")
    triage = (await head.get("/can-bo/ho-so/vague")).text
    assert "chưa đủ căn cứ" in triage and "confidence" not in triage


async def _draft(console: Console, client, case_id: str = "land") -> str:  # type: ignore[no-untyped-def]
    page = f"/can-bo/ho-so/{case_id}"
    saved = await console.post_form(
        client, page, f"{page}/du-thao", {"answer": "Sở đã trả lời.", "outcome": "answered"}
    )
    assert saved.status_code == 303
    found = re.search(r"/can-bo/du-thao/(\d+)/huy", (await client.get(page)).text)
    assert found
    return found.group(1)


async def test_a_head_does_not_approve_the_draft_they_wrote(console: Console) -> None:
    head = await console.officer("ld.stnmt", "STNMT", "head")
    draft = await _draft(console, head)
    page = (await head.get("/can-bo/ho-so/land")).text
    assert "người soạn không tự duyệt" in page and "Duyệt và công bố" not in page
    own = await console.post_form(head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft}/duyet", {})
    assert own.status_code == 409 and "không tự duyệt" in own.text
    other = await console.officer("ld2.stnmt", "STNMT", "head")
    approved = await console.post_form(
        other, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft}/duyet", {}
    )
    assert approved.status_code == 303


async def test_an_agency_allowed_by_the_settings_may_self_approve(console: Console) -> None:
    console.settings.console_self_approval_agencies = "SXD, STNMT"
    head = await console.officer("ld.stnmt", "STNMT", "head")
    draft = await _draft(console, head)
    assert "Duyệt và công bố" in (await head.get("/can-bo/ho-so/land")).text
    own = await console.post_form(head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft}/duyet", {})
    assert own.status_code == 303
