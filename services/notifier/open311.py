"""A read API shaped like Open311 GeoReport v2, extended with answers, transfers, deadlines.

Standard fields keep their standard names (service_request_id, status open/closed,
status_notes, agency_responsible, requested/updated/expected_datetime, address=null, …);
the extensions follow them. Refused cases do not exist here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from schemas.timezone import VIETNAM
from schemas.tracking import parse_tracking_code
from schemas.vocabulary import CLASS_VI
from services.kit.web import ParameterError, page_number
from services.notifier import public
from services.notifier.catalog import FilterError, Filters, Page, parse_filters, search
from services.notifier.labels import vn_date
from services.notifier.models import PublicCase, PublicTransfer
from services.notifier.site import Site

PREFIX = "/open311/v2"
UNCLASSIFIED = "unclassified"
SERVICES = {
    "regulation": "Phản ánh, kiến nghị về quy định hành chính (nội dung văn bản, thủ tục)",
    "behaviour": "Phản ánh về hành vi hành chính (chậm trễ, gây phiền hà, áp dụng sai quy định)",
    UNCLASSIFIED: "Đã tiếp nhận, chưa phân loại",
}


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool = False
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
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
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
        "service_name": CLASS_VI.get(code, SERVICES[UNCLASSIFIED]),
        "service_code": code,
        "description": case.content,
        "agency_responsible": case.agency_name,
        "service_notice": f"Hạn trả lời: {vn_date(due)}" if due else None,
        "requested_datetime": case.received_at,
        "updated_datetime": case.updated_at,
        "expected_datetime": _end_of(due),
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
        title=public.headline(case),
        kind=case.kind,
        regulation=case.regulation or None,
        url=f"{base}/tra-cuu/{case.tracking_code}",
        overdue=public.is_overdue(case),
        transfers=[_transfer(hop) for hop in transfers],
        deadlines=[Deadline(stage=d.stage, due=d.due, met=d.met) for d in public.deadlines(case)],
    )


def error(code: int, description: str) -> JSONResponse:
    """Open311 errors: a list of {code, description}."""
    return JSONResponse([{"code": code, "description": description}], status_code=code)


def _filters(params: dict[str, str], fields: Mapping[str, tuple[str, ...]]) -> Filters:
    status = {"open": "dang-xu-ly", "closed": "da-tra-loi"}.get(params.get("status", ""))
    if params.get("status") and status is None:
        raise FilterError("status: chỉ nhận open hoặc closed.")
    service = params.get("service_code", "")
    if service and service not in SERVICES:
        raise FilterError("service_code: không có dịch vụ này.")
    filters = parse_filters(
        q=params.get("q"),
        co_quan=params.get("agency_responsible") or params.get("co_quan"),
        phan_loai=service if service != UNCLASSIFIED else None,
        loai=params.get("loai"),
        van_ban=params.get("regulation") or params.get("van_ban"),
        tinh_trang=status or params.get("tinh_trang"),
        tu_ngay=params.get("start_date") or params.get("tu_ngay"),
        den_ngay=params.get("end_date") or params.get("den_ngay"),
        linh_vuc=params.get("linh_vuc"),
        fields=fields,
    )
    raw_ids = params.get("service_request_id", "").split(",")
    ids = [code for code in map(parse_tracking_code, raw_ids) if code]
    if any(raw.strip() for raw in raw_ids) and not ids:
        raise FilterError("service_request_id: không có mã tra cứu hợp lệ.")
    return replace(filters, codes=tuple(ids[:100]))


def _paging(params: dict[str, str], *, default_size: int) -> tuple[int, int]:
    """`page` (or `trang`) and `page_size` (at most 200): Open311 leaves paging open."""
    try:
        number = page_number(params.get("page") or params.get("trang"), label="page")
        asked = params.get("page_size", "")
        size = page_number(asked, label="page_size", maximum=200) if asked.strip() else None
    except ParameterError as problem:
        raise FilterError(str(problem)) from None
    return number, size or default_size


def request_params(
    service_request_id: Annotated[
        str | None, Query(description="mã tra cứu, cách nhau bằng dấu phẩy (tối đa 100)")
    ] = None,
    service_code: Annotated[
        str | None, Query(description="regulation, behaviour, unclassified")
    ] = None,
    status: Annotated[str | None, Query(description="open hoặc closed")] = None,
    start_date: Annotated[str | None, Query(description="nhận từ ngày (NNNN-TT-NN)")] = None,
    end_date: Annotated[str | None, Query(description="nhận đến ngày (NNNN-TT-NN)")] = None,
    agency_responsible: Annotated[str | None, Query(description="mã cơ quan")] = None,
    q: Annotated[str | None, Query(description="tìm trong nội dung")] = None,
    regulation: Annotated[str | None, Query(description="văn bản được nêu")] = None,
    page: Annotated[str | None, Query(description="trang, từ 1 đến 10 000")] = None,
    page_size: Annotated[str | None, Query(description="số hồ sơ một trang, 1 đến 200")] = None,
    co_quan: str | None = None,
    loai: str | None = None,
    van_ban: str | None = None,
    tinh_trang: str | None = None,
    tu_ngay: str | None = None,
    den_ngay: str | None = None,
    linh_vuc: str | None = None,
    trang: str | None = None,
) -> dict[str, str]:
    """The query parameters of `requests.json` (the Open311 names, and the answers list's)."""
    given = {
        "service_request_id": service_request_id,
        "service_code": service_code,
        "status": status,
        "start_date": start_date,
        "end_date": end_date,
        "agency_responsible": agency_responsible,
        "q": q,
        "regulation": regulation,
        "page": page,
        "page_size": page_size,
        "co_quan": co_quan,
        "loai": loai,
        "van_ban": van_ban,
        "tinh_trang": tinh_trang,
        "tu_ngay": tu_ngay,
        "den_ngay": den_ngay,
        "linh_vuc": linh_vuc,
        "trang": trang,
    }
    return {key: value for key, value in given.items() if value is not None}


Open311Params = Annotated[dict[str, str], Depends(request_params)]


def service_list() -> list[Service]:
    return [
        Service(
            service_code=code,
            service_name=CLASS_VI.get(code, name),
            description=name,
            keywords="phản ánh, kiến nghị, quy định hành chính",
            group="PAKN",
        )
        for code, name in SERVICES.items()
    ]


def routes(service: Site) -> APIRouter:
    router = APIRouter()
    base = service.settings.public_base_url.rstrip("/")

    async def page_of(filters: Filters, number: int, size: int) -> Page:
        async with service.db.session() as session:
            return await search(session, filters=filters, number=number, size=size)

    @router.get(f"{PREFIX}/services.json")
    async def services() -> list[Service]:
        return service_list()

    @router.get(f"{PREFIX}/requests.json")
    async def requests(params: Open311Params) -> Response:
        try:
            filters = _filters(params, service.directory.fields())
            number, size = _paging(params, default_size=service.settings.page_size)
        except FilterError as problem:
            return error(400, str(problem))
        page = await page_of(filters, number, size)
        body = [service_request(c, page.transfers[c.case_id], base=base) for c in page.items]
        return JSONResponse([r.model_dump(mode="json") for r in body])

    @router.get(f"{PREFIX}/requests/{{request_id}}.json")
    async def one(request_id: str) -> Response:
        code = parse_tracking_code(request_id)
        page = await page_of(Filters(codes=(code,)), 1, 1) if code else None
        if page is None or not page.items:
            return error(404, "Không tìm thấy phản ánh, kiến nghị công khai với mã này.")
        case = page.items[0]
        return JSONResponse(
            [service_request(case, page.transfers[case.case_id], base=base).model_dump(mode="json")]
        )

    return router
