"""An Open311 GeoReport v2 channel: `POST /open311/v2/requests.json` (or `.xml`),
form-encoded, as the spec writes it (docs/open311.md).

`api_key` is required: one of the clients' keys (`PAKN_INTAKE_OPEN311_KEYS`, kept as
SHA-256), else 403 before anything else is said about the request; the client's name is
recorded in `extra`. `service_code` must be one of `services.json` (regulation, behaviour,
unclassified); the location is required as the spec says (`lat` and `long` together, or
`address_string`, or `address_id`), coordinates must be numbers in range. The answer is
the spec's one-element list; `service_request_id` is the tracking code, so the status can
be read at once (`token` stays null). Errors are the spec's list of `{code, description}`
(`<errors><error>…` in XML). A person's name is `last_name` (family name) then
`first_name`, as Vietnamese names are written. Fields without a place in the flat format
(`service_code`, `lat`, `long`, `address_id`, `device_id`, `attribute[…]`…) are kept in
`extra` as sent; `attribute[title]` and `attribute[regulation]` fill the title and the
regulation concerned.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from schemas.submission import Channel, Submission
from schemas.vocabulary import CLASS_VI
from services.intake.channels.formdata import FormDataError, parse_form
from services.intake.channels.forms import ItemProblems, contact_problems, refusal_message
from services.intake.channels.http import Site
from services.intake.channels.machine import form_body, receive_body
from services.intake.problems import Problem, explain

SOURCE = "http:/open311/v2/requests.json"
# The notifier's services.json lists the same codes (a test keeps the two in step).
SERVICE_CODES = (*CLASS_VI, "unclassified")
# Characters XML 1.0 cannot carry at all (not even escaped): dropped from XML answers.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
PROPERTIES = {
    "api_key": "khóa của ứng dụng (bắt buộc)",
    "service_code": "mã loại yêu cầu: regulation, behaviour, unclassified (bắt buộc)",
    "description": "nội dung phản ánh, kiến nghị",
    "first_name": "tên",
    "last_name": "họ và tên đệm",
    "email": "thư điện tử",
    "phone": "số điện thoại",
    "address_string": "địa chỉ liên hệ",
    "attribute[title]": "tiêu đề",
    "attribute[regulation]": "văn bản quy định liên quan",
    "jurisdiction_id": "được lưu lại",
    "lat": "vĩ độ WGS84 (cùng long, hoặc address_string); được lưu lại, không công khai",
    "long": "kinh độ WGS84; được lưu lại, không công khai",
    "address_id": "được lưu lại",
    "device_id": "được lưu lại",
    "account_id": "được lưu lại",
    "media_url": "được lưu lại (không tải về)",
}
_MAPPED = {
    "description", "first_name", "last_name", "email", "phone", "address_string",
    "attribute[title]", "attribute[regulation]", "api_key",
}  # fmt: skip
_LABELS = {"content": "description", "name": "first_name/last_name", "address": "address_string"}


def client_of(form: Mapping[str, str], keys: Mapping[str, str]) -> str:
    """The client whose `api_key` this is; ItemProblems (field `api_key`) if none."""
    key = form.get("api_key", "")
    if not key.strip():
        raise ItemProblems([Problem("api_key: chưa điền khóa của ứng dụng.", "api_key")])
    client = keys.get(hashlib.sha256(key.encode("utf-8", "replace")).hexdigest())
    if client is None:
        raise ItemProblems([Problem("api_key: khóa không hợp lệ.", "api_key")])
    return client


def _coordinate(raw: str, name: str, limit: int) -> list[Problem]:
    try:
        value = float(raw) if raw.strip().isascii() else math.nan
    except ValueError:
        value = math.nan
    if not -limit <= value <= limit:  # NaN fails too
        return [Problem(f"{name}: phải là số từ -{limit} đến {limit}.", name)]
    return []


def location_problems(form: Mapping[str, str]) -> list[Problem]:
    """The spec's location: `lat` and `long` together, or `address_string`/`address_id`."""
    lat, long = form.get("lat", ""), form.get("long", "")
    if lat.strip() or long.strip():
        if not (lat.strip() and long.strip()):
            return [Problem("lat, long: cần cả hai.", "lat")]
        return _coordinate(lat, "lat", 90) + _coordinate(long, "long", 180)
    if form.get("address_string", "").strip() or form.get("address_id", "").strip():
        return []
    return [Problem("lat, long hoặc address_string: chưa có vị trí.", "address_string")]


def open311_submission(
    body: bytes, content_type: str, *, now: datetime, keys: Mapping[str, str]
) -> Submission:
    try:
        form = parse_form(content_type, body, max_files=0).fields
    except FormDataError as error:
        raise ItemProblems([Problem(str(error))]) from error
    client = client_of(form, keys)
    problems: list[Problem] = []
    service = form.get("service_code", "").strip()
    if not service:
        problems.append(Problem("service_code: chưa điền.", "service_code"))
    elif service not in SERVICE_CODES:
        problems.append(
            Problem(
                f"service_code: không có dịch vụ «{service[:40]}» (xem services.json).",
                "service_code",
            )
        )
    problems += location_problems(form)
    if not form.get("description", "").strip():
        problems.append(Problem("description: chưa điền nội dung.", "description"))
    problems += contact_problems(form)
    name = " ".join(form.get(k, "").strip() for k in ("last_name", "first_name")).strip()
    fields: dict[str, Any] = {
        "channel": Channel.WEB,
        "received_at": now,
        "name": name,
        "address": form.get("address_string", ""),
        "phone": form.get("phone", ""),
        "email": form.get("email", ""),
        "title": form.get("attribute[title]", ""),
        "content": form.get("description", ""),
        "regulation": form.get("attribute[regulation]", ""),
        "extra": {  # what the service sets comes last: a form field cannot replace it
            **{k: v for k, v in form.items() if k not in _MAPPED},
            "via": "open311",
            "open311_client": client,
        },
    }
    try:
        submission = Submission.model_validate(fields)
    except ValidationError as error:  # worded with Open311's field names
        problems += [
            Problem(p.message, _LABELS.get(p.field or "", p.field)) for p in explain(error)
        ]
    if problems:
        raise ItemProblems(problems)
    return submission


def _xml(root: str, items: list[dict[str, Any]], item: str) -> bytes:
    """The spec's XML: `<root><item><field>…</field></item></root>`."""
    element = Element(root)
    for fields in items:
        child = SubElement(element, item)
        for name, value in fields.items():
            SubElement(child, name).text = None if value is None else NOT_XML.sub("", str(value))
    body: bytes = tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def _answer(fmt: Format, items: list[dict[str, Any]], *, status: int, errors: bool) -> Response:
    if fmt == "json":
        return JSONResponse(items, status_code=status)
    root, item = ("errors", "error") if errors else ("service_requests", "request")
    return Response(_xml(root, items, item), status_code=status, media_type="text/xml")


def router(site: Site) -> APIRouter:
    api = APIRouter(tags=["Kênh tiếp nhận"])

    def create(fmt: Format) -> Callable[..., Any]:
        async def create_request(request: Request) -> Response:
            keys = site.settings.open311_key_hashes
            outcome = await receive_body(
                site,
                request,
                source=SOURCE,
                parse=lambda body, kind: open311_submission(
                    body, kind, now=datetime.now(UTC), keys=keys
                ),
                public=True,
            )
            if outcome.registration is None:
                code = outcome.status_code if outcome.status_code in (413, 429) else 400
                if any(p.field == "api_key" for p in outcome.problems):
                    code = 403
                errors = [{"code": code, "description": p.message} for p in outcome.problems]
                wait = outcome.retry_after_s
                refused = _answer(fmt, errors, status=code, errors=True)
                if wait:
                    refused.headers["Retry-After"] = str(wait)
                return refused
            case = outcome.registration.case
            notice = (
                f"{refusal_message(case)} Mã tra cứu: {case.tracking_code}; "
                f"tra cứu tại {site.status_url(request, case.tracking_code)}."
            )
            answer = {
                "service_request_id": case.tracking_code,
                "service_notice": notice,
                "account_id": case.extra.get("account_id"),
                "token": None,
            }
            return _answer(fmt, [answer], status=200, errors=False)

        return create_request

    for fmt in FORMATS:
        api.add_api_route(
            f"/open311/v2/requests.{fmt}",
            create(fmt),
            methods=["POST"],
            summary="Gửi phản ánh, kiến nghị theo chuẩn Open311 GeoReport v2",
            description=__doc__ or "",
            openapi_extra=form_body(
                PROPERTIES, required=["api_key", "service_code", "description"]
            ),
        )

    return api
