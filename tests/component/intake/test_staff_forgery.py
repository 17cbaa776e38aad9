"""Intake's staff pages under the console's rules (#10 item 5): every POST carries the
pass's form token and comes from this site; the JSON APIs take `application/json` only;
private headers; bounded page numbers and ids."""

from __future__ import annotations

import json

from tests.component.intake.test_api_channels import HOTLINE
from tests.support import staff_csrf
from tests.unit.intake.http_support import Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]

CALL = {
    "call_id": "C-9",
    "call_time": "2023-03-06T08:15:00+07:00",
    "operator_id": "ttv-07",
    "caller_name": HOTLINE["name"],
    "caller_phone": HOTLINE["phone"],
    "transcript": HOTLINE["content"],
}


async def test_a_staff_form_without_the_token_is_refused_and_leaves_nothing(
    intake: Intake,
) -> None:
    for token in (None, "", "0" * 64):
        data = {k: v for k, v in HOTLINE.items() if k != "csrf"}
        if token is not None:
            data["csrf"] = token
        response = await intake.client.post("/noi-bo/duong-day-nong", data=data)
        assert response.status_code == 403
    assert await intake.raws() == [] and await intake.cases() == []


async def test_a_staff_post_from_another_site_is_refused(intake: Intake) -> None:
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        form = await intake.client.post("/noi-bo/duong-day-nong", data=HOTLINE, headers=headers)
        api = await intake.client.post("/noi-bo/api/hotline-calls", json=CALL, headers=headers)
        assert (form.status_code, api.status_code) == (403, 403), headers
    assert await intake.cases() == []
    same = await intake.client.post(
        "/noi-bo/duong-day-nong", data=HOTLINE, headers={"Origin": "http://intake"}
    )
    assert same.status_code == 201


async def test_the_json_apis_take_json_with_the_token_only(intake: Intake) -> None:
    body = json.dumps(CALL)
    plain = await intake.client.post(
        "/noi-bo/api/hotline-calls", content=body, headers={"Content-Type": "text/plain"}
    )
    form = await intake.client.post(
        "/noi-bo/api/hotline-calls",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (plain.status_code, form.status_code) == (415, 415)
    untokened = await intake.client.post(
        "/noi-bo/api/hotline-calls", json=CALL, headers={"X-CSRF-Token": "wrong"}
    )
    assert untokened.status_code == 403 and await intake.cases() == []
    token = (await intake.client.get("/noi-bo/api/csrf")).json()["csrf"]
    assert token == staff_csrf()
    sent = await intake.client.post(
        "/noi-bo/api/hotline-calls", json=CALL, headers={"X-CSRF-Token": token}
    )
    assert sent.status_code == 201


async def test_staff_pages_carry_the_token_and_the_private_headers(intake: Intake) -> None:
    page = await intake.client.get("/noi-bo/duong-day-nong")
    assert f'name="csrf" value="{staff_csrf()}"' in page.text
    for path in ("/noi-bo/duong-day-nong", "/noi-bo/thu-gui", "/noi-bo/loi-tiep-nhan"):
        response = await intake.client.get(path)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"


async def test_page_numbers_and_ids_are_bounded(intake: Intake) -> None:
    for query in ("?trang=0", "?trang=10001", "?trang=99999999999999999999999"):
        response = await intake.client.get("/noi-bo/loi-tiep-nhan" + query)
        assert 400 <= response.status_code < 500, query
    for raw_id in ("0", str(2**31), "99999999999999999999999"):
        response = await intake.client.get(f"/noi-bo/loi-tiep-nhan/{raw_id}/ban-goc")
        assert 400 <= response.status_code < 500, raw_id
