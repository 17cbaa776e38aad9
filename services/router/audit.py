"""The audit log: every login and failed login, case view, command, token use, and the
cut-over's moves and retirements.

Entries are written in the transaction of what they record, so an action is never without
its entry. The supervisor reads them at /can-bo/nhat-ky. The console, its API and the
cut-over (`cutover.py`) all write here: it lives beside them, not inside the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.router.domain.calendar import VIETNAM
from services.router.models import AuditEntry

ACTION_VI = {
    "login": "đăng nhập",
    "login_failed": "đăng nhập không thành công",
    "logout": "đăng xuất",
    "password_changed": "đổi mật khẩu",
    "view_queue": "xem hàng đợi",
    "view_case": "xem hồ sơ",
    "view_regulation": "xem nhóm theo văn bản",
    "report": "xem, tải báo cáo",
    "take": "tiếp nhận hồ sơ",
    "request_info": "yêu cầu bổ sung thông tin",
    "info_received": "ghi nhận thông tin bổ sung",
    "extend": "gia hạn",
    "transfer": "chuyển hồ sơ",
    "assign": "giao hồ sơ từ hàng chờ phân loại",
    "draft": "soạn dự thảo trả lời",
    "draft_withdrawn": "hủy dự thảo",
    "answer": "duyệt và công bố trả lời",
    "refused": "yêu cầu bị từ chối",
    "token_created": "tạo khóa API",
    "token_revoked": "thu hồi khóa API",
    "token_refused": "khóa API không hợp lệ",
    "api_queue": "API: đọc hàng đợi",
    "api_case": "API: đọc hồ sơ",
    "api_answer": "API: gửi trả lời",
    "api_transfer": "API: chuyển hồ sơ",
    "account_created": "tạo tài khoản",
    "cutover": "chuyển hồ sơ do sắp xếp tổ chức bộ máy",
    "agency_retired": "cơ quan chấm dứt hoạt động (tài khoản chỉ còn xem)",
}


class Actor(Protocol):
    """Who an entry names: the console's `Officer` is one."""

    @property
    def actor(self) -> str: ...

    @property
    def agency(self) -> str: ...


def record(
    session: AsyncSession,
    *,
    action: str,
    officer: Actor | None = None,
    actor: str = "",
    agency: str = "",
    case_id: str | None = None,
    event_id: str | None = None,
    detail: str = "",
    address: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor=(officer.actor if officer else actor)[:200],
        agency=officer.agency if officer else agency,
        action=action,
        case_id=case_id,
        event_id=event_id,
        detail=detail[:4000],
        address=address[:64],
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    action: str = ""
    case_id: str = ""
    on: date | None = None  # a local day
    limit: int = 200


async def entries(session: AsyncSession, *, query: AuditQuery) -> list[AuditEntry]:
    """Newest first."""
    found = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(query.limit)
    if query.actor:
        found = found.where(AuditEntry.actor == query.actor)
    if query.action:
        found = found.where(AuditEntry.action == query.action)
    if query.case_id:
        found = found.where(AuditEntry.case_id == query.case_id)
    if query.on is not None:
        start = datetime.combine(query.on, time(0), tzinfo=VIETNAM)
        found = found.where(col(AuditEntry.at) >= start)
        found = found.where(col(AuditEntry.at) < start + timedelta(days=1))
    return list((await session.exec(found)).all())


async def commands_of(session: AsyncSession, *, case_id: str) -> list[AuditEntry]:
    """The commands sent for a case from the console or the API, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.case_id == case_id)
        .where(col(AuditEntry.event_id).is_not(None))
        .order_by(col(AuditEntry.id))
    )
    return list((await session.exec(query)).all())
