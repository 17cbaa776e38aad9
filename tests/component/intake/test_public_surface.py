"""Issue 10: what a public caller may decide, the receipt by code, rate limits, and what
invalid bodies cost (items 2, 3, 6 and 7)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import dead_letter
from services.intake.channels.guard import SlidingWindow
from services.intake.flatfile import to_submission
from services.intake.register import ReceivedBounds, ReceivedOutOfBounds, register_submission
from services.intake.service import IntakeService
from services.kit.transport import InMemoryBus, Message
from tests.support import office_pass
from tests.unit.intake.http_support import (
    GOOD,
    PORTAL_AUTH,
    Intake,
    intake_settings,
    migrated_db,
)

__all__ = ["migrated_db"]
PORTAL = {**GOOD, "channel": "portal", "id": "DVC-7", "received_at": "2024-03-01T09:30:00+07:00"}


async def _intake(folder: Path, template: Path, **changes: Any) -> AsyncIterator[Intake]:
    shutil.copyfile(template, folder / "intake.db")
    service = IntakeService(intake_settings(folder, **changes))
    transport = httpx.ASGITransport(app=service.web())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://intake", cookies=office_pass()
    ) as client:
        yield Intake(service, client)
    await service.db.dispose()


@pytest.fixture
async def intake(tmp_path: Path, migrated_db: Path) -> AsyncIterator[Intake]:
    async for running in _intake(tmp_path, migrated_db):
        yield running


@pytest.fixture
async def strict(tmp_path: Path, migrated_db: Path) -> AsyncIterator[Intake]:
    """Low limits, to see them act."""
    limits = {
        "submissions_per_client": 3,
        "submissions_per_recipient": 2,
        "invalid_bodies_per_client": 2,
        "invalid_body_keep_bytes": 100,
        "receipt_proof_attempts": 3,
    }
    async for running in _intake(tmp_path, migrated_db, **limits):
        yield running


# --- item 2: public callers decide nothing; keyed channels within bounds -----------------


async def test_a_public_caller_sets_neither_channel_nor_time_nor_reference(
    intake: Intake,
) -> None:
    claims = {**PORTAL, "channel": "hotline", "received_at": "2020-01-01T00:00:00+07:00"}
    before = datetime.now(UTC)
    response = await intake.client.post("/api/submissions", json=claims)
    assert response.status_code == 201, response.text
    (case,) = await intake.cases()
    assert case.channel == "web" and case.channel_ref is None
    assert before - timedelta(seconds=1) <= case.received_at <= datetime.now(UTC)
    assert case.extra["sender_channel"] == "hotline" and case.extra["sender_ref"] == "DVC-7"
    assert case.extra["sender_received_at"] == "2020-01-01T00:00:00+07:00"  # kept, not used
    other = {
        **claims,
        "content": "Đề nghị công khai thời hạn giải quyết thủ tục cấp phép xây dựng.",
    }
    again = await intake.client.post("/api/submissions", json=other)
    assert again.status_code == 201  # an item of its own, not "the same reference"
    assert again.json()["tracking_code"] != response.json()["tracking_code"]


async def test_nobody_but_the_channel_owns_its_references(intake: Intake) -> None:
    squatter = await intake.client.post("/api/submissions", json=PORTAL)  # first, no key
    genuine = await intake.client.post("/api/submissions", json=PORTAL, headers=PORTAL_AUTH)
    assert (squatter.status_code, genuine.status_code) == (201, 201)  # not dropped as a repeat
    probe = await intake.client.post("/api/submissions", json=PORTAL)  # someone else's ref
    codes = {squatter.json()["tracking_code"], probe.json()["tracking_code"]}
    assert genuine.json()["tracking_code"] not in codes
    repeat = await intake.client.post("/api/submissions", json=PORTAL, headers=PORTAL_AUTH)
    assert repeat.status_code == 200
    assert repeat.json()["tracking_code"] == genuine.json()["tracking_code"]
    portal = [c for c in await intake.cases() if c.channel == "portal"]
    assert [(c.channel_ref, c.received_at) for c in portal] == [
        ("DVC-7", datetime(2024, 3, 1, 2, 30, tzinfo=UTC))
    ]


async def test_a_wrong_key_is_refused_in_vietnamese_and_nothing_is_kept(intake: Intake) -> None:
    for header in ("Bearer not-the-key", "Basic abc", "Bearer "):
        response = await intake.client.post(
            "/api/submissions", json=PORTAL, headers={"Authorization": header}
        )
        assert response.status_code == 401 and "Khóa kênh" in response.json()["detail"][0]
    assert await intake.raws() == [] and await intake.cases() == []


@pytest.mark.parametrize(
    ("received_at", "message"),
    [
        ("2022-12-31T23:59:00+07:00", "không được trước ngày 01/01/2023"),
        ("2099-01-01T00:00:00+07:00", "không được ở tương lai"),
        ("9999-12-31T23:59:59+07:00", "không được ở tương lai"),
    ],
)
async def test_a_keyed_channel_dates_items_within_bounds_only(
    intake: Intake, received_at: str, message: str
) -> None:
    body = {**PORTAL, "received_at": received_at}
    response = await intake.client.post("/api/submissions", json=body, headers=PORTAL_AUTH)
    assert response.status_code == 422
    assert any(message in detail for detail in response.json()["detail"]), response.json()
    assert await intake.cases() == []
    (raw,) = await intake.raws()
    assert raw.status == "failed" and message in (raw.error or "")


async def test_the_bounds_come_from_the_settings(tmp_path: Path, migrated_db: Path) -> None:
    start = "2024-06-01T00:00:00+07:00"
    async for running in _intake(tmp_path, migrated_db, received_at_earliest=start):
        response = await running.client.post("/api/submissions", json=PORTAL, headers=PORTAL_AUTH)
        assert response.status_code == 422 and "01/06/2024" in response.json()["detail"][0]


async def test_attachment_names_are_made_safe_to_show(intake: Intake) -> None:
    names = [
        "C:\\Users\\hoa\\Desktop\\đơn.pdf",
        "../../etc/passwd",
        "hoá đơn\u202efdp.exe",
        "\x1b[31mred\x07.pdf",
        "x" * 500 + ".pdf",
    ]
    body = {**PORTAL, "attachments": names}
    response = await intake.client.post("/api/submissions", json=body, headers=PORTAL_AUTH)
    assert response.status_code == 201, response.text
    (case,) = await intake.cases()
    assert case.attachments[:4] == ["đơn.pdf", "passwd", "hoá đơnfdp.exe", "[31mred.pdf"]
    assert len(case.attachments[4]) <= 200 and case.attachments[4].endswith(".pdf")
    for name in case.attachments:
        assert "/" not in name and "\\" not in name and name.isprintable()


async def test_the_intake_topic_refuses_an_impossible_date_with_its_reason(
    intake: Intake,
) -> None:
    service = intake.service
    bus = InMemoryBus()
    subscription, _routing = service.subscriptions(publisher=bus)
    fields = {k: v for k, v in PORTAL.items() if k != "id"}
    good = Submission.model_validate({**fields, "channel_ref": "T-1"})
    late = good.model_copy(
        update={"channel_ref": "T-2", "received_at": datetime(9999, 1, 1, tzinfo=UTC)}
    )
    for offset, item in enumerate((good, late)):
        event = SubmissionReceived(correlation_id=f"c{offset}", submission=item)
        message = Message(
            topic=service.topics.intake,
            value=event.model_dump_json().encode(),
            partition=0,
            offset=offset,
        )
        await subscription.handler(message)
    (case,) = await intake.cases()
    assert case.channel_ref == "T-1"  # the good one; the other is not passed on to be routed
    statuses = [(raw.status, raw.error or "") for raw in await intake.raws()]
    assert statuses[0] == ("registered", "")
    assert statuses[1][0] == "failed" and "không được ở tương lai" in statuses[1][1]
    assert len(bus.topics[dead_letter(service.topics.intake)]) == 1


async def test_register_refuses_out_of_bounds_and_imports_report_the_line(
    intake: Intake,
) -> None:
    item = Submission.model_validate(
        {**{k: v for k, v in PORTAL.items() if k != "id"}, "received_at": "2019-05-01T08:00:00Z"}
    )
    with pytest.raises(ReceivedOutOfBounds, match="không được trước"):
        async with intake.service.db.transaction() as session:
            await register_submission(session, submission=item, topics=intake.service.topics)
    line = to_submission(3, {**GOOD, "channel": "post", "received_at": "2099-01-01T00:00:00Z"})
    assert line.submission is None and "tương lai" in (line.error or "")
    bounds = ReceivedBounds(earliest=datetime(2023, 1, 1, tzinfo=UTC))
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert bounds.problem(now + timedelta(seconds=299), now=now) is None  # clock skew
    assert bounds.problem(now + timedelta(seconds=301), now=now) is not None


# --- item 3: the receipt by code shows nothing the sender wrote, unless proven ------------


async def _submit(intake: Intake, **changes: str) -> str:
    response = await intake.client.post("/gui-phan-anh", data={**GOOD, **changes})
    assert response.status_code == 303, response.text  # to the receipt
    (case,) = [c for c in await intake.cases() if c.title == changes.get("title", GOOD["title"])]
    return case.tracking_code


async def test_a_code_alone_opens_a_receipt_without_the_senders_text(intake: Intake) -> None:
    title = "Nguyễn Thị Hoa 0905 123 456 kiến nghị"
    code = await _submit(intake, title=title)
    page = (await intake.client.get(f"/bien-nhan/{code}")).text
    assert code in page and "Nguyễn Thị Hoa" not in page and "0905" not in page
    assert '<form method="post" action="/bien-nhan/' + code + '">' in page
    assert '<label for="lien_he">' in page and "<script" not in page


@pytest.mark.parametrize("proof", ["0905123456", "+84 905 123 456", "HOA.NGUYEN@example.com "])
async def test_the_phone_or_email_given_opens_the_full_receipt(intake: Intake, proof: str) -> None:
    code = await _submit(intake)
    response = await intake.client.post(f"/bien-nhan/{code}", data={"lien_he": proof})
    assert response.status_code == 200
    assert GOOD["title"] in response.text and GOOD["name"] in response.text
    assert response.headers["cache-control"] == "no-store"
    assert GOOD["address"] not in response.text  # contacts are not shown even then


async def test_wrong_proofs_are_refused_then_throttled_per_code(strict: Intake) -> None:
    code = await _submit(strict)
    for _ in range(3):
        wrong = await strict.client.post(f"/bien-nhan/{code}", data={"lien_he": "0912000000"})
        assert wrong.status_code == 403 and "không khớp" in wrong.text
        assert GOOD["title"] not in wrong.text
    right = await strict.client.post(f"/bien-nhan/{code}", data={"lien_he": GOOD["phone"]})
    assert right.status_code == 429 and "sai quá nhiều lần" in right.text
    assert GOOD["title"] not in right.text and int(right.headers["retry-after"]) > 0
    empty = await strict.client.post(f"/bien-nhan/{code}", data={"lien_he": ""})
    assert empty.status_code == 429


async def test_a_receipt_without_contacts_cannot_be_opened_in_full(intake: Intake) -> None:
    code = await _submit(intake, phone="", email="", title="Không liên lạc")
    page = (await intake.client.get(f"/bien-nhan/{code}")).text
    assert "<form" not in page and "đường dây nóng" in page
    response = await intake.client.post(f"/bien-nhan/{code}", data={"lien_he": "0905123456"})
    assert response.status_code == 403 and "Không liên lạc" not in response.text


# --- item 6: limits per client and per recipient ------------------------------------------


async def test_public_submissions_are_limited_per_client_address(strict: Intake) -> None:
    answers = []
    for n in range(4):
        answers.append(
            await strict.client.post("/gui-phan-anh", data={**GOOD, "email": f"a{n}@example.com"})
        )
    assert [r.status_code for r in answers] == [303, 303, 303, 429]
    assert "quá nhiều" in answers[-1].text and int(answers[-1].headers["retry-after"]) > 0
    api = await strict.client.post("/api/submissions", json={**GOOD, "email": ""})
    open311 = await strict.client.post(
        "/open311/v2/requests.json", data={"service_code": "x", "description": GOOD["content"]}
    )
    assert (api.status_code, open311.status_code) == (429, 429)
    assert "quá nhiều" in api.json()["detail"][0] and open311.json()[0]["code"] == 429
    assert len(await strict.raws()) == 3  # a refused request is not even read
    keyed = await strict.client.post("/api/submissions", json=PORTAL, headers=PORTAL_AUTH)
    assert keyed.status_code == 201  # a machine channel is not a public client


async def test_the_proxy_header_names_the_client_when_configured(
    tmp_path: Path, migrated_db: Path
) -> None:
    changes = {"submissions_per_client": 1, "client_address_header": "X-Forwarded-For"}
    async for running in _intake(tmp_path, migrated_db, **changes):
        for n, address in enumerate(("203.0.113.7", "spoofed, 203.0.113.8", "203.0.113.7")):
            response = await running.client.post(
                "/gui-phan-anh",
                data={**GOOD, "email": f"b{n}@example.com"},
                headers={"X-Forwarded-For": address},
            )
            assert response.status_code == (429 if n == 2 else 303)


async def test_one_email_address_gets_only_so_many_receipts(strict: Intake) -> None:
    web = [
        await strict.client.post("/gui-phan-anh", data={**GOOD, "email": "Victim@Example.com"}),
        await strict.client.post(  # another text: the same one again is a repeat, not an item
            "/api/submissions",
            json={**GOOD, "email": "victim@example.com", "content": "Đề nghị rút ngắn thời hạn."},
        ),
    ]
    assert [r.status_code for r in web] == [303, 201]  # the form answers with its receipt
    third = await strict.client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": "secret",
            "service_code": "regulation",
            "description": GOOD["content"],
            "address_string": GOOD["address"],
            "email": "victim@example.com",
        },
    )
    assert third.status_code == 429 and "thư điện tử" in third.json()[0]["description"]
    assert len(await strict.cases()) == 2
    assert (await strict.raws())[-1].status == "failed"  # kept with why, for the office


def test_a_sliding_window_forgets_old_hits_and_bounds_its_memory() -> None:
    now = [0.0]
    window = SlidingWindow(2, 60, max_keys=3, clock=lambda: now[0])
    assert [window.allow("a") for _ in range(3)] == [True, True, False]
    assert window.retry_after_s("a") == 61
    now[0] = 61
    assert window.allow("a")
    for key in "bcd":
        window.allow(key)
    assert "a" not in window._hits and len(window._hits) == 3


# --- item 7: invalid bodies archived up to a size, within a quota per client --------------


async def test_invalid_bodies_are_kept_only_in_part_and_past_the_quota_dropped(
    strict: Intake, caplog: pytest.LogCaptureFixture
) -> None:
    junk = b"{" + b"x" * 5000
    statuses = []
    for _ in range(3):
        response = await strict.client.post(
            "/api/submissions", content=junk, headers={"content-type": "application/json"}
        )
        statuses.append(response.status_code)
    assert statuses == [422, 422, 422]  # the sender is told each time
    raws = await strict.raws()
    assert len(raws) == 2  # the third is counted and dropped
    assert all(raw.body == junk[:100] and "5001 byte" in (raw.error or "") for raw in raws)
    # counted: the body dropped whole, and the bytes cut from the two kept (2 x 4901)
    assert "dropped so far: 1 bodies, 14803 bytes" in caplog.text


async def test_an_oversized_body_keeps_a_bounded_start(strict: Intake) -> None:
    body = json.dumps({**GOOD, "content": "a" * 600_000}).encode()
    response = await strict.client.post("/api/submissions", content=body, headers=PORTAL_AUTH)
    assert response.status_code == 413
    (raw,) = await strict.raws()
    assert raw.status == "failed" and raw.body == body[:100] and "quá lớn" in (raw.error or "")


async def test_a_valid_item_is_kept_whole(strict: Intake) -> None:
    big = {**PORTAL, "content": GOOD["content"] + " " + "đ" * 3000}
    response = await strict.client.post("/api/submissions", json=big, headers=PORTAL_AUTH)
    assert response.status_code == 201
    (raw,) = await strict.raws()
    assert raw.status == "registered" and json.loads(raw.body)["content"] == big["content"]


def test_channel_keys_are_hashes_of_known_channels() -> None:
    digest, other = hashlib.sha256(b"k").hexdigest(), hashlib.sha256(b"o").hexdigest()
    settings = intake_settings(Path("/tmp"), channel_keys=f"portal:{digest}, hotline:{other}")
    assert settings.channel_key_hashes == {digest: "portal", other: "hotline"}
    for bad in (f"web:{digest}", "portal:plain-key", f"fax:{digest}", "portal:CHANGE-ME"):
        with pytest.raises(ValueError):
            intake_settings(Path("/tmp"), channel_keys=bad)
