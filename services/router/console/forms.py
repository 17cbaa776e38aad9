"""The command forms of the case page: from the posted fields to the agency command.
Pure: the routes check who may act and stage the result."""

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.actions import (
    AgencyCommand,
    AssignFromTriage,
    ExtendDeadline,
    RecordInfoReceived,
    RequestInfo,
    RequestTransfer,
    TakeCase,
)
from services.router.console.access import Officer
from services.router.console.agency_choices import not_in_force
from services.router.emit import TRIAGE
from services.router.errors import FormProblem
from services.router.models import RoutedCase

Fields = dict[str, str]


def required(fields: Fields, name: str, label: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise FormProblem(f"{label}: chưa điền.")
    if len(value) > 2_000:
        raise FormProblem(f"{label}: dài quá 2000 ký tự.")
    return value


def _base(case: RoutedCase, officer: Officer) -> dict[str, str]:
    return {
        "correlation_id": case.case_id,
        "case_id": case.case_id,
        "agency": officer.agency,
        "officer": officer.actor,
    }


def _take(case: RoutedCase, officer: Officer, fields: Fields) -> AgencyCommand:
    return TakeCase(**_base(case, officer))


def _ask(case: RoutedCase, officer: Officer, fields: Fields) -> AgencyCommand:
    question = required(fields, "question", "Nội dung cần bổ sung")
    return RequestInfo(**_base(case, officer), question=question)


def _info_received(case: RoutedCase, officer: Officer, fields: Fields) -> AgencyCommand:
    return RecordInfoReceived(**_base(case, officer), note=fields.get("note", "").strip())


def _extend(case: RoutedCase, officer: Officer, fields: Fields) -> AgencyCommand:
    return ExtendDeadline(
        **_base(case, officer), reason=required(fields, "reason", "Lý do gia hạn")
    )


def in_force(case: RoutedCase, code: str) -> str:
    """`code` if that agency is in force on the day the case was received."""
    problem = not_in_force(code, case.received_at)
    if problem:
        raise FormProblem(problem)
    return code


def _transfer(case: RoutedCase, officer: Officer, fields: Fields) -> AgencyCommand:
    reason = required(fields, "reason", "Lý do chuyển")
    target = fields.get("to_agency", "").strip().upper()[:16] or None  # none: the rules again
    if target and target != TRIAGE:
        in_force(case, target)
    return RequestTransfer(**_base(case, officer), reason=reason, to_agency=target)


def _assign(case: RoutedCase, officer: Officer, fields: Fields) -> AgencyCommand:
    target = required(fields, "to_agency", "Cơ quan được giao").upper()[:16]
    if target != TRIAGE:  # "giao" back to the queue: sending.py explains
        in_force(case, target)
    reason = required(fields, "reason", "Lý do giao")
    return AssignFromTriage(**_base(case, officer), to_agency=target, reason=reason)


@dataclass(frozen=True)
class CommandForm:
    build: Callable[[RoutedCase, Officer, Fields], AgencyCommand]
    fields: tuple[str, ...] = ()  # kept to fill the form again when it is refused
    heads_only: str = ""  # what only heads may do, if so


FORMS = {
    "tiep-nhan": CommandForm(_take),
    "yeu-cau-bo-sung": CommandForm(_ask, ("question",)),
    "da-bo-sung": CommandForm(_info_received, ("note",)),
    "gia-han": CommandForm(_extend, ("reason",), heads_only="gia hạn thời hạn trả lời"),
    "chuyen": CommandForm(_transfer, ("reason", "to_agency")),
    "giao": CommandForm(_assign, ("reason", "to_agency")),
}
# The forms' field names on the case page, where several forms share "reason".
REFILL = {
    "gia-han": {"reason": "extend_reason"},
    "chuyen": {"reason": "transfer_reason"},
    "giao": {"reason": "assign_reason", "to_agency": "assign_to"},
}


def build_command(
    spec: CommandForm, case: RoutedCase, officer: Officer, fields: Fields
) -> AgencyCommand:
    try:
        return spec.build(case, officer, fields)
    except ValidationError as error:  # a value the contract refuses (e.g. an unknown code)
        raise FormProblem("Giá trị nhập vào không hợp lệ, xin kiểm tra lại.") from error
