"""The case lifecycle (services/router/domain/lifecycle.py) against tables written here by
hand: every (status, action) pair, for the agency in charge, another agency, the office
(VPUB) on a case in the triage queue and another agency on such a case.

A cell is the status the case ends in, or a refusal: `✗state` (not in this status),
`✗assign-first` (in the triage queue: assign it first), `✗not-triage` (only for the triage
queue), `✗not-in-charge` (another agency's case), `✗not-vpub` (the triage queue is VPUB's).
"""

from __future__ import annotations

import typing

import pytest

from schemas.actions import (
    AgencyAction,
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
    InfoReceived,
    InfoRequested,
)
from services.router import emit
from services.router.audit import ACTION_VI
from services.router.domain.lifecycle import (
    COMMANDS,
    Action,
    CaseFacts,
    Outcome,
    Status,
    action_of,
    transition,
)

AT_AGENCY = """
action          routed        taken         waiting_info  answered
take            taken         ✗state        ✗state        ✗state
request_info    waiting_info  waiting_info  ✗state        ✗state
info_received   ✗state        ✗state        routed        ✗state
extend          routed        taken         waiting_info  ✗state
answer          answered      answered      answered      ✗state
transfer        routed        routed        ✗state        ✗state
assign          ✗not-triage   ✗not-triage   ✗not-triage   ✗not-triage
"""

IN_TRIAGE_BY_VPUB = """
action          routed         taken          waiting_info   answered
take            ✗assign-first  ✗assign-first  ✗assign-first  ✗assign-first
request_info    waiting_info   waiting_info   ✗state         ✗state
info_received   ✗state         ✗state         routed         ✗state
extend          ✗assign-first  ✗assign-first  ✗assign-first  ✗assign-first
answer          ✗assign-first  ✗assign-first  ✗assign-first  ✗assign-first
transfer        ✗assign-first  ✗assign-first  ✗assign-first  ✗assign-first
assign          routed         ✗state         ✗state         ✗state
"""

BY_ANOTHER_AGENCY = """
action          routed          taken           waiting_info    answered
take            ✗not-in-charge  ✗not-in-charge  ✗not-in-charge  ✗not-in-charge
request_info    ✗not-in-charge  ✗not-in-charge  ✗not-in-charge  ✗not-in-charge
info_received   ✗not-in-charge  ✗not-in-charge  ✗not-in-charge  ✗not-in-charge
extend          ✗not-in-charge  ✗not-in-charge  ✗not-in-charge  ✗not-in-charge
answer          ✗not-in-charge  ✗not-in-charge  ✗not-in-charge  ✗not-in-charge
transfer        ✗not-in-charge  ✗not-in-charge  ✗not-in-charge  ✗not-in-charge
assign          ✗not-triage     ✗not-triage     ✗not-triage     ✗not-triage
"""

IN_TRIAGE_BY_ANOTHER_AGENCY = """
action          routed      taken       waiting_info  answered
take            ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
request_info    ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
info_received   ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
extend          ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
answer          ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
transfer        ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
assign          ✗not-vpub   ✗not-vpub   ✗not-vpub     ✗not-vpub
"""

# Each refusal as the officer reads it, for case c1 (STNMT's, or in the triage queue).
REFUSALS = {
    "✗assign-first": (
        "Hồ sơ c1 đang chờ phân loại: hãy giao hồ sơ cho cơ quan có thẩm quyền "
        "(kể cả chính Văn phòng) trước."
    ),
    "✗not-triage": "Hồ sơ c1 không nằm trong hàng chờ phân loại (đang ở STNMT).",
    "✗not-in-charge": ("Cơ quan IGR không phải cơ quan đang xử lý hồ sơ c1 (hồ sơ đang ở STNMT)."),
    "✗not-vpub": "Hồ sơ c1 đang chờ phân loại tại VPUB; cơ quan IGR không có quyền xử lý.",
}
DOING = {
    "take": "tiếp nhận hồ sơ",
    "request_info": "yêu cầu bổ sung thông tin",
    "info_received": "ghi nhận thông tin bổ sung",
    "extend": "gia hạn",
    "answer": "trả lời",
    "transfer": "chuyển hồ sơ",
    "assign": "giao hồ sơ",
}
STATE = {
    "routed": "đã chuyển đến cơ quan, chưa tiếp nhận",
    "taken": "đang được xử lý",
    "waiting_info": "đang chờ người gửi bổ sung thông tin",
    "answered": "đã được trả lời",
}
# A destination each action may name without breaking its own rules.
TO_AGENCY = {"transfer": "IGR", "assign": "SXD"}

SITUATIONS = {  # table: (holder, actor)
    "at_agency": (AT_AGENCY, "STNMT", "STNMT"),
    "in_triage_by_vpub": (IN_TRIAGE_BY_VPUB, "TRIAGE", "VPUB"),
    "by_another_agency": (BY_ANOTHER_AGENCY, "STNMT", "IGR"),
    "in_triage_by_another_agency": (IN_TRIAGE_BY_ANOTHER_AGENCY, "TRIAGE", "IGR"),
}


def cells(table: str) -> dict[tuple[str, str], str]:
    header, *rows = (line.split() for line in table.strip().splitlines())
    return {
        (row[0], status): cell
        for row in rows
        for status, cell in zip(header[1:], row[1:], strict=True)
    }


def every_pair() -> list[tuple[str, Status, Action]]:
    return [(name, s, a) for name in SITUATIONS for s in Status for a in Action]


def test_the_tables_cover_every_status_and_action_exactly() -> None:
    pairs = {(action.value, status.value) for status in Status for action in Action}
    for table, _, _ in SITUATIONS.values():
        assert set(cells(table)) == pairs


@pytest.mark.parametrize(("situation", "status", "action"), every_pair())
def test_every_status_and_action(situation: str, status: Status, action: Action) -> None:
    table, holder, actor = SITUATIONS[situation]
    expected = cells(table)[(action.value, status.value)]
    case = CaseFacts(case_id="c1", status=status, holder=holder)
    outcome = transition(case, action, actor=actor, to_agency=TO_AGENCY.get(action.value))
    if expected.startswith("✗"):
        reason = REFUSALS.get(expected) or (
            f"Không thể {DOING[action.value]}: hồ sơ c1 {STATE[status.value]}."
        )
        assert outcome == Outcome(status=status, refusal=reason)
        assert not outcome.allowed
    else:
        assert outcome.allowed and outcome.refusal is None
        assert outcome.status == Status(expected)
        assert outcome.status.value == expected  # the string stored in router_case.status


def test_the_events_of_each_allowed_action() -> None:
    expected = {
        Action.TAKE: (CaseTaken,),
        Action.REQUEST_INFO: (InfoRequested,),
        Action.RECORD_INFO: (InfoReceived,),
        Action.EXTEND: (DeadlineExtended,),
        Action.ANSWER: (CaseAnswered,),
        Action.TRANSFER: (CaseTransferred, CaseRouted),
        Action.ASSIGN_FROM_TRIAGE: (CaseRouted,),
    }
    assert set(expected) == set(Action)
    starts = {Action.RECORD_INFO: Status.WAITING_INFO}
    for action, events in expected.items():
        holder, actor = ("TRIAGE", "VPUB") if action is Action.ASSIGN_FROM_TRIAGE else ("S", "S")
        case = CaseFacts("c1", starts.get(action, Status.ROUTED), holder)
        outcome = transition(case, action, actor=actor, to_agency=TO_AGENCY.get(action.value))
        assert outcome.events == events, action


def test_information_received_returns_the_case_to_where_it_was() -> None:
    taken = CaseFacts("c1", Status.WAITING_INFO, "STNMT", taken=True)
    assert transition(taken, Action.RECORD_INFO, actor="STNMT").status is Status.TAKEN
    routed = CaseFacts("c1", Status.WAITING_INFO, "STNMT", taken=False)
    assert transition(routed, Action.RECORD_INFO, actor="STNMT").status is Status.ROUTED


@pytest.mark.parametrize(
    ("status", "action", "resumes"),
    [
        (Status.WAITING_INFO, Action.RECORD_INFO, True),
        (Status.WAITING_INFO, Action.ANSWER, True),  # the pause ends the day of the answer
        (Status.WAITING_INFO, Action.EXTEND, False),  # still waiting
        (Status.ROUTED, Action.ANSWER, False),
        (Status.TAKEN, Action.REQUEST_INFO, False),
    ],
)
def test_which_transitions_close_the_pause(status: Status, action: Action, resumes: bool) -> None:
    outcome = transition(CaseFacts("c1", status, "STNMT"), action, actor="STNMT")
    assert outcome.allowed and outcome.resumes_clock is resumes


@pytest.mark.parametrize("status", [Status.ROUTED, Status.TAKEN, Status.WAITING_INFO])
def test_the_one_extension(status: Status) -> None:
    used = CaseFacts("c1", status, "STNMT", extension_used=True)
    outcome = transition(used, Action.EXTEND, actor="STNMT")
    assert outcome.refusal == (
        "Hồ sơ c1 đã được gia hạn một lần; theo quy chế, mỗi hồ sơ chỉ được gia hạn một lần."
    )
    other = transition(used, Action.ANSWER, actor="STNMT")
    assert other.allowed  # a spent extension forbids nothing else


def test_a_closed_case_says_closed_before_the_extension_is_spent() -> None:
    used = CaseFacts("c1", Status.ANSWERED, "STNMT", extension_used=True)
    refusal = transition(used, Action.EXTEND, actor="STNMT").refusal
    assert refusal == "Không thể gia hạn: hồ sơ c1 đã được trả lời."


@pytest.mark.parametrize(
    ("to_agency", "refusal"),
    [
        ("IGR", None),
        ("TRIAGE", None),  # back to the triage queue
        (None, None),  # the rules decide again
        ("STNMT", "Hồ sơ c1 đang ở STNMT: không thể tự chuyển, hãy chọn cơ quan khác."),
    ],
)
def test_a_transfer_leaves_the_agency(to_agency: str | None, refusal: str | None) -> None:
    case = CaseFacts("c1", Status.TAKEN, "STNMT")
    outcome = transition(case, Action.TRANSFER, actor="STNMT", to_agency=to_agency)
    assert outcome.refusal == refusal


@pytest.mark.parametrize(
    ("to_agency", "refusal"),
    [
        ("SXD", None),
        ("VPUB", None),  # the office may keep the case
        ("TRIAGE", "Hãy chọn một cơ quan cụ thể để giao hồ sơ."),
        (None, "Hãy chọn một cơ quan cụ thể để giao hồ sơ."),
    ],
)
def test_an_assignment_names_an_agency(to_agency: str | None, refusal: str | None) -> None:
    case = CaseFacts("c1", Status.ROUTED, "TRIAGE")
    outcome = transition(case, Action.ASSIGN_FROM_TRIAGE, actor="VPUB", to_agency=to_agency)
    assert outcome.refusal == refusal


COMMAND_ACTIONS = {
    TakeCase: Action.TAKE,
    SubmitAnswer: Action.ANSWER,
    RequestTransfer: Action.TRANSFER,
    AssignFromTriage: Action.ASSIGN_FROM_TRIAGE,
    RequestInfo: Action.REQUEST_INFO,
    RecordInfoReceived: Action.RECORD_INFO,
    ExtendDeadline: Action.EXTEND,
}


def test_every_agency_command_is_one_action() -> None:
    union = typing.get_args(typing.get_args(AgencyAction)[0])
    assert set(COMMANDS) == set(union) == set(COMMAND_ACTIONS)
    base = {"correlation_id": "c1", "case_id": "c1", "agency": "STNMT", "officer": "cb"}
    extra: dict[type, dict[str, str]] = {
        SubmitAnswer: {"answer": "Trả lời"},
        RequestTransfer: {"reason": "Không đúng thẩm quyền"},
        AssignFromTriage: {"to_agency": "SXD", "reason": "Xây dựng"},
        RequestInfo: {"question": "Số thửa?"},
        ExtendDeadline: {"reason": "Cần lấy ý kiến"},
    }
    for kind, action in COMMAND_ACTIONS.items():
        command = kind(**base, **extra.get(kind, {}))
        assert action_of(command) is action
        # One vocabulary: the command's event type and the audit log's action name.
        assert command.event_type == f"action.{action.value}"
        assert action.value in ACTION_VI


def test_the_triage_codes_match_the_routers() -> None:
    """Until `emit.py` takes them from the lifecycle, the two spellings must agree."""
    from services.router.domain import lifecycle

    assert (lifecycle.TRIAGE, lifecycle.TRIAGE_HOME) == (emit.TRIAGE, emit.TRIAGE_HOME)
