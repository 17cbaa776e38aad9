"""After a cut-over, an abolished agency's accounts and API tokens read the cases it held and
can act on nothing; its successor's accounts work the moved case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from services.router import cutover
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import DISTRICT

IA_KHA = "xã Ia Kha, huyện Ia Grai"
ANSWER = {"answer": "Đã xử lý.", "officer": "a", "approved_by": "b"}


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("dist", DISTRICT, address=IA_KHA)
    await harness.accept("other", DISTRICT, address=IA_KHA)
    yield harness
    await harness.close()


async def _cut_over(console: Console) -> None:
    service = console.router.service
    await cutover.apply(service.db, core=service.core, day=date(2026, 12, 2), by="admin")


async def test_an_abolished_agency_reads_its_past_cases_and_acts_on_none(
    console: Console,
) -> None:
    officer = await console.officer("cb.igr", "IGR", "head")
    token = {"Authorization": f"Bearer {await console.token('IGR')}"}
    api = console.client()
    before = await console.post_form(
        officer, "/can-bo/ho-so/other", "/can-bo/ho-so/other/tiep-nhan", {}
    )
    assert before.status_code == 303, "before the cut-over the district still works its cases"
    assert await console.apply() == []
    assert (await console.router.case("other")).status == "taken"

    await _cut_over(console)

    page = await officer.get("/can-bo/ho-so/dist")
    assert page.status_code == 200 and "GL-DIST" in page.text, "its past case stays readable"
    refused = await officer.post("/can-bo/ho-so/dist/tiep-nhan", data={"csrf": _csrf(page.text)})
    assert refused.status_code == 403
    tokens = await console.post_form(
        officer, "/can-bo/khoa-api", "/can-bo/khoa-api", {"label": "x"}
    )
    assert tokens.status_code == 403, "no new API token for an abolished agency"

    read = await api.get("/api/v1/cases/dist", headers=token)
    assert read.status_code == 200 and read.json()["agency"] == "X23764"
    answered = await api.post("/api/v1/cases/dist/answer", json=ANSWER, headers=token)
    assert answered.status_code == 403 and "chấm dứt hoạt động" in answered.json()["detail"]
    assert await console.apply() == []
    assert (await console.router.case("dist")).status == "routed"

    successor = await console.officer("cb.iagrai", "X23764")
    taken = await console.post_form(
        successor, "/can-bo/ho-so/dist", "/can-bo/ho-so/dist/tiep-nhan", {}
    )
    assert taken.status_code == 303
    assert await console.apply() == []
    assert (await console.router.case("dist")).status == "taken"


async def test_a_case_the_abolished_agency_never_held_stays_hidden(console: Console) -> None:
    await console.accept("land", {"title": "Đất", "content": "Quyết định 22/2016/QĐ-UBND về đất"})
    officer = await console.officer("cb.igr", "IGR")
    await _cut_over(console)
    assert (await officer.get("/can-bo/ho-so/land")).status_code == 404
    assert (await officer.get("/can-bo/ho-so/dist")).status_code == 200


def _csrf(html: str) -> str:
    from tests.unit.router.console_support import csrf_of

    return csrf_of(html)
