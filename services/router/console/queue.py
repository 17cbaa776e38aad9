"""An agency's queue: its cases filtered and sorted by the deadline that binds now, with
overdue and due-soon ones marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.submission import Channel
from schemas.vocabulary import CLASS_VI, KIND_VI
from services.kit.text import fold
from services.kit.web import ParameterError, bounded_day, page_number
from services.router.console.access import Officer
from services.router.console.regulations import Regulation, regulation_of
from services.router.domain.calendar import VIETNAM, HolidayCalendar
from services.router.domain.deadlines import DeadlineStatus, deadline_status
from services.router.domain.lifecycle import Status
from services.router.emit import TRIAGE
from services.router.errors import FilterError
from services.router.models import OPEN_STATUSES, RoutedCase
from services.router.scheduler import running_stages

ALL = "*"
STATUS_CHOICES = {
    "open": "Đang mở (chưa trả lời)",
    Status.ROUTED.value: "Chưa tiếp nhận",
    Status.TAKEN.value: "Đang xử lý",
    Status.WAITING_INFO.value: "Chờ bổ sung thông tin",
    Status.ANSWERED.value: "Đã trả lời",
    ALL: "Tất cả",
}
MARK_VI = {"overdue": "Quá hạn", "due_soon": "Sắp đến hạn", "on_time": "Trong hạn"}


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    channel: str = ""
    case_class: str = ""
    kind: str = ""
    rule: str = ""
    regulation: str = ""
    received_from: date | None = None
    received_to: date | None = None
    agency: str = ""  # the supervisor's choice; others always see their own agency
    page: int = 1


def _day(raw: str, label: str) -> date | None:
    """A day from 2000 to 2100, written year-month-day."""
    try:
        return bounded_day(raw, label=label)
    except ParameterError as error:
        raise FilterError(
            f"{label}: không đúng dạng ngày (năm-tháng-ngày) từ năm 2000 đến 2100."
        ) from error


def _choice(raw: str, allowed: Sequence[str], label: str) -> str:
    value = raw.strip()
    if value and value not in allowed:
        raise FilterError(f"{label}: giá trị không hợp lệ.")
    return value


def parse_filters(raw: Mapping[str, str]) -> QueueFilters:
    """The queue's filters from the query string (Vietnamese parameter names)."""
    try:
        page = page_number(raw.get("trang"))
    except ParameterError as error:
        raise FilterError("Số trang không hợp lệ.") from error
    filters = QueueFilters(
        status=_choice(raw.get("tinh_trang", ""), list(STATUS_CHOICES), "Tình trạng") or "open",
        channel=_choice(raw.get("kenh", ""), [c.value for c in Channel], "Kênh"),
        case_class=_choice(raw.get("loai", ""), list(CLASS_VI), "Loại"),
        kind=_choice(raw.get("hinh_thuc", ""), list(KIND_VI), "Hình thức"),
        rule=raw.get("quy_tac", "").strip()[:100],
        regulation=raw.get("van_ban", "").strip()[:200],
        received_from=_day(raw.get("tu_ngay", ""), "Nhận từ ngày"),
        received_to=_day(raw.get("den_ngay", ""), "Nhận đến ngày"),
        agency=raw.get("co_quan", "").strip().upper()[:16],
        page=page,
    )
    start, end = filters.received_from, filters.received_to
    if start and end and start > end:
        raise FilterError("Khoảng ngày nhận không hợp lệ: ngày bắt đầu sau ngày kết thúc.")
    return filters


def scope_of(officer: Officer, filters: QueueFilters) -> str:
    """Whose queue is shown: an officer's own agency always; the supervisor's choice
    (the triage queue by default, `*` for every agency)."""
    if not officer.is_supervisor:
        return officer.agency
    return filters.agency or TRIAGE


@dataclass(frozen=True)
class QueueRow:
    case: RoutedCase
    stage: str | None  # the stage whose deadline binds now; None when the clock is stopped
    due: date | None
    mark: DeadlineStatus | None
    regulation: Regulation | None = None
    marks: dict[str, DeadlineStatus] = field(default_factory=dict)


def row_of(
    case: RoutedCase, *, today: date, calendar: HolidayCalendar, due_soon_days: int
) -> QueueRow:
    stages = running_stages(case)
    marks: dict[str, DeadlineStatus] = {
        stage: deadline_status(due, today, calendar=calendar, due_soon_days=due_soon_days)
        for stage, due in stages.items()
    }
    regulation = regulation_of(case.regulation, case.title, case.content)
    if not stages:
        return QueueRow(case, None, None, None, regulation)
    stage, due = min(stages.items(), key=lambda item: item[1])
    return QueueRow(case, stage, due, marks[stage], regulation, marks)


def _sort_key(row: QueueRow) -> tuple[int, date, datetime]:
    # Running clocks first by due date; stopped and closed cases after them.
    return (0 if row.due else 1, row.due or date.max, row.case.received_at)


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VIETNAM)


async def load_cases(
    session: AsyncSession, *, scope: str, filters: QueueFilters
) -> list[RoutedCase]:
    query = select(RoutedCase)
    if scope != ALL:
        query = query.where(RoutedCase.agency == scope)
    if filters.status == "open":
        query = query.where(col(RoutedCase.status).in_(OPEN_STATUSES))
    elif filters.status != ALL:
        query = query.where(RoutedCase.status == filters.status)
    for column, value in (
        (RoutedCase.channel, filters.channel),
        (RoutedCase.case_class, filters.case_class),
        (RoutedCase.kind, filters.kind),
        (RoutedCase.rule_id, filters.rule),
    ):
        if value:
            query = query.where(column == value)
    if filters.received_from:
        query = query.where(col(RoutedCase.received_at) >= _local_start(filters.received_from))
    if filters.received_to:
        end = _local_start(filters.received_to) + timedelta(days=1)
        query = query.where(col(RoutedCase.received_at) < end)
    return list((await session.exec(query)).all())


def matches_regulation(row: QueueRow, wanted: str) -> bool:
    """A folded match on what the submitter wrote, or on the normalised document."""
    needle = fold(wanted)
    if not needle:
        return True
    haystack = fold(row.case.regulation)
    if row.regulation is not None:
        haystack += " " + fold(row.regulation.label) + " " + row.regulation.key
    return needle in haystack or (row.regulation is not None and wanted == row.regulation.key)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


def paginate(rows: list[QueueRow], *, page: int, size: int) -> QueuePage:
    rows = sorted(rows, key=_sort_key)
    pages = max(1, -(-len(rows) // size))
    page = min(page, pages)
    return QueuePage(rows[(page - 1) * size : page * size], len(rows), page, pages)


async def queue_page(
    session: AsyncSession,
    *,
    scope: str,
    filters: QueueFilters,
    today: date,
    calendar: HolidayCalendar,
    due_soon_days: int,
    size: int,
) -> QueuePage:
    cases = await load_cases(session, scope=scope, filters=filters)
    rows = [
        row_of(case, today=today, calendar=calendar, due_soon_days=due_soon_days) for case in cases
    ]
    rows = [row for row in rows if matches_regulation(row, filters.regulation)]
    return paginate(rows, page=filters.page, size=size)
