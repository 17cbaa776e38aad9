"""The machine channels (portal JSON API, Open311) and the staff channels (hotline, post)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from schemas.tracking import parse_tracking_code
from tests.support import office_pass, staff_csrf
from tests.unit.intake.http_support import GOOD, PORTAL_AUTH, Intake, intake, migrated_db

__all__ = ["intake", "migrated_db"]
PORTAL = {
    **GOOD,
    "channel": "portal",
    "id": "DVC-2023-0001",
    "received_at": "2023-01-18T09:30:00+07:00",
}


async def test_the_portal_api_registers_and_answers_with_the_code(intake: Intake) -> None:
    response = await intake.client.post(
        "/api/submissions", json={**PORTAL, "ho_so_tthc": "H1"}, headers=PORTAL_AUTH
    )
    assert response.status_code == 201
    answer = response.json()
    assert parse_tracking_code(answer["tracking_code"]) == answer["tracking_code"]
    assert answer["status"] == "accepted" and answer["reason"] is None
    assert answer["status_url"].endswith(f"/tra-cuu/{answer['tracking_code']}")
    (case,) = await intake.cases()
    assert case.channel == "portal" and case.channel_ref == "DVC-2023-0001"
    assert case.extra["ho_so_tthc"] == "H1"  # unknown fields are kept, not refused


async def test_the_same_portal_item_sent_twice_is_one_case(intake: Intake) -> None:
    first = await intake.client.post("/api/submissions", json=PORTAL, headers=PORTAL_AUTH)
    again = await intake.client.post("/api/submissions", json=PORTAL, headers=PORTAL_AUTH)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert len(await intake.cases()) == 1 and len(await intake.raws()) == 2


async def test_an_inadmissible_item_is_registered_and_refused_with_its_reason(
    intake: Intake,
) -> None:
    body = {**PORTAL, "name": "ẩn danh", "phone": "", "address": ""}
    answer = (await intake.client.post("/api/submissions", json=body, headers=PORTAL_AUTH)).json()
    assert answer["status"] == "refused" and answer["reason"] == "missing_contact"
    assert "họ tên" in answer["message_vi"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "đối tượng JSON"),
        (b'"just a string"', "đối tượng JSON"),
        (b"{not json", "JSON hợp lệ"),
        (b'{"content": NaN}', "JSON hợp lệ"),
        (b"\xff\xfe{}", "UTF-8"),
        (json.dumps({**PORTAL, "received_at": "hôm qua"}).encode(), "Thời điểm nhận"),
        (json.dumps({**PORTAL, "received_at": "2023-01-18T09:30:00"}).encode(), "múi giờ"),
        (json.dumps({**PORTAL, "channel": "fax"}).encode(), "Kênh"),
        (json.dumps({**PORTAL, "name": ["a"]}).encode(), "Họ và tên: sai kiểu"),
        (json.dumps({**PORTAL, "content": "x" * 20_001}).encode(), "Nội dung: quá dài"),
        (json.dumps({**PORTAL, "received_at": "2020-01-18T09:30:00+07:00"}).encode(), "trước"),
        (json.dumps({**PORTAL, "received_at": "9999-01-18T09:30:00+07:00"}).encode(), "tương lai"),
        (json.dumps({**PORTAL, "channel": "hotline"}).encode(), "chỉ dùng cho kênh"),
    ],
)
async def test_a_body_of_the_wrong_shape_gets_a_vietnamese_422_and_is_kept(
    intake: Intake, body: bytes, message: str
) -> None:
    response = await intake.client.post(
        "/api/submissions",
        content=body,
        headers={"content-type": "application/json", **PORTAL_AUTH},
    )
    assert response.status_code == 422
    assert any(message in detail for detail in response.json()["detail"]), response.json()
    (raw,) = await intake.raws()
    assert raw.body == body and raw.status == "failed" and raw.error
    assert await intake.cases() == []


async def test_an_oversized_json_body_is_refused_with_413_and_kept(intake: Intake) -> None:
    body = json.dumps({**PORTAL, "content": "a" * 600_000}).encode()
    response = await intake.client.post("/api/submissions", content=body, headers=PORTAL_AUTH)
    assert response.status_code == 413 and "quá lớn" in response.json()["detail"][0]
    (raw,) = await intake.raws()
    assert raw.status == "failed" and raw.body == body[: len(raw.body)]


async def test_the_openapi_document_describes_the_channels(intake: Intake) -> None:
    document = (await intake.client.get("/openapi.json")).json()
    portal = document["paths"]["/api/submissions"]["post"]
    schema = portal["requestBody"]["content"]["application/json"]["schema"]
    assert {"channel", "received_at", "content"} <= set(schema["properties"])
    assert "$defs" not in json.dumps(schema)  # self-contained, also when mounted elsewhere
    assert {"201", "413", "422"} <= set(portal["responses"])
    open311 = document["paths"]["/open311/v2/requests.json"]["post"]["requestBody"]
    assert (
        "service_code"
        in open311["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
    )
    assert not any(path.startswith("/noi-bo") for path in document["paths"])  # staff only


OPEN311 = {
    "service_code": "regulation",
    "description": GOOD["content"],
    "first_name": "Hoa",
    "last_name": "Nguyễn Thị",
    "phone": "0905 123 456",
    "address_string": GOOD["address"],
    "lat": "13.98",
    "long": "108.0",
    "attribute[regulation]": "Quyết định số 22/2016/QĐ-UBND",
    "api_key": "secret",
}


async def test_open311_post_answers_with_the_tracking_code_as_request_id(intake: Intake) -> None:
    response = await intake.client.post("/open311/v2/requests.json", data=OPEN311)
    assert response.status_code == 200
    (answer,) = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id", "token"}
    (case,) = await intake.cases()
    assert answer["service_request_id"] == case.tracking_code
    assert case.tracking_code in answer["service_notice"]
    assert case.name == "Nguyễn Thị Hoa" and case.regulation.startswith("Quyết định")
    assert case.extra["service_code"] == "regulation" and case.extra["lat"] == "13.98"
    assert case.extra["via"] == "open311" and "api_key" not in case.extra


async def test_open311_errors_are_in_the_spec_shape(intake: Intake) -> None:
    response = await intake.client.post(
        "/open311/v2/requests.json", data={"first_name": "A", "api_key": "secret"}
    )
    assert response.status_code == 400
    descriptions = [error["description"] for error in response.json()]
    assert all(error["code"] == 400 for error in response.json())
    assert any("service_code" in d for d in descriptions)
    assert any("description" in d for d in descriptions)
    assert (await intake.raws())[0].status == "failed"


def local(minutes_ago: int = 0) -> str:
    moment = datetime.now(UTC) + timedelta(hours=7) - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


HOTLINE = {
    "csrf": staff_csrf(),  # the staff pass's form token
    "call_time": "2023-03-06T08:15",
    "operator_id": "ttv-07",
    "call_id": "CALL-991",
    "name": "Trần Văn Bình",
    "address": "thôn 3, xã Ia Kha, huyện Ia Grai, tỉnh Gia Lai",
    "phone": "0914 222 333",
    "content": (
        "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
        "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết, đề nghị kiểm tra."
    ),
}


async def test_a_hotline_call_is_received_at_the_call_time_with_the_operator(
    intake: Intake,
) -> None:
    response = await intake.client.post("/noi-bo/duong-day-nong", data=HOTLINE)
    assert response.status_code == 201 and "/bien-nhan/GL-" in response.text
    (case,) = await intake.cases()
    assert case.channel == "hotline" and case.channel_ref == "CALL-991"
    assert case.received_at == datetime(2023, 3, 6, 1, 15, tzinfo=UTC)  # 08:15 in Gia Lai
    assert case.extra["operator_id"] == "ttv-07"
    again = await intake.client.post("/noi-bo/duong-day-nong", data=HOTLINE)
    assert again.status_code == 201 and len(await intake.cases()) == 1


async def test_an_anonymous_caller_is_still_entered_and_refused_by_law(intake: Intake) -> None:
    call = {**HOTLINE, "name": "", "address": "", "phone": "", "call_id": ""}
    response = await intake.client.post("/noi-bo/duong-day-nong", data=call)
    assert response.status_code == 201 and "họ tên" in response.text
    (case,) = await intake.cases()
    assert case.status == "refused" and case.reason == "missing_contact"


async def test_a_call_in_the_future_or_without_operator_is_sent_back(intake: Intake) -> None:
    call = {**HOTLINE, "call_time": local(minutes_ago=-60), "operator_id": ""}
    page = (await intake.client.post("/noi-bo/duong-day-nong", data=call)).text
    assert '<a href="#call_time">' in page and '<a href="#operator_id">' in page
    assert await intake.cases() == []


async def test_a_letter_is_received_on_its_stamp_date_under_its_letter_number(
    intake: Intake,
) -> None:
    letter = {
        **{k: v for k, v in HOTLINE.items() if k not in ("call_time", "operator_id", "call_id")},
        "received_on": "2023-01-18",
        "letter_no": "CV-2023/145",
        "clerk_id": "vt-02",
    }
    response = await intake.client.post("/noi-bo/thu-gui", data=letter)
    assert response.status_code == 201
    (case,) = await intake.cases()
    assert case.channel == "post" and case.channel_ref == "CV-2023/145"
    assert case.received_at == datetime(2023, 1, 17, 17, 0, tzinfo=UTC)  # 18/01 00:00 +07
    assert case.extra["clerk_id"] == "vt-02" and case.extra["received_time_unknown"] is True
    stamped = {**letter, "letter_no": "CV-2023/146", "received_time": "14:30"}
    await intake.client.post("/noi-bo/thu-gui", data=stamped)
    times = sorted(c.received_at for c in await intake.cases())
    assert times[1] == datetime(2023, 1, 18, 7, 30, tzinfo=UTC)


async def test_the_staff_json_apis_register_calls_and_letters(intake: Intake) -> None:
    call = {
        "call_id": "C-1",
        "call_time": "2023-03-06T08:15:00+07:00",
        "operator_id": "ttv-07",
        "caller_name": HOTLINE["name"],
        "caller_phone": HOTLINE["phone"],
        "transcript": HOTLINE["content"],
    }
    letter = {
        "letter_no": "L-1",
        "received_at": "2023-01-18T00:00:00+07:00",
        "clerk_id": "vt-02",
        "sender_name": "Rơ Mah Hlim",
        "sender_address": HOTLINE["address"],
        "text": HOTLINE["content"] + " Thư gửi qua bưu điện.",
    }
    first = await intake.client.post("/noi-bo/api/hotline-calls", json=call)
    second = await intake.client.post("/noi-bo/api/letters", json=letter)
    assert (first.status_code, second.status_code) == (201, 201)
    channels = sorted((c.channel, c.channel_ref) for c in await intake.cases())
    assert channels == [("hotline", "C-1"), ("post", "L-1")]
    bad = await intake.client.post("/noi-bo/api/letters", json={**letter, "clerk_id": ""})
    assert bad.status_code == 422 and "Mã cán bộ vào sổ" in bad.json()["detail"][0]


async def test_the_staff_forms_are_vietnamese_pages_with_labelled_fields(intake: Intake) -> None:
    for path, fields in (
        ("/noi-bo/duong-day-nong", ("call_time", "operator_id", "call_id", "name", "content")),
        ("/noi-bo/thu-gui", ("received_on", "letter_no", "clerk_id", "name", "attachments")),
    ):
        page = (await intake.client.get(path)).text
        assert '<html lang="vi">' in page and f'action="{path}"' in page
        for field in fields:
            assert f'<label for="{field}">' in page and f'id="{field}"' in page


async def test_staff_entry_points_need_an_office_officer(intake: Intake) -> None:
    anonymous = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=intake.service.web()), base_url="http://intake"
    )
    async with anonymous:
        for path in ("/noi-bo/duong-day-nong", "/noi-bo/thu-gui", "/noi-bo/loi-tiep-nhan"):
            response = await anonymous.get(path)
            # through the console, which renews the pass while the login lasts, else asks
            # for the login
            assert (
                response.status_code == 303 and "/can-bo/the-noi-bo" in response.headers["location"]
            )
        refused = await anonymous.post("/noi-bo/api/letters", json={})
        assert refused.status_code == 401
        district = await anonymous.get("/noi-bo/thu-gui", cookies=office_pass("PLK"))
        assert district.status_code == 403
    assert await intake.raws() == [], "nothing is received from an anonymous caller"
