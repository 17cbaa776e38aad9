"""The case lifecycle, written once: the states a case is in, what agencies do to it, who may
do what in which state, the state it ends in and the events that say so (decision 0002 §1–2).

Pure: no database, no clock, no registry. The router's consumer (`guards.allowed`, used by
`commands.py` and `transfer.py`) and the console (`console/sending.problem_with`) both ask
`transition`; a refusal's reason is the Vietnamese text the console shows and the
dead-letter carries. What needs data stays with the callers: whether the case exists, and
whether a named agency is in the registry (`transfer.known_agency`).

The statuses are the strings stored in `router_case.status` (no migration). A case in the
triage queue has status `routed` and the agency `TRIAGE`, worked by the office (VPUB).

Adding an agency action: a command class in `schemas/actions.py` (mypy then flags
`_action_of` here and the dispatch in `services/router/handlers.py`), a member of `Action`
(mypy then flags `rule`), its rule, the use case that applies it on the storage ports
(`services/router/ports.py`), and its row in the test's expected table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import assert_never

from schemas.actions import (
    AgencyAction,
    AgencyCommand,
    AssignFromTriage,
    ExtendDeadline,
    RecordInfoReceived,
    RequestInfo,
    RequestTransfer,
    SubmitAnswer,
    TakeCase,
)
from schemas.events import (
    CaseAnswered,
    CaseRouted,
    CaseTaken,
    CaseTransferred,
    DeadlineExtended,
    Event,
    InfoReceived,
    InfoRequested,
)

TRIAGE = "TRIAGE"  # the triage queue's code in `router_case.agency`
TRIAGE_HOME = "VPUB"  # the office that works the triage queue


class Status(StrEnum):
    """Where a case is in its lifecycle (the values stored in `router_case.status`)."""

    ROUTED = "routed"  # with an agency (or the triage queue), not taken yet
    TAKEN = "taken"  # the agency confirmed it and handles it
    WAITING_INFO = "waiting_info"  # the clock stops until the submitter completes the item
    ANSWERED = "answered"  # closed


OPEN_STATUSES: tuple[Status, ...] = (Status.ROUTED, Status.TAKEN, Status.WAITING_INFO)

STATUS_VI: dict[str, str] = {
    Status.ROUTED.value: "đã chuyển đến cơ quan, chưa tiếp nhận",
    Status.TAKEN.value: "đang được xử lý",
    Status.WAITING_INFO.value: "đang chờ người gửi bổ sung thông tin",
    Status.ANSWERED.value: "đã được trả lời",
}


class Action(StrEnum):
    """What an agency does to a case; the values are the audit log's action names and the
    command's `event_type` after `action.`."""

    TAKE = "take"
    REQUEST_INFO = "request_info"
    RECORD_INFO = "info_received"
    EXTEND = "extend"
    ANSWER = "answer"
    TRANSFER = "transfer"
    ASSIGN_FROM_TRIAGE = "assign"


class Where(Enum):
    """Who holds the case: an agency (which acts on it), or the triage queue (VPUB acts)."""

    AGENCY = "agency"
    TRIAGE = "triage"


class Then(Enum):
    """A next status that depends on the case rather than on the action alone."""

    STAYS = "stays"  # the status does not change
    RESUMES = "resumes"  # back to `taken` if an officer took the case, else `routed`


@dataclass(frozen=True)
class Rule:
    """One action's place in the lifecycle."""

    doing: str  # what a refusal says the officer tried to do
    from_statuses: frozenset[Status]
    to: Status | Then
    where: frozenset[Where]  # an agency's own case, the triage queue, or both
    events: tuple[type[Event], ...]  # what the router emits when it applies the action


_AT_AGENCY = frozenset({Where.AGENCY})
_ANYWHERE = frozenset({Where.AGENCY, Where.TRIAGE})
_ROUTED = frozenset({Status.ROUTED})
_BEFORE_TAKEN = frozenset({Status.ROUTED, Status.TAKEN})
_OPEN = frozenset(OPEN_STATUSES)


def rule(action: Action) -> Rule:
    """The lifecycle of one action: mypy flags a new `Action` member left out here."""
    match action:
        case Action.TAKE:
            return Rule("tiếp nhận hồ sơ", _ROUTED, Status.TAKEN, _AT_AGENCY, (CaseTaken,))
        case Action.REQUEST_INFO:
            return Rule(
                "yêu cầu bổ sung thông tin",
                _BEFORE_TAKEN,
                Status.WAITING_INFO,
                _ANYWHERE,
                (InfoRequested,),
            )
        case Action.RECORD_INFO:
            return Rule(
                "ghi nhận thông tin bổ sung",
                frozenset({Status.WAITING_INFO}),
                Then.RESUMES,
                _ANYWHERE,
                (InfoReceived,),
            )
        case Action.EXTEND:
            return Rule("gia hạn", _OPEN, Then.STAYS, _AT_AGENCY, (DeadlineExtended,))
        case Action.ANSWER:
            return Rule("trả lời", _OPEN, Status.ANSWERED, _AT_AGENCY, (CaseAnswered,))
        case Action.TRANSFER:
            return Rule(
                "chuyển hồ sơ",
                _BEFORE_TAKEN,
                Status.ROUTED,
                _AT_AGENCY,
                (CaseTransferred, CaseRouted),
            )
        case Action.ASSIGN_FROM_TRIAGE:
            return Rule(
                "giao hồ sơ", _ROUTED, Status.ROUTED, frozenset({Where.TRIAGE}), (CaseRouted,)
            )
        case _:
            assert_never(action)


def action_of(command: AgencyCommand) -> Action:
    """The lifecycle action an agency command asks for."""
    if isinstance(command, COMMANDS):
        return _action_of(command)
    raise TypeError(f"not an agency action: {type(command).__name__}")


COMMANDS = (
    TakeCase,
    SubmitAnswer,
    RequestTransfer,
    AssignFromTriage,
    RequestInfo,
    RecordInfoReceived,
    ExtendDeadline,
)


def _action_of(command: AgencyAction) -> Action:
    """mypy flags a new command of `schemas.actions.AgencyAction` left out here."""
    match command:
        case TakeCase():
            return Action.TAKE
        case SubmitAnswer():
            return Action.ANSWER
        case RequestTransfer():
            return Action.TRANSFER
        case AssignFromTriage():
            return Action.ASSIGN_FROM_TRIAGE
        case RequestInfo():
            return Action.REQUEST_INFO
        case RecordInfoReceived():
            return Action.RECORD_INFO
        case ExtendDeadline():
            return Action.EXTEND
        case _:
            assert_never(command)


@dataclass(frozen=True)
class CaseFacts:
    """What the lifecycle needs to know about a case."""

    case_id: str
    status: Status
    holder: str  # the agency in charge, or TRIAGE
    taken: bool = False  # an officer took it (where the case goes back after a pause)
    extension_used: bool = False  # the one extension is spent (a transfer does not renew it)


@dataclass(frozen=True)
class Outcome:
    """The answer of the lifecycle: refused with a reason, or the status the case ends in
    and the events the router emits."""

    status: Status  # the new status (the current one if refused)
    refusal: str | None = None  # why not, in Vietnamese
    events: tuple[type[Event], ...] = ()
    resumes_clock: bool = False  # an open pause closes today (waiting_info is left)

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def transition(
    case: CaseFacts, action: Action, *, actor: str, to_agency: str | None = None
) -> Outcome:
    """Whether the officer of agency `actor` may do `action` to `case` now, and its result.

    Checked in this order (the first broken rule is the reason): who holds the case and
    whether the actor may act for it, the action's statuses, then the action's own rules
    (one extension; a transfer leaves the agency; an assignment names an agency).
    """
    found = rule(action)
    refusal = (
        _who_may(case, found, actor=actor)
        or _when(case, found)
        or _own_rules(case, action, to_agency=to_agency)
    )
    if refusal is not None:
        return Outcome(status=case.status, refusal=refusal)
    status = _next(case, found.to)
    return Outcome(
        status=status,
        events=found.events,
        resumes_clock=case.status is Status.WAITING_INFO and status is not Status.WAITING_INFO,
    )


def _who_may(case: CaseFacts, found: Rule, *, actor: str) -> str | None:
    if case.holder == TRIAGE:
        if actor != TRIAGE_HOME:
            return (
                f"Hồ sơ {case.case_id} đang chờ phân loại tại {TRIAGE_HOME}; "
                f"cơ quan {actor} không có quyền xử lý."
            )
        if Where.TRIAGE not in found.where:
            return (
                f"Hồ sơ {case.case_id} đang chờ phân loại: hãy giao hồ sơ cho cơ quan "
                "có thẩm quyền (kể cả chính Văn phòng) trước."
            )
        return None
    if Where.AGENCY not in found.where:
        return f"Hồ sơ {case.case_id} không nằm trong hàng chờ phân loại (đang ở {case.holder})."
    if actor != case.holder:
        return (
            f"Cơ quan {actor} không phải cơ quan đang xử lý hồ sơ {case.case_id} "
            f"(hồ sơ đang ở {case.holder})."
        )
    return None


def _when(case: CaseFacts, found: Rule) -> str | None:
    if case.status in found.from_statuses:
        return None
    return f"Không thể {found.doing}: hồ sơ {case.case_id} {STATUS_VI[case.status]}."


def _own_rules(case: CaseFacts, action: Action, *, to_agency: str | None) -> str | None:
    """The action's rules beyond who and when."""
    if action is Action.EXTEND and case.extension_used:
        return (
            f"Hồ sơ {case.case_id} đã được gia hạn một lần; "
            "theo quy chế, mỗi hồ sơ chỉ được gia hạn một lần."
        )
    if action is Action.TRANSFER and to_agency == case.holder:
        return f"Hồ sơ {case.case_id} đang ở {case.holder}: không thể tự chuyển, hãy chọn cơ quan khác."
    if action is Action.ASSIGN_FROM_TRIAGE and (not to_agency or to_agency == TRIAGE):
        return "Hãy chọn một cơ quan cụ thể để giao hồ sơ."
    return None


def _next(case: CaseFacts, to: Status | Then) -> Status:
    match to:
        case Status():
            return to
        case Then.STAYS:
            return case.status
        case Then.RESUMES:
            return Status.TAKEN if case.taken else Status.ROUTED
        case _:
            assert_never(to)
