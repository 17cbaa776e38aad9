"""The agencies' API: an agency's own system reads its queue and answers or transfers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from services.router.models import AuditEntry
from tests.unit.router.console_support import Console
from tests.unit.router.lifecycle_support import DISTRICT, LAND_RULE


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", {**LAND_RULE, "regulation": "QĐ 22/2016/QĐ-UBND"})
    await harness.accept("dist", DISTRICT)
    yield harness
    await harness.close()


async def test_an_agency_system_reads_its_case_and_its_answer_waits_for_a_head(
    console: Console,
) -> None:
    client = console.client()
    headers = {"Authorization": f"Bearer {await console.token('STNMT')}"}
    case = (await client.get("/api/v1/cases/land", headers=headers)).json()
    assert case["tracking_code"] == "GL-LAND" and case["attachments"] == ["don-kien-nghi.pdf"]
    assert case["submitter"]["email"] == "hoa.nguyen@example.com"
    assert case["regulation_key"] == "qd-22-2016-ubnd-provincial"
    assert case["deadlines"]["binding_stage"] == "forward"
    assert case["routing"]["rule_id"] and case["routing"]["rules_version"]

    body = {
        "answer": "Sở đã tiếp thu.",
        "legal_basis": "Luật Đất đai 2013",
        "outcome": "regulation_amended",
        "officer": "nguyen.van.a",
        "approved_by": "giam.doc",  # a name is no approval: ignored
    }
    sent = await client.post("/api/v1/cases/land/answer", json=body, headers=headers)
    assert sent.status_code == 202 and sent.json()["status"] == "draft"
    draft_id = sent.json()["draft_id"]
    assert await console.apply() == []
    assert await console.router.published(event_type="case.answered") == [], "not published"
    assert (await console.router.case("land")).status != "answered"

    head = await console.officer("ld.stnmt", "STNMT", "head")
    approved = await console.post_form(
        head, "/can-bo/ho-so/land", f"/can-bo/du-thao/{draft_id}/duyet", {}
    )
    assert approved.status_code == 303 and await console.apply() == []
    (answered,) = await console.router.published(event_type="case.answered")
    assert answered["outcome"] == "regulation_amended"
    assert answered["answered_by"].startswith("nguyen.van.a (api:STNMT:")
    commands = console.router.bus.topics[console.router.topics.agency_actions]
    assert '"approved_by":"ld.stnmt"' in commands[-1].value.decode()
    twice = await client.post("/api/v1/cases/land/answer", json=body, headers=headers)
    assert twice.status_code == 409 and "đã được trả lời" in twice.json()["detail"]
    async with console.router.service.db.session() as session:
        used = (await session.exec(select(AuditEntry.action))).all()
    assert {"api_case", "api_draft", "refused"} <= set(used)


async def test_an_agency_system_transfers_a_case_out_of_its_competence(console: Console) -> None:
    client = console.client()
    headers = {"Authorization": f"Bearer {await console.token('IGR')}"}
    queue = (await client.get("/api/v1/queue", headers=headers)).json()
    assert queue["agency"] == "IGR" and [c["case_id"] for c in queue["cases"]] == ["dist"]
    body = {"reason": "Thuộc thẩm quyền của Sở", "to_agency": "stnmt", "officer": "cb.igr"}
    moved = await client.post("/api/v1/cases/dist/transfer", json=body, headers=headers)
    assert moved.status_code == 202
    assert await console.apply() == []
    assert (await console.router.case("dist")).agency == "STNMT"
    assert (await client.get("/api/v1/queue", headers=headers)).json()["cases"] == []
