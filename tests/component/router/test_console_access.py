"""Access stops at each agency's door: by page, by API, by guessing ids, after a transfer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from services.kit.outbox import OutboxMessage
from services.router.console.access import Officer, may_act, may_see
from tests.unit.router.console_support import Console, csrf_of
from tests.unit.router.lifecycle_support import DISTRICT, LAND_RULE, VAGUE

SECRETS = ("Nguyễn Thị Hoa", "0905 123 456", "hoa.nguyen@example.com", "Lê Lợi", "hạn mức")


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    harness = await Console.start(tmp_path)
    await harness.accept("land", LAND_RULE)  # → STNMT
    await harness.accept("dist", DISTRICT)  # → IGR
    await harness.accept("vague", VAGUE)  # → TRIAGE
    yield harness
    await harness.close()


async def _staged(console: Console) -> int:
    async with console.router.service.db.session() as session:
        topic = console.router.topics.agency_actions
        return len(
            (await session.exec(select(OutboxMessage).where(OutboxMessage.topic == topic))).all()
        )


def test_the_rules_of_who_sees_and_acts() -> None:
    officer = Officer("a", "STNMT", "officer")
    supervisor = Officer("s", "VPUB", "supervisor")
    assert may_see(officer, "STNMT") and not may_see(officer, "IGR")
    assert not may_see(officer, "TRIAGE") and not may_act(officer, "TRIAGE")
    assert may_see(supervisor, "IGR") and not may_act(supervisor, "IGR")
    assert may_act(supervisor, "TRIAGE") and may_act(supervisor, "VPUB")


async def test_a_logged_out_visitor_is_sent_to_the_login_page(console: Console) -> None:
    client = console.client()
    for path in ("/can-bo/", "/can-bo/ho-so/land", "/can-bo/van-ban", "/can-bo/nhat-ky"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/can-bo/dang-nhap?next=")
    posted = await client.post("/can-bo/ho-so/land/tiep-nhan", data={"csrf": "x"})
    assert posted.status_code == 303 and "dang-nhap" in posted.headers["location"]
    assert await _staged(console) == 0


async def test_an_officer_lists_and_opens_only_the_own_agencys_cases(console: Console) -> None:
    stnmt = await console.officer("cb.stnmt", "STNMT")
    queue = (await stnmt.get("/can-bo/")).text
    assert "GL-LAND" in queue and "GL-DIST" not in queue and "GL-VAGUE" not in queue
    # Asking for another agency's queue is ignored: an officer's scope is its agency.
    assert "GL-DIST" not in (await stnmt.get("/can-bo/?co_quan=IGR&tinh_trang=*")).text
    own = await stnmt.get("/can-bo/ho-so/land")
    assert own.status_code == 200
    assert all(secret in own.text for secret in SECRETS[:3]), "the agency sees the original"

    foreign = await stnmt.get("/can-bo/ho-so/dist")
    guessed = await stnmt.get("/can-bo/ho-so/does-not-exist")
    assert foreign.status_code == guessed.status_code == 404
    assert foreign.text == guessed.text, "a foreign case looks exactly like a missing one"
    assert "GL-DIST" not in foreign.text and "Ia Grai" not in foreign.text


async def test_an_officer_cannot_act_on_another_agencys_case(console: Console) -> None:
    igr = await console.officer("cb.igr", "IGR", "head")
    token = csrf_of((await igr.get("/can-bo/")).text)
    attempts = {
        "/can-bo/ho-so/land/tiep-nhan": {},
        "/can-bo/ho-so/land/chuyen": {"reason": "x", "to_agency": "IGR"},
        "/can-bo/ho-so/land/du-thao": {"answer": "Trả lời", "outcome": "answered"},
        "/can-bo/ho-so/land/gia-han": {"reason": "Phức tạp"},
        "/can-bo/ho-so/land/yeu-cau-bo-sung": {"question": "?"},
        "/can-bo/ho-so/vague/giao": {"reason": "x", "to_agency": "IGR"},
    }
    for path, data in attempts.items():
        response = await igr.post(path, data={**data, "csrf": token})
        assert response.status_code == 404, path
        assert "GL-LAND" not in response.text and "hạn mức" not in response.text
    assert await _staged(console) == 0


async def test_a_draft_of_another_agency_cannot_be_approved_by_guessing_its_id(
    console: Console,
) -> None:
    stnmt = await console.officer("cb.stnmt", "STNMT")
    saved = await console.post_form(
        stnmt,
        "/can-bo/ho-so/land",
        "/can-bo/ho-so/land/du-thao",
        {"answer": "Sở sẽ xem xét.", "outcome": "answered"},
    )
    assert saved.status_code == 303
    igr_head = await console.officer("ld.igr", "IGR", "head")
    token = csrf_of((await igr_head.get("/can-bo/")).text)
    for action in ("duyet", "huy"):
        response = await igr_head.post(f"/can-bo/du-thao/1/{action}", data={"csrf": token})
        assert response.status_code == 404 and "Sở sẽ xem xét" not in response.text
    assert await _staged(console) == 0


async def test_the_old_agency_loses_access_when_the_case_is_transferred(console: Console) -> None:
    igr = await console.officer("cb.igr", "IGR")
    moved = await console.post_form(
        igr,
        "/can-bo/ho-so/dist",
        "/can-bo/ho-so/dist/chuyen",
        {"reason": "Thuộc lĩnh vực đất đai của Sở", "to_agency": "STNMT"},
    )
    assert moved.status_code == 303
    assert await console.apply() == []
    assert (await console.router.case("dist")).agency == "STNMT"
    assert (await igr.get("/can-bo/ho-so/dist")).status_code == 404
    assert "GL-DIST" not in (await igr.get("/can-bo/")).text
    stnmt = await console.officer("cb.stnmt", "STNMT")
    page = (await stnmt.get("/can-bo/ho-so/dist")).text
    assert "Thuộc lĩnh vực đất đai của Sở" in page and "Chuyển cơ quan" in page


async def test_the_supervisor_sees_every_case_but_acts_only_on_triage_and_vpub(
    console: Console,
) -> None:
    supervisor = await console.officer("gs.vpub", "VPUB", "supervisor")
    assert "GL-VAGUE" in (await supervisor.get("/can-bo/")).text  # the triage queue
    everything = (await supervisor.get("/can-bo/?co_quan=*")).text
    assert "GL-LAND" in everything and "GL-DIST" in everything
    page = await supervisor.get("/can-bo/ho-so/land")
    assert page.status_code == 200 and "0905 123 456" in page.text
    assert "Tiếp nhận hồ sơ" not in page.text
    taken = await console.post_form(
        supervisor, "/can-bo/ho-so/land", "/can-bo/ho-so/land/tiep-nhan", {}
    )
    assert taken.status_code == 403
    assert await _staged(console) == 0


async def test_an_api_token_reads_and_answers_for_its_own_agency_only(console: Console) -> None:
    client = console.client()
    stnmt = {"Authorization": f"Bearer {await console.token('STNMT')}"}
    igr = {"Authorization": f"Bearer {await console.token('IGR')}"}
    queue = (await client.get("/api/v1/queue", headers=stnmt)).json()
    assert [case["case_id"] for case in queue["cases"]] == ["land"]
    assert queue["cases"][0]["submitter"]["phone"] == "0905 123 456"
    igr_queue = (await client.get("/api/v1/queue", headers=igr)).json()
    assert [case["case_id"] for case in igr_queue["cases"]] == ["dist"]

    assert (await client.get("/api/v1/cases/land", headers=stnmt)).status_code == 200
    for path in ("/api/v1/cases/land", "/api/v1/cases/nope"):
        response = await client.get(path, headers=igr)
        assert response.status_code == 404 and "hạn mức" not in response.text
    body = {"answer": "Trả lời", "officer": "x", "approved_by": "y"}
    answered = await client.post("/api/v1/cases/land/answer", json=body, headers=igr)
    moved = await client.post(
        "/api/v1/cases/land/transfer", json={"reason": "x", "officer": "x"}, headers=igr
    )
    assert answered.status_code == moved.status_code == 404
    assert await _staged(console) == 0


async def test_the_api_refuses_missing_wrong_and_revoked_tokens(console: Console) -> None:
    client = console.client()
    assert (await client.get("/api/v1/queue")).status_code == 401
    wrong = await client.get("/api/v1/queue", headers={"Authorization": "Bearer pakn_nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    head = await console.officer("ld.stnmt", "STNMT", "head")
    created = await console.post_form(
        head, "/can-bo/khoa-api", "/can-bo/khoa-api", {"label": "Một cửa"}
    )
    assert created.status_code == 201
    secret = created.text.split("Authorization: Bearer ")[1].split("<")[0]
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/queue", headers=headers)).status_code == 200
    revoked = await console.post_form(head, "/can-bo/khoa-api", "/can-bo/khoa-api/1/thu-hoi", {})
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/queue", headers=headers)).status_code == 401
