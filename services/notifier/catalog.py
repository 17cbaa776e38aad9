"""The public catalogue: which cases a query selects, in which order, one page at a time.

The same `Filters` drive the HTML list, the Atom and JSON feeds and the Open311 API, so
every query has its feeds. Refused cases are never selected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, false, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from schemas.timezone import VIETNAM
from schemas.vocabulary import TRIAGE
from services.kit.text import fold
from services.kit.web import ParameterError, bounded_day
from services.kit.web import page_number as kit_page_number
from services.notifier.directory import lineage, today_local
from services.notifier.errors import FilterError
from services.notifier.models import PublicCase, PublicTransfer

STATUSES = {
    "da-tra-loi": "Đã trả lời",
    "dang-xu-ly": "Đang xử lý",
    "qua-han": "Quá hạn",
}
TRIAGE_LABEL = "Đang phân loại (Văn phòng UBND tỉnh)"
CLASSES = ("regulation", "behaviour")
KINDS = ("phan_anh", "kien_nghi")
_AGENCY = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
_MAX_WORDS = 12


@dataclass(frozen=True)
class Filters:
    """One public query. Parameter names are the ones in the page's URL."""

    q: str = ""
    agency: str = ""  # co_quan
    agency_codes: tuple[str, ...] = ()  # co_quan and its predecessors (directory.lineage)
    case_class: str = ""  # phan_loai
    kind: str = ""  # loai
    regulation: str = ""  # van_ban
    field_vi: str = ""  # linh_vuc: a field (lĩnh vực) of the agencies file
    field_agencies: tuple[str, ...] = ()  # the agencies that have `field_vi`
    status: str = ""  # tinh_trang
    since: date | None = None  # tu_ngay (received on or after)
    until: date | None = None  # den_ngay (received on or before)
    codes: tuple[str, ...] = field(default_factory=tuple)  # Open311 service_request_id

    def params(self) -> dict[str, str]:
        """The query string of these filters (for links to the next page and to the feeds)."""
        pairs = {
            "q": self.q,
            "co_quan": self.agency,
            "phan_loai": self.case_class,
            "loai": self.kind,
            "van_ban": self.regulation,
            "linh_vuc": self.field_vi,
            "tinh_trang": self.status,
            "tu_ngay": self.since.isoformat() if self.since else "",
            "den_ngay": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in pairs.items() if value}

    def query_string(self, **extra: Any) -> str:
        params: dict[str, Any] = {**self.params(), **{k: v for k, v in extra.items() if v}}
        return urlencode(params)

    def url(self, path: str, **extra: Any) -> str:
        """`path` with these filters (and `extra`) as its query string, if any."""
        query = self.query_string(**extra)
        return f"{path}?{query}" if query else path

    def with_status(self, status: str) -> Filters:
        return replace(self, status=status)


def _date(value: str | None, label: str) -> date | None:
    """A day from 2000 to 2100 (beyond them the search would overflow the calendar)."""
    try:
        return bounded_day(value, label=label)
    except ParameterError as problem:
        raise FilterError(str(problem)) from None


def _text(value: str | None) -> str:
    """Free text to search for: at most 200 characters, without NUL (no database takes it)."""
    return (value or "").replace("\x00", "").strip()[:200]


def _choice(value: str | None, allowed: tuple[str, ...] | dict[str, str], label: str) -> str:
    value = (value or "").strip()
    if value and value not in allowed:
        raise FilterError(f"{label}: giá trị «{value[:40]}» không có trong danh sách.")
    return value


def _field(value: str | None, fields: Mapping[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """The field's label as listed and its agencies; typed without diacritics is fine."""
    wanted = fold(value)
    if not wanted:
        return "", ()
    if value and value.strip() in fields:
        return value.strip(), fields[value.strip()]
    for label, agencies in fields.items():
        if fold(label) == wanted:
            return label, agencies
    raise FilterError(f"Lĩnh vực: giá trị «{(value or '').strip()[:40]}» không có trong danh sách.")


def parse_filters(
    *,
    q: str | None = None,
    co_quan: str | None = None,
    phan_loai: str | None = None,
    loai: str | None = None,
    van_ban: str | None = None,
    tinh_trang: str | None = None,
    tu_ngay: str | None = None,
    den_ngay: str | None = None,
    linh_vuc: str | None = None,
    fields: Mapping[str, tuple[str, ...]] | None = None,
) -> Filters:
    """Filters from the page's query parameters; FilterError explains in Vietnamese.
    `fields` maps each field (lĩnh vực) to its agencies (`Directory.fields()`); an agency
    selects its predecessors' cases too, as the structure stands today."""
    agency = (co_quan or "").strip().upper()
    if agency and not _AGENCY.match(agency):
        raise FilterError("Cơ quan: mã cơ quan không hợp lệ.")
    since, until = _date(tu_ngay, "Từ ngày"), _date(den_ngay, "Đến ngày")
    if since and until and since > until:
        raise FilterError("«Từ ngày» phải trước hoặc bằng «Đến ngày».")
    field_vi, field_agencies = _field(linh_vuc, fields or {})
    return Filters(
        q=_text(q),
        agency=agency,
        agency_codes=lineage(agency, today_local()) if agency else (),
        case_class=_choice(phan_loai, CLASSES, "Phân loại"),
        kind=_choice(loai, KINDS, "Loại"),
        regulation=_text(van_ban),
        field_vi=field_vi,
        field_agencies=field_agencies,
        status=_choice(tinh_trang, STATUSES, "Tình trạng"),
        since=since,
        until=until,
    )


def page_number(raw: str | None) -> int:
    """The page asked for; anything that is not a number from 1 to 10 000 (in ASCII
    digits) means the first."""
    try:
        return kit_page_number(raw)
    except ParameterError:
        return 1


def _like(column: Any, text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(column).like(f"%{escaped}%", escape="\\")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VIETNAM)


def _status_condition(status: str) -> ColumnElement[bool]:
    answered = col(PublicCase.status) == "answered"
    if status == "da-tra-loi":
        return answered
    if status == "dang-xu-ly":
        return ~answered
    if status == "qua-han":
        return or_(col(PublicCase.overdue) == true(), col(PublicCase.on_time) == false())
    return true()


def conditions(filters: Filters) -> list[ColumnElement[bool]]:
    where = [col(PublicCase.status) != "refused"]
    where += [_like(PublicCase.search_text, w) for w in fold(filters.q).split()[:_MAX_WORDS]]
    if filters.agency:
        where.append(col(PublicCase.agency).in_(filters.agency_codes or (filters.agency,)))
    if filters.case_class:
        where.append(col(PublicCase.case_class) == filters.case_class)
    if filters.kind:
        where.append(col(PublicCase.kind) == filters.kind)
    if filters.regulation:
        where.append(_like(PublicCase.search_text, fold(filters.regulation)))
    if filters.field_vi:
        where.append(col(PublicCase.agency).in_(filters.field_agencies))
    if filters.status:
        where.append(_status_condition(filters.status))
    if filters.since:
        where.append(col(PublicCase.received_at) >= _local_midnight(filters.since))
    if filters.until:
        end = _local_midnight(filters.until + timedelta(days=1))
        where.append(col(PublicCase.received_at) < end)
    if filters.codes:
        where.append(col(PublicCase.tracking_code).in_(filters.codes))
    return where


@dataclass(frozen=True)
class Page:
    items: list[PublicCase]
    transfers: dict[str, list[PublicTransfer]]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _selection(filters: Filters) -> SelectOfScalar[PublicCase]:
    return select(PublicCase).where(and_(*conditions(filters)))


async def search(session: AsyncSession, *, filters: Filters, number: int, size: int) -> Page:
    """One page of the cases `filters` select, most recently changed first."""
    number = max(1, number)
    count = select(func.count()).select_from(PublicCase).where(and_(*conditions(filters)))
    total = (await session.exec(count)).one()
    query = _selection(filters).order_by(col(PublicCase.updated_at).desc(), col(PublicCase.case_id))
    items = list((await session.exec(query.offset((number - 1) * size).limit(size))).all())
    transfers = await transfers_of(session, [case.case_id for case in items])
    return Page(items=items, transfers=transfers, total=total, number=number, size=size)


async def transfers_of(
    session: AsyncSession, case_ids: list[str]
) -> dict[str, list[PublicTransfer]]:
    found: dict[str, list[PublicTransfer]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    query = select(PublicTransfer).where(col(PublicTransfer.case_id).in_(case_ids))
    for hop in (await session.exec(query.order_by(col(PublicTransfer.id)))).all():
        found[hop.case_id].append(hop)
    return found


async def agencies_in_use(session: AsyncSession) -> list[tuple[str, str]]:
    """(code, name) of every agency that holds a public case, for the filter list."""
    query = (
        select(PublicCase.agency, func.max(PublicCase.agency_name))
        .where(col(PublicCase.agency).is_not(None), col(PublicCase.status) != "refused")
        .group_by(col(PublicCase.agency))
    )
    rows = (await session.exec(query)).all()
    named = [
        (code, TRIAGE_LABEL if code == TRIAGE else name or code) for code, name in rows if code
    ]
    return sorted(named, key=lambda row: row[1])
