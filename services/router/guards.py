"""Who may do what to a case, and in which state: the rules every agency command obeys.

A command that breaks them raises `PermanentError`, so the pipeline dead-letters it with the
reason (in Vietnamese: the officer's console shows it).
"""

from __future__ import annotations

from collections.abc import Collection

from schemas.actions import AgencyCommand, AssignFromTriage, RecordInfoReceived, RequestInfo
from services.kit.consumer import PermanentError
from services.router.emit import TRIAGE, TRIAGE_HOME
from services.router.models import RoutedCase

STATUS_VI = {
    "routed": "đã chuyển đến cơ quan, chưa tiếp nhận",
    "taken": "đang được xử lý",
    "waiting_info": "đang chờ người gửi bổ sung thông tin",
    "answered": "đã được trả lời",
}
# What the office may do to a case in the triage queue.
_TRIAGE_COMMANDS = (AssignFromTriage, RequestInfo, RecordInfoReceived)


def require_case(case: RoutedCase | None, case_id: str) -> RoutedCase:
    if case is None:
        raise PermanentError(f"Không tìm thấy hồ sơ {case_id}.")
    return case


def require_in_charge(case: RoutedCase, command: AgencyCommand) -> None:
    """The officer's agency must hold the case; VPUB acts for the triage queue."""
    if case.agency == TRIAGE:
        if command.agency != TRIAGE_HOME:
            raise PermanentError(
                f"Hồ sơ {case.case_id} đang chờ phân loại tại {TRIAGE_HOME}; "
                f"cơ quan {command.agency} không có quyền xử lý."
            )
        if not isinstance(command, _TRIAGE_COMMANDS):
            raise PermanentError(
                f"Hồ sơ {case.case_id} đang chờ phân loại: hãy giao hồ sơ cho cơ quan "
                "có thẩm quyền (kể cả chính Văn phòng) trước."
            )
        return
    if isinstance(command, AssignFromTriage):
        raise PermanentError(
            f"Hồ sơ {case.case_id} không nằm trong hàng chờ phân loại (đang ở {case.agency})."
        )
    if command.agency != case.agency:
        raise PermanentError(
            f"Cơ quan {command.agency} không phải cơ quan đang xử lý hồ sơ {case.case_id} "
            f"(hồ sơ đang ở {case.agency})."
        )


def require_status(case: RoutedCase, allowed: Collection[str], *, doing: str) -> None:
    if case.status not in allowed:
        state = STATUS_VI.get(case.status, case.status)
        raise PermanentError(f"Không thể {doing}: hồ sơ {case.case_id} {state}.")
