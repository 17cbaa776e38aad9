"""The Open311 GeoReport v2 read API (docs/open311.md), in JSON and XML, extended with
answers, transfers and deadlines.

`discovery`, `services`, `services/{service_code}` (the service definition),
`requests` (the filters as the spec reads them: `open311_query.py`) and
`requests/{service_request_id}`, each as `.json` or `.xml`. Standard fields keep their
standard names (service_request_id, status open/closed, status_notes, agency_responsible,
requested/updated/expected_datetime …); the extensions follow them. Times are RFC 3339 in
Vietnam's offset, to the second (`2026-01-18T09:30:00+07:00`). Errors, 404s included, are
the spec's list of `{code, description}` (`<errors><error>…` in XML).

Refused cases do not exist here. No location is published: `address`, `lat` and `long`
stay null (a submitter's exact point or address is personal data, and the public
projection holds none; see docs/open311.md). `POST requests` is the intake's
(`services/intake/channels/open311.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from schemas.timezone import VIETNAM
from schemas.tracking import parse_tracking_code
from schemas.vocabulary import CLASS_VI
from services.notifier import citizen_view, open311_xml, public
from services.notifier.catalog import FilterError, Filters
from services.notifier.labels import vn_date
from services.notifier.models import PublicCase, PublicTransfer
from services.notifier.open311_query import (
    SERVICE_CODES,
    UNCLASSIFIED,
    Open311Params,
    Query311,
    parse_query,
    request_params,
    select_requests,
)
from services.notifier.site import Site

__all__ = ["PREFIX", "SERVICES", "UNCLASSIFIED", "request_params", "routes"]

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00+07:00"  # when this API last changed (discovery)
Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
SERVICES = {
    "regulation": "Phản ánh, kiến nghị về quy định hành chính (nội dung văn bản, thủ tục)",
    "behaviour": "Phản ánh về hành vi hành chính (chậm trễ, gây phiền hà, áp dụng sai quy định)",
    UNCLASSIFIED: "Chưa rõ loại: Văn phòng UBND tỉnh phân loại khi tiếp nhận",
}
UNCLASSIFIED_NAME = "Chưa phân loại"
# The attributes every service takes on POST (`attribute[title]`, `attribute[regulation]`).
ATTRIBUTES = (
    ("title", "Tiêu đề ngắn của phản ánh, kiến nghị", "tối đa 500 ký tự"),
    ("regulation", "Văn bản quy định hành chính liên quan", "số, ký hiệu, tên văn bản"),
)
NOT_FOUND = "Không tìm thấy."


def rfc3339(moment: datetime | None) -> str | None:
    """One form for every time: Vietnam's offset, to the second."""
    if moment is None:
        return None
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"] = "realtime"
    keywords: str
    group: str


class Transfer(BaseModel):
    from_agency: str
    from_agency_name: str
    to_agency: str
    to_agency_name: str
    reason: str
    transferred_on: date


class Deadline(BaseModel):
    stage: str
    due: date | None
    met: bool | None


class Agency(BaseModel):
    code: str
    name: str


class ServiceRequest(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: None = None
    address_id: None = None
    zipcode: None = None
    lat: None = None
    long: None = None
    media_url: None = None
    # Extensions (not in GeoReport v2)
    title: str
    kind: str | None
    regulation: str | None
    url: str
    overdue: bool
    answer: str | None
    legal_basis: str | None
    outcome: str | None
    answered_on: date | None
    on_time: bool | None
    answering_agency: Agency | None
    transfers: list[Transfer]
    deadlines: list[Deadline]


def _end_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time(23, 59, 59), tzinfo=VIETNAM) if day else None


def _notes(case: PublicCase) -> str:
    notes = [public.status_vi(case)]
    if case.agency_name:
        notes.append(f"cơ quan: {case.agency_name}")
    if public.timeliness_vi(case):
        notes.append(public.timeliness_vi(case))
    return "; ".join(notes)


def _standard(case: PublicCase) -> dict[str, Any]:
    """The GeoReport v2 fields, by their standard names."""
    code = case.case_class or UNCLASSIFIED
    due = case.due_answer
    return {
        "service_request_id": case.tracking_code,
        "status": "closed" if case.status == "answered" else "open",
        "status_notes": _notes(case),
        "service_name": CLASS_VI.get(code, UNCLASSIFIED_NAME),
        "service_code": code,
        "description": case.content,
        "agency_responsible": case.agency_name,
        "service_notice": f"Hạn trả lời: {vn_date(due)}" if due else None,
        "requested_datetime": rfc3339(case.received_at),
        "updated_datetime": rfc3339(case.updated_at),
        "expected_datetime": rfc3339(_end_of(due)),
    }


def _answer(case: PublicCase) -> dict[str, Any]:
    answered = case.status == "answered"
    agency = Agency(code=case.agency or "", name=case.agency_name or "") if answered else None
    return {
        "answer": case.answer,
        "legal_basis": case.legal_basis or None,
        "outcome": case.outcome,
        "answered_on": case.answered_on,
        "on_time": case.on_time,
        "answering_agency": agency,
    }


def _transfer(hop: PublicTransfer) -> Transfer:
    return Transfer(
        from_agency=hop.from_agency,
        from_agency_name=hop.from_agency_name,
        to_agency=hop.to_agency,
        to_agency_name=hop.to_agency_name,
        reason=hop.reason,
        transferred_on=hop.transferred_on,
    )


def service_request(
    case: PublicCase, transfers: list[PublicTransfer], *, base: str
) -> ServiceRequest:
    return ServiceRequest(
        **_standard(case),
        **_answer(case),
        title=citizen_view.headline(case),
        kind=case.kind,
        regulation=case.regulation or None,
        url=f"{base}/tra-cuu/{case.tracking_code}",
        overdue=public.is_overdue(case),
        transfers=[_transfer(hop) for hop in transfers],
        deadlines=[Deadline(stage=d.stage, due=d.due, met=d.met) for d in public.deadlines(case)],
    )


def error(code: int, description: str, fmt: Format = "json") -> Response:
    """Open311 errors: a list of {code, description}; `<errors><error>…` in XML."""
    errors = [{"code": code, "description": description}]
    if fmt == "xml":
        return open311_xml.response("errors", errors, status=code)
    return JSONResponse(errors, status_code=code)


def service_list() -> list[Service]:
    return [
        Service(
            service_code=code,
            service_name=CLASS_VI.get(code, UNCLASSIFIED_NAME),
            description=description,
            metadata=True,
            keywords="phản ánh, kiến nghị, quy định hành chính",
            group="PAKN",
        )
        for code, description in SERVICES.items()
    ]


def service_definition(code: str) -> dict[str, Any]:
    """The spec's service definition: the optional attributes every service takes."""
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": name,
                "datatype": "string",
                "required": False,
                "datatype_description": hint,
                "order": order,
                "description": description,
                "values": [],
            }
            for order, (name, description, hint) in enumerate(ATTRIBUTES, start=1)
        ],
    }


def discovery(service: Site, base: str) -> dict[str, Any]:
    settings = service.settings
    contact = f"{settings.office_name}, {settings.office_address}; đường dây nóng {settings.hotline_number}"
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": f"Khóa api_key (cho POST requests) do {settings.office_name} cấp "
        f"cho từng ứng dụng: liên hệ {contact}.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}{PREFIX}",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def _answer_in(fmt: Format, root: str, body: Any) -> Response:
    if fmt == "xml":
        return open311_xml.response(root, body)
    return JSONResponse(body)


def routes(service: Site) -> APIRouter:
    router = APIRouter(tags=["Open311 GeoReport v2"])
    base = service.settings.public_base_url.rstrip("/")

    async def requests_page(query: Query311) -> list[dict[str, Any]]:
        async with service.db.session() as session:
            page = await select_requests(session, query)
        return [
            service_request(c, page.transfers[c.case_id], base=base).model_dump(mode="json")
            for c in page.items
        ]

    def add(path: str, endpoint: Callable[..., Any], summary: str) -> None:
        for fmt in FORMATS:
            router.add_api_route(
                f"{PREFIX}/{path}.{fmt}", endpoint(fmt), methods=["GET"], summary=summary
            )

    def discovery_route(fmt: Format) -> Callable[..., Any]:
        async def discovery_document() -> Response:
            return _answer_in(fmt, "discovery", discovery(service, base))

        return discovery_document

    def services_route(fmt: Format) -> Callable[..., Any]:
        async def services() -> Response:
            body = [s.model_dump(mode="json") for s in service_list()]
            return _answer_in(fmt, "services", body)

        return services

    def definition_route(fmt: Format) -> Callable[..., Any]:
        async def definition(service_code: str) -> Response:
            if service_code not in SERVICE_CODES:
                return error(404, f"service_code: không có dịch vụ «{service_code[:40]}».", fmt)
            return _answer_in(fmt, "service_definition", service_definition(service_code))

        return definition

    def requests_route(fmt: Format) -> Callable[..., Any]:
        async def requests(params: Open311Params) -> Response:
            try:
                query = parse_query(
                    params,
                    fields=service.directory.fields(),
                    default_size=service.settings.page_size,
                )
            except FilterError as problem:
                return error(400, str(problem), fmt)
            return _answer_in(fmt, "service_requests", await requests_page(query))

        return requests

    def one_route(fmt: Format) -> Callable[..., Any]:
        async def one(service_request_id: str) -> Response:
            code = parse_tracking_code(service_request_id)
            found = await requests_page(Query311(filters=Filters(codes=(code,)))) if code else []
            if not found:
                return error(
                    404,
                    "service_request_id: không có phản ánh, kiến nghị công khai với mã này.",
                    fmt,
                )
            return _answer_in(fmt, "service_requests", found)

        return one

    add("discovery", discovery_route, "Mô tả dịch vụ (Open311 discovery)")
    add("services", services_route, "Danh sách loại yêu cầu")
    add("services/{service_code}", definition_route, "Định nghĩa một loại yêu cầu")
    add("requests", requests_route, "Các phản ánh, kiến nghị công khai")
    add("requests/{service_request_id}", one_route, "Một phản ánh, kiến nghị theo mã")

    @router.get(f"{PREFIX}/{{rest:path}}", include_in_schema=False)
    async def missing(rest: str) -> Response:
        """Any other path of the API: a 404 in the spec's format."""
        return error(404, NOT_FOUND, "xml" if rest.endswith(".xml") else "json")

    return router
