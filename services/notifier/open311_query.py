"""Which cases an Open311 `GET requests` selects, as GeoReport v2 reads its parameters.

- `service_request_id`: a comma list of tracking codes; when given, every other parameter
  is ignored (the spec's precedence).
- `service_code`: a comma list of service codes (`unclassified`: cases not yet classified).
- `status`: a comma list of `open` and `closed`.
- `start_date`, `end_date`: RFC 3339 times (a bare day is read as that day in Vietnam);
  on `requested_datetime`. Without them the window is the last 90 days, and a window may
  not span more than 90 days; at most 1000 requests are returned.
- Extensions: `page` and `page_size` (at most 1000) page through the whole catalogue
  (then the 90-day default window and span limit do not apply: paging is what they stand
  in for), and the answers list's own filters (`q`, `agency_responsible`, `regulation`,
  `co_quan`, `loai`, `van_ban`, `linh_vuc`, `tinh_trang`, `tu_ngay`, `den_ngay`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.timezone import VIETNAM
from schemas.tracking import parse_tracking_code
from services.kit.columns import utc_now
from services.kit.web import ParameterError, page_number
from services.notifier.catalog import (
    CLASSES,
    FilterError,
    Filters,
    Page,
    conditions,
    parse_filters,
    transfers_of,
)
from services.notifier.models import PublicCase

UNCLASSIFIED = "unclassified"
SERVICE_CODES = (*CLASSES, UNCLASSIFIED)
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
_EARLIEST, _LATEST = datetime(2000, 1, 1, tzinfo=VIETNAM), datetime(2100, 1, 1, tzinfo=VIETNAM)


@dataclass(frozen=True)
class Query311:
    """One Open311 query: the catalogue's filters, and what Open311 adds to them."""

    filters: Filters = field(default_factory=Filters)
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    number: int = 1
    size: int = MAX_REQUESTS

    def where(self) -> list[ColumnElement[bool]]:
        where = conditions(self.filters)
        if self.service_codes:
            classes = [c for c in self.service_codes if c != UNCLASSIFIED]
            wanted = [col(PublicCase.case_class).in_(classes)] if classes else []
            if UNCLASSIFIED in self.service_codes:
                wanted.append(col(PublicCase.case_class).is_(None))
            where.append(or_(*wanted))
        if len(set(self.statuses)) == 1:
            answered = col(PublicCase.status) == "answered"
            where.append(answered if self.statuses[0] == "closed" else ~answered)
        if self.start is not None:
            where.append(col(PublicCase.received_at) >= self.start)
        if self.end is not None:
            where.append(col(PublicCase.received_at) <= self.end)
        return where


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _choices(raw: str | None, allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    values = _list(raw)
    wrong = [value for value in values if value not in allowed]
    if wrong:
        raise FilterError(
            f"{name}: giá trị «{wrong[0][:40]}» không hợp lệ (chỉ nhận {', '.join(allowed)})."
        )
    return tuple(dict.fromkeys(values))


def moment(raw: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """An RFC 3339 time (`2026-01-01T00:00:00+07:00`, `…Z`); a bare day is that day in
    Vietnam (its start, or its end for `end_date`), a time without offset Vietnam's."""
    text = (raw or "").strip()
    if not text:
        return None
    problem = FilterError(
        f"{name}: ngày giờ không hợp lệ, cần dạng RFC 3339 từ năm 2000 đến 2099 "
        "(ví dụ 2026-01-01T00:00:00+07:00)."
    )
    if not text.isascii() or len(text) > 40:
        raise problem
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            value = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=VIETNAM)
        else:
            value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise problem from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    if not _EARLIEST <= value < _LATEST:
        raise problem
    return value


def _window(
    start: datetime | None, end: datetime | None, *, paged: bool
) -> tuple[datetime | None, datetime | None]:
    """The spec's window: the last 90 days by default, never more than 90 days long."""
    if start and end and end < start:
        raise FilterError("start_date phải trước hoặc bằng end_date.")
    if paged:
        return start, end
    if start is None and end is None:
        end = utc_now()
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end - start > WINDOW:
        raise FilterError(
            "start_date, end_date: khoảng thời gian tối đa 90 ngày "
            "(hoặc dùng page, page_size để xem theo trang)."
        )
    return start, end


def _codes(raw: str) -> tuple[str, ...]:
    given = _list(raw)
    codes = [code for code in map(parse_tracking_code, given) if code]
    if given and not codes:
        raise FilterError("service_request_id: không có mã tra cứu hợp lệ.")
    return tuple(dict.fromkeys(codes))[:MAX_REQUESTS]


def _paging(params: Mapping[str, str], *, default_size: int) -> tuple[int, int, bool]:
    """(page, size, paged): `page` (or `trang`) and `page_size` are an extension."""
    asked_page = params.get("page") or params.get("trang") or ""
    asked_size = params.get("page_size", "")
    paged = bool(asked_page.strip() or asked_size.strip())
    if not paged:
        return 1, MAX_REQUESTS, False
    try:
        number = page_number(asked_page, label="page")
        size = (
            page_number(asked_size, label="page_size", maximum=MAX_REQUESTS)
            if asked_size.strip()
            else default_size
        )
    except ParameterError as problem:
        raise FilterError(str(problem)) from None
    return number, size, True


def parse_query(
    params: Mapping[str, str], *, fields: Mapping[str, tuple[str, ...]], default_size: int
) -> Query311:
    """The query `params` ask for; FilterError names the parameter."""
    if (params.get("service_request_id") or "").strip():
        return Query311(filters=Filters(codes=_codes(params["service_request_id"])))
    number, size, paged = _paging(params, default_size=default_size)
    filters = parse_filters(
        q=params.get("q"),
        co_quan=params.get("agency_responsible") or params.get("co_quan"),
        loai=params.get("loai"),
        van_ban=params.get("regulation") or params.get("van_ban"),
        tinh_trang=params.get("tinh_trang"),
        tu_ngay=params.get("tu_ngay"),
        den_ngay=params.get("den_ngay"),
        linh_vuc=params.get("linh_vuc"),
        fields=fields,
    )
    start = moment(params.get("start_date"), "start_date")
    end = moment(params.get("end_date"), "end_date", end_of_day=True)
    start, end = _window(start, end, paged=paged)
    return Query311(
        filters=filters,
        service_codes=_choices(params.get("service_code"), SERVICE_CODES, "service_code"),
        statuses=_choices(params.get("status"), ("open", "closed"), "status"),
        start=start,
        end=end,
        number=number,
        size=size,
    )


async def select_requests(session: AsyncSession, query: Query311) -> Page:
    """One page of the selected cases, most recently changed first."""
    where = and_(*query.where())
    total = (await session.exec(select(func.count()).select_from(PublicCase).where(where))).one()
    ordered = (
        select(PublicCase)
        .where(where)
        .order_by(col(PublicCase.updated_at).desc(), col(PublicCase.case_id))
    )
    offset = (query.number - 1) * query.size
    items = list((await session.exec(ordered.offset(offset).limit(query.size))).all())
    transfers = await transfers_of(session, [case.case_id for case in items])
    return Page(items=items, transfers=transfers, total=total, number=query.number, size=query.size)


def request_params(
    service_request_id: Annotated[
        str | None,
        Query(description="mã tra cứu, cách nhau bằng dấu phẩy; có nó thì bỏ qua mọi tham số khác"),
    ] = None,
    service_code: Annotated[
        str | None,
        Query(description="regulation, behaviour, unclassified; cách nhau bằng dấu phẩy"),
    ] = None,
    status: Annotated[
        str | None, Query(description="open, closed; cách nhau bằng dấu phẩy")
    ] = None,
    start_date: Annotated[
        str | None, Query(description="nhận từ (RFC 3339, ví dụ 2026-01-01T00:00:00+07:00)")
    ] = None,
    end_date: Annotated[str | None, Query(description="nhận đến (RFC 3339)")] = None,
    jurisdiction_id: Annotated[str | None, Query(description="không dùng (một tỉnh)")] = None,
    agency_responsible: Annotated[str | None, Query(description="mã cơ quan")] = None,
    q: Annotated[str | None, Query(description="tìm trong nội dung")] = None,
    regulation: Annotated[str | None, Query(description="văn bản được nêu")] = None,
    page: Annotated[str | None, Query(description="trang, từ 1 đến 10 000 (mở rộng)")] = None,
    page_size: Annotated[
        str | None, Query(description="số hồ sơ một trang, 1 đến 1000 (mở rộng)")
    ] = None,
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
        "jurisdiction_id": jurisdiction_id,
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
