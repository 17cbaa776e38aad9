"""Transfers: the agency that is not competent hands the case on; every hop is kept."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.actions import ExtendDeadline, RequestInfo, RequestTransfer
from tests.unit.router.lifecycle_support import DISTRICT, LAND_RULE
from tests.unit.router.memory_support import MemoryRouter


@pytest.fixture
def router() -> MemoryRouter:
    return MemoryRouter()


def _transfer(agency: str, to: str | None = None, case_id: str = "c1") -> RequestTransfer:
    return RequestTransfer(
        correlation_id=case_id,
        case_id=case_id,
        agency=agency,
        officer="cb.igr",
        reason="Không thuộc thẩm quyền của huyện",
        to_agency=to,
    )


async def test_a_named_transfer_moves_the_case_with_fresh_periods_and_history(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    router.clock[0] = date(2023, 3, 8)  # Wednesday
    await router.act(_transfer("IGR", "STNMT"))
    case = await router.case("c1")
    assert (case.agency, case.hop, case.status, case.counted_from) == (
        "STNMT",
        2,
        "routed",
        date(2023, 3, 8),
    )
    # The new agency's periods run from the day it got the case.
    assert (case.due_classify, case.due_forward, case.due_answer) == (
        date(2023, 3, 13),
        date(2023, 3, 15),
        date(2023, 3, 22),
    )
    hops = await router.hops("c1")
    assert [(h.hop, h.agency, h.step, h.from_agency) for h in hops] == [
        (1, "IGR", "route", None),
        (2, "STNMT", "transfer", "IGR"),
    ]
    assert hops[1].reason.startswith("Không thuộc thẩm quyền") and hops[1].decided_by == "cb.igr"
    [moved] = await router.published(event_type="case.transferred")
    assert (moved["from_agency"], moved["to_agency"], moved["hop"]) == ("IGR", "STNMT", 2)
    assert moved["notice_due"] == "2023-03-10"  # the submitter's copy: 2 working days
    assert moved["to_agency_name"] == "Sở Tài nguyên và Môi trường"
    routed = await router.published(event_type="case.routed")
    assert [(e["agency"], e["hop"]) for e in routed] == [("IGR", 1), ("STNMT", 2)]
    queued = await router.published(router.topics.agency_queue("STNMT"), "case.routed")
    assert [(e["case_id"], e["deadlines"]["answer"]) for e in queued] == [("c1", "2023-03-22")]


async def test_without_a_named_agency_the_rules_skip_agencies_already_tried(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(_transfer("IGR"))  # the rules say IGR again: nothing untried is left
    case = await router.case("c1")
    assert (case.agency, case.rule_id) == ("TRIAGE", "triage.no_untried_agency")
    triage = await router.published(router.topics.agency_queue("VPUB"), "case.routed")
    assert [(e["agency"], e["hop"]) for e in triage] == [("TRIAGE", 2)]


async def test_without_a_named_agency_the_rules_pick_an_untried_agency(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", LAND_RULE)
    async with router.storage.transaction() as uow:  # as if older rules sent it to SXD
        case = await uow.cases.get("c1")
        assert case is not None
        case.agency = "SXD"
        uow.cases.save(case)
    [hop] = router.storage.tables.hops  # the stored row itself: the history rewritten
    hop.agency = "SXD"
    await router.act(_transfer("SXD"))
    case = await router.case("c1")
    assert (case.agency, case.hop) == ("STNMT", 2)
    hops = await router.hops("c1")
    assert [h.agency for h in hops] == ["SXD", "STNMT"]
    assert (hops[1].rule_id, hops[1].decided_by) == ("field.STNMT", "cb.igr")
    routed = await router.published(router.topics.agency_queue("STNMT"), "case.routed")
    assert (routed[-1]["hop"], routed[-1]["decided_by"]) == (2, "router")


async def test_transfers_that_cannot_apply_are_refused(router: MemoryRouter) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(_transfer("STNMT", "SXD"))  # not the agency in charge
    await router.act(_transfer("IGR", "IGR"))  # to itself
    await router.act(_transfer("IGR", "XYZ"))  # no such agency
    ask = RequestInfo(correlation_id="c1", case_id="c1", agency="IGR", officer="x", question="?")
    await router.act(ask)
    await router.act(_transfer("IGR", "SXD"))  # waiting for the submitter
    refusals = router.refusals()
    assert len(refusals) == 4
    assert "không thể tự chuyển" in refusals[1] and "XYZ" in refusals[2]
    assert "chờ người gửi bổ sung" in refusals[3]
    assert [h.agency for h in await router.hops("c1")] == ["IGR"]
    assert await router.published(event_type="case.transferred") == []


async def test_the_one_extension_is_per_case_and_a_transfer_starts_a_fresh_period(
    router: MemoryRouter,
) -> None:
    await router.accept("c1", DISTRICT)
    await router.act(
        ExtendDeadline(correlation_id="c1", case_id="c1", agency="IGR", officer="x", reason="r")
    )
    router.clock[0] = date(2023, 3, 8)
    await router.act(_transfer("IGR", "STNMT"))
    case = await router.case("c1")
    assert case.due_answer == date(2023, 3, 22) and case.extended is False
    await router.act(
        ExtendDeadline(correlation_id="c1", case_id="c1", agency="STNMT", officer="y", reason="r")
    )
    assert "đã được gia hạn một lần" in router.refusals()[0]
