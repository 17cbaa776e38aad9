"""The figures of a feedback-handling report, computed from the router's tables with SQL
aggregates: received (by channel, field, class and kind, agency, regulation), answered on
time and late, average working days to answer, open and overdue now, transfers.

What counts where (the same in the page, the XLSX and the PDF):

- *received*: the cases received (`received_at`, Vietnam's day) in the period, each counted
  for the agency in charge of it now (after transfers; the triage queue has its own line);
- *answered*: the cases answered in the period, each for the agency that answered it; on
  time when answered by its answer deadline (extensions included); the answer's day is the
  day the case was closed (`updated_at`: an answered case is never changed again);
- *working days to answer*: from the day of receipt (not counted) to the day of the answer,
  on the router's working-day calendar (weekends, holidays and Tết off);
- *open* and *overdue*: the cases in hand on the day the report is made, overdue once past
  the answer deadline — "now", whatever the period;
- *transfers*: hops from one agency to another in the period (`router_hop`, step
  `transfer`); an agency's report counts those it handed on and those it was handed;
- *field* (lĩnh vực): the first field of the agency in charge (the agencies file's
  `fields_vi`); an agency without one (a commune, a district) counts as local government.

- *refused*: the items the intake refused (`router_refusal`, written when the router reads
  `CaseRefused`), received in the period, by reason; the province's report only (a refused
  item goes to no agency). The province's items received are the accepted plus the refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.vocabulary import CHANNEL_VI, CLASS_VI, KIND_VI, REFUSAL_VI, TRIAGE
from services.router.domain.agencies import AgencyRegistry
from services.router.domain.calendar import HolidayCalendar, local_date
from services.router.domain.lifecycle import Status
from services.router.models import OPEN_STATUSES, RefusedItem, RoutedCase, RoutingHop
from services.router.reports.period import Period

PROVINCE = "Toàn tỉnh"
LOCAL_GOVERNMENT = "Chính quyền địa phương (UBND cấp xã, cấp huyện)"
NO_REGULATION = "(không nêu văn bản cụ thể)"
REGULATIONS_SHOWN = 20
PROVINCE_REFUSALS_NOTE = (
    "Tổng số nhận được trong kỳ = số được tiếp nhận xử lý + số không được tiếp nhận; "
    "lý do không tiếp nhận do bộ phận tiếp nhận xác định khi vào sổ."
)
AGENCY_REFUSALS_NOTE = (
    "Báo cáo của một cơ quan chỉ gồm các phản ánh, kiến nghị đã chuyển đến cơ quan; "
    "số không được tiếp nhận (theo lý do) có trong báo cáo toàn tỉnh."
)


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    key: str = ""


@dataclass
class AgencyLine:
    code: str
    name: str
    received: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    open_now: int = 0
    overdue_now: int = 0
    transferred_out: int = 0
    transferred_in: int = 0
    answer_days: list[int] = field(default_factory=list)

    @property
    def average_days(self) -> float | None:
        return sum(self.answer_days) / len(self.answer_days) if self.answer_days else None

    @property
    def on_time_percent(self) -> float | None:
        return 100 * self.on_time / self.answered if self.answered else None


@dataclass(frozen=True)
class Transfer:
    from_agency: str
    from_name: str
    to_agency: str
    to_name: str
    count: int


@dataclass(frozen=True)
class Report:
    """One report: the province (`agency` None) or one agency, over one period."""

    agency: str | None
    scope_name: str
    period: Period
    made_on: date  # "now" for the open and overdue figures
    total: AgencyLine  # the scope's own figures
    by_channel: list[Count]
    by_field: list[Count]
    by_class: list[Count]  # class and kind: "Quy định hành chính — Kiến nghị"
    by_regulation: list[Count]  # the most frequent, then the rest as one line
    lines: list[AgencyLine]  # per agency in charge (the province); the agency's own line
    transfers: list[Transfer]
    # Refused in the period, by reason (every reason, zeros included): the province only.
    refused_by_reason: list[Count] = field(default_factory=list)

    @property
    def is_province(self) -> bool:
        return self.agency is None

    @property
    def refused(self) -> int:
        return sum(row.count for row in self.refused_by_reason)

    @property
    def received_all(self) -> int:
        """Accepted (received and routed) plus refused: the province's items received."""
        return self.total.received + self.refused

    @property
    def refusals_note(self) -> str:
        return PROVINCE_REFUSALS_NOTE if self.is_province else AGENCY_REFUSALS_NOTE


async def compute(
    session: AsyncSession,
    *,
    agency: str | None,
    period: Period,
    today: date,
    calendar: HolidayCalendar,
    agencies: AgencyRegistry,
    name_of: Callable[[str], str],
) -> Report:
    """The report of `agency` (None: the province) for `period`, as of `today`.

    Access is the caller's: this computes whatever scope it is asked for."""
    begin, until = period.utc_bounds()
    scoped = [] if agency is None else [col(RoutedCase.agency) == agency]
    received_in = [
        col(RoutedCase.received_at) >= begin,
        col(RoutedCase.received_at) < until,
        *scoped,
    ]
    count = sa.func.count(col(RoutedCase.case_id))

    lines: dict[str, AgencyLine] = {}

    def line(code: str) -> AgencyLine:
        if code not in lines:
            lines[code] = AgencyLine(code=code, name=name_of(code))
        return lines[code]

    if agency is not None:
        line(agency)

    # Received in the period: by agency, channel, class and kind, regulation.
    query = select(col(RoutedCase.agency), count).where(*received_in).group_by(RoutedCase.agency)
    for code, n in (await session.exec(query)).all():
        line(code).received = n
    by_channel = await _grouped(session, col(RoutedCase.channel), received_in)
    query_kind = (
        select(col(RoutedCase.case_class), col(RoutedCase.kind), count)
        .where(*received_in)
        .group_by(RoutedCase.case_class, RoutedCase.kind)
    )
    kinds = (await session.exec(query_kind)).all()
    by_regulation = await _grouped(session, sa.func.trim(col(RoutedCase.regulation)), received_in)

    # Answered in the period: one row per case, for the on-time split and the working days.
    answered = (
        select(
            col(RoutedCase.agency),
            col(RoutedCase.received_at),
            col(RoutedCase.updated_at),
            col(RoutedCase.due_answer),
        )
        .where(col(RoutedCase.status) == Status.ANSWERED.value)
        .where(col(RoutedCase.updated_at) >= begin, col(RoutedCase.updated_at) < until)
        .where(*scoped)
    )
    for code, received_at, answered_at, due in (await session.exec(answered)).all():
        on = local_date(answered_at)
        target = line(code)
        target.answered += 1
        if on <= due:
            target.on_time += 1
        else:
            target.late += 1
        target.answer_days.append(calendar.working_days_between(local_date(received_at), on))

    # In hand now, and past the answer deadline.
    overdue = sa.func.sum(sa.case((col(RoutedCase.due_answer) < today, 1), else_=0))
    in_hand = (
        select(col(RoutedCase.agency), count, overdue)
        .where(col(RoutedCase.status).in_(OPEN_STATUSES))
        .where(*scoped)
        .group_by(RoutedCase.agency)
    )
    for code, n, late in (await session.exec(in_hand)).all():
        target = line(code)
        target.open_now, target.overdue_now = n, int(late or 0)

    transfers = await _transfers(session, agency=agency, bounds=(begin, until), name_of=name_of)
    for move in transfers:
        if agency is None or move.from_agency == agency:
            line(move.from_agency).transferred_out += move.count
        if agency is None or move.to_agency == agency:
            line(move.to_agency).transferred_in += move.count

    ordered = sorted(lines.values(), key=lambda s: (s.code == TRIAGE, -s.received, s.name))
    if agency is None:
        total = _sum(ordered, code="", name=PROVINCE)
        # Within the province a transfer leaves one agency for another: count it once.
        total.transferred_out = total.transferred_in = sum(m.count for m in transfers)
    else:
        total = lines[agency]
    return Report(
        agency=agency,
        scope_name=PROVINCE if agency is None else name_of(agency),
        period=period,
        made_on=today,
        total=total,
        by_channel=_channels(by_channel),
        by_field=_fields(ordered, agencies),
        by_class=_classes(kinds),
        by_regulation=_regulations(by_regulation),
        lines=ordered,
        transfers=transfers,
        refused_by_reason=await _refusals(session, (begin, until)) if agency is None else [],
    )


async def _grouped(
    session: AsyncSession,
    column: sa.ColumnElement[str] | Mapped[str],
    where: list[sa.ColumnElement[bool]],
) -> dict[str, int]:
    query = select(column, sa.func.count(col(RoutedCase.case_id))).where(*where).group_by(column)
    found: Counter[str] = Counter()
    for key, n in (await session.exec(query)).all():
        found[key or ""] += n
    return dict(found)


async def _refusals(session: AsyncSession, bounds: tuple[object, object]) -> list[Count]:
    """Every reason, in the vocabulary's order, zeros included; unknown codes after."""
    begin, until = bounds
    query = (
        select(col(RefusedItem.reason), sa.func.count(col(RefusedItem.case_id)))
        .where(col(RefusedItem.received_at) >= begin, col(RefusedItem.received_at) < until)
        .group_by(RefusedItem.reason)
    )
    found = dict((await session.exec(query)).all())
    rows = [
        Count(label=label, count=found.pop(key, 0), key=key) for key, label in REFUSAL_VI.items()
    ]
    rows += [Count(label=key, count=n, key=key) for key, n in sorted(found.items())]
    return rows


async def _transfers(
    session: AsyncSession,
    *,
    agency: str | None,
    bounds: tuple[object, object],
    name_of: Callable[[str], str],
) -> list[Transfer]:
    begin, until = bounds
    query = (
        select(col(RoutingHop.from_agency), col(RoutingHop.agency), sa.func.count())
        .where(col(RoutingHop.step) == "transfer")
        .where(col(RoutingHop.at) >= begin, col(RoutingHop.at) < until)
        .group_by(RoutingHop.from_agency, RoutingHop.agency)
    )
    if agency is not None:
        query = query.where(
            sa.or_(col(RoutingHop.from_agency) == agency, col(RoutingHop.agency) == agency)
        )
    moves = [
        Transfer(
            from_agency=source or "",
            from_name=name_of(source) if source else "",
            to_agency=target,
            to_name=name_of(target),
            count=n,
        )
        for source, target, n in (await session.exec(query)).all()
    ]
    return sorted(moves, key=lambda m: (-m.count, m.from_name, m.to_name))


def _sum(lines: Iterable[AgencyLine], *, code: str, name: str) -> AgencyLine:
    total = AgencyLine(code=code, name=name)
    for s in lines:
        total.received += s.received
        total.answered += s.answered
        total.on_time += s.on_time
        total.late += s.late
        total.open_now += s.open_now
        total.overdue_now += s.overdue_now
        total.answer_days.extend(s.answer_days)
    return total


def _channels(found: dict[str, int]) -> list[Count]:
    """Every channel of the form, in its order, zeros included; unknown ones after."""
    rows = [
        Count(label=label, count=found.get(key, 0), key=key) for key, label in CHANNEL_VI.items()
    ]
    rows += [
        Count(label=key, count=n, key=key) for key, n in found.items() if key not in CHANNEL_VI
    ]
    return rows


def _classes(kinds: Iterable[tuple[str, str, int]]) -> list[Count]:
    found = {(c, k): n for c, k, n in kinds}
    rows = [
        Count(label=f"{c_label} — {k_label}", count=found.pop((c, k), 0), key=f"{c}/{k}")
        for c, c_label in CLASS_VI.items()
        for k, k_label in KIND_VI.items()
    ]
    rows += [Count(label=f"{c} — {k}", count=n, key=f"{c}/{k}") for (c, k), n in found.items()]
    return rows


def field_of(code: str, agencies: AgencyRegistry) -> str:
    """The field a case counts under: the first field of the agency in charge."""
    if code == TRIAGE:
        return "Chưa phân loại (hàng chờ của Văn phòng UBND tỉnh)"
    found = agencies.get(code)
    if found is not None and found.fields_vi:
        return found.fields_vi[0]
    return LOCAL_GOVERNMENT


def _fields(lines: Iterable[AgencyLine], agencies: AgencyRegistry) -> list[Count]:
    found: Counter[str] = Counter()
    for s in lines:
        if s.received:
            found[field_of(s.code, agencies)] += s.received
    return [Count(label=label, count=n) for label, n in sorted(found.items(), key=_most)]


def _regulations(found: dict[str, int]) -> list[Count]:
    named = sorted(((k, n) for k, n in found.items() if k), key=_most)
    rows = [Count(label=k, count=n, key=k) for k, n in named[:REGULATIONS_SHOWN]]
    rest = sum(n for _, n in named[REGULATIONS_SHOWN:])
    if rest:
        rows.append(Count(label=f"Các văn bản khác ({len(named) - REGULATIONS_SHOWN})", count=rest))
    if found.get(""):
        rows.append(Count(label=NO_REGULATION, count=found[""]))
    return rows


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def percent(value: float | None) -> str:
    """`87,5%` or `—` (Vietnamese decimal comma)."""
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


def decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")
