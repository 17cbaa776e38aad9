"""Agency commands in the router: who may act, in which state, and what they do to deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.actions import (
    AssignFromTriage,
    ExtendDeadline,
    RecordInfoReceived,
    RequestInfo,
    SubmitAnswer,
    TakeCase,
)
from tests.unit.router.lifecycle_support import DISTRICT, LAND_RULE, VAGUE
from tests.unit.router.memory_support import MemoryRouter


@pytest.fixture
def router() -> MemoryRouter:
    return MemoryRouter()


def _take(case_id: str, agency: str) -> TakeCase:
    return TakeCase(correlation_id=case_id, case_id=case_id, agency=agency, officer="cb1")


def _answer(case_id: str, agency: str, **more: str) -> SubmitAnswer:
    return SubmitAnswer(
        correlation_id=case_id,
        case_id=case_id,
        agency=agency,
        officer="cb1",
        answer="Trả lời.",
        **more,
    )


async def test_an_accepted_case_is_routed_with_deadlines_on_its_agencys_queue(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    case = await router.case("c1")
    assert (case.agency, case.status, case.hop) == ("IGR", "routed", 1)
    # Received Monday 6 Mar 2023: 3, 5 and 10 working days, the day itself not counted.
    assert (case.due_classify, case.due_forward, case.due_answer) == (
        date(2023, 3, 9),
        date(2023, 3, 13),
        date(2023, 3, 20),
    )
    queued = await router.published(router.topics.agency_queue("IGR"), "case.routed")
    assert [e["case_id"] for e in queued] == ["c1"]


async def test_commands_from_an_agency_not_in_charge_are_dead_lettered(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(_take("c1", "STNMT"))
    await router.act(_answer("c1", "STNMT"))
    await router.act(_answer("missing", "IGR"))
    refusals = router.refusals()
    assert len(refusals) == 3
    assert "STNMT không phải cơ quan đang xử lý hồ sơ c1" in refusals[0]
    assert "Không tìm thấy hồ sơ missing" in refusals[2]
    case = await router.case("c1")
    assert (case.status, case.taken_by) == ("routed", None)
    assert await router.published(event_type="case.answered") == []


async def test_take_then_answer_on_time_closes_the_case(router: MemoryRouter) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(_take("c1", "IGR"))
    await router.act(_take("c1", "IGR"))  # a second, different take is refused
    router.clock[0] = date(2023, 3, 20)  # the last day is still on time
    await router.act(_answer("c1", "IGR", outcome="amendment_proposed"))
    await router.act(_answer("c1", "IGR"))
    assert len(router.refusals()) == 2 and "đã được trả lời" in router.refusals()[1]
    taken = await router.published(event_type="case.taken")
    assert [(e["agency"], e["by"]) for e in taken] == [("IGR", "cb1")]
    [answered] = await router.published(event_type="case.answered")
    assert answered["on_time"] is True and answered["outcome"] == "amendment_proposed"
    assert answered["due_answer"] == "2023-03-20"
    assert (await router.case("c1")).status == "answered"


async def test_a_late_answer_is_not_on_time(router: MemoryRouter) -> None:
    await router.accept("c1", DISTRICT)
    router.clock[0] = date(2023, 3, 21)
    await router.act(_answer("c1", "IGR"))
    [answered] = await router.published(event_type="case.answered")
    assert answered["on_time"] is False


async def test_waiting_for_the_submitter_stops_the_clock(router: MemoryRouter) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(_take("c1", "IGR"))
    router.clock[0] = date(2023, 3, 8)  # Wednesday
    ask = RequestInfo(
        correlation_id="c1", case_id="c1", agency="IGR", officer="cb1", question="Số hồ sơ?"
    )
    await router.act(ask)
    await router.act(ask.model_copy(update={"event_id": "second"}))  # already waiting
    assert (await router.case("c1")).status == "waiting_info"
    router.clock[0] = date(2023, 3, 13)  # Monday: Thu, Fri and Mon are given back
    await router.act(
        RecordInfoReceived(correlation_id="c1", case_id="c1", agency="IGR", officer="cb1")
    )
    case = await router.case("c1")
    assert case.status == "taken"  # back to where it was
    assert (case.due_forward, case.due_answer) == (date(2023, 3, 16), date(2023, 3, 23))
    [requested] = await router.published(event_type="case.info_requested")
    assert requested["requested_on"] == "2023-03-08" and requested["question"] == "Số hồ sơ?"
    [received] = await router.published(event_type="case.info_received")
    assert received["deadlines"]["answer"] == "2023-03-23"
    [pause] = await router.pauses("c1")
    assert (pause.paused_on, pause.resumed_on) == (date(2023, 3, 8), date(2023, 3, 13))
    assert len(router.refusals()) == 1


async def test_info_received_without_a_request_is_refused(router: MemoryRouter) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(
        RecordInfoReceived(correlation_id="c1", case_id="c1", agency="IGR", officer="cb1")
    )
    assert "chưa tiếp nhận" in router.refusals()[0]
    assert (await router.case("c1")).due_answer == date(2023, 3, 20)


async def test_the_answer_deadline_is_extended_once_with_a_reason(router: MemoryRouter) -> None:
    await router.accept("c1", LAND_RULE)
    extend = ExtendDeadline(
        correlation_id="c1", case_id="c1", agency="STNMT", officer="cb1", reason="Vụ việc phức tạp"
    )
    await router.act(extend)
    await router.act(extend.model_copy(update={"event_id": "again"}))
    assert "đã được gia hạn một lần" in router.refusals()[0]
    case = await router.case("c1")
    assert case.due_answer == date(2023, 4, 3)  # 20 March + 10 working days
    assert case.extension_reason == "Vụ việc phức tạp"
    [extended] = await router.published(event_type="case.extended")
    assert (extended["previous_due"], extended["due_answer"]) == ("2023-03-20", "2023-04-03")


async def test_the_office_assigns_a_triage_case_and_the_history_keeps_who_and_why(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", VAGUE)
    assert (await router.case("c1")).agency == "TRIAGE"
    triage_queue = await router.published(router.topics.agency_queue("VPUB"), "case.routed")
    assert [e["agency"] for e in triage_queue] == ["TRIAGE"]

    def assign(agency: str, to: str) -> AssignFromTriage:
        return AssignFromTriage(
            correlation_id="c1",
            case_id="c1",
            agency=agency,
            officer="nguyen.van.a",
            to_agency=to,
            reason="Nội dung về xây dựng",
        )

    await router.act(_take("c1", "VPUB"))  # triage cases are assigned, not taken
    await router.act(assign("SXD", "SXD"))  # only the office works the triage queue
    await router.act(assign("VPUB", "NOPE"))  # not an agency
    await router.act(assign("VPUB", "SXD"))
    await router.act(assign("VPUB", "STP"))  # no longer in triage
    assert len(router.refusals()) == 4
    case = await router.case("c1")
    assert (case.agency, case.hop, case.due_answer) == ("SXD", 2, date(2023, 3, 20))
    hops = await router.hops("c1")
    assert [(h.agency, h.step) for h in hops] == [("TRIAGE", "route"), ("SXD", "assign")]
    assert (hops[1].decided_by, hops[1].reason) == ("nguyen.van.a", "Nội dung về xây dựng")
    [routed] = await router.published(router.topics.agency_queue("SXD"), "case.routed")
    assert routed["decided_by"] == "nguyen.van.a" and routed["hop"] == 2
    assert routed["reasons"] == ["Nội dung về xây dựng"]
