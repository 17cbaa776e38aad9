"""The intake keeps, per case, the agency and deadlines the router's case events give
(services/intake/routing_news.py): once per event, a transfer moves the agency, and a case
not in the register is not kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from services.intake.models import IntakeCase
from services.intake.routing_news import apply
from services.kit.consumer import Pipeline
from services.kit.transport import InMemoryBus
from tests.support import reads_of, statements_sent
from tests.unit.intake.http_support import Intake, intake, migrated_db
from tests.unit.intake.routing_events import (
    FIRST,
    SECOND,
    STC,
    SYT,
    answered,
    deliver,
    extended,
    info_received,
    info_requested,
    message,
    recalculated,
    registered,
    routed,
    routing,
    transferred,
)

__all__ = ["intake", "migrated_db"]


async def test_the_first_routing_is_kept_with_the_agency_and_its_deadlines(
    intake: Intake,
) -> None:
    case = await registered(intake)
    assert await routing(intake, case) is None  # registered, not routed yet
    await deliver(intake, routed(case))
    row = await routing(intake, case)
    assert row is not None
    assert (row.agency, row.agency_name, row.hop) == ("SYT", SYT, 1)
    assert (row.due_classify, row.due_forward, row.due_answer) == (
        FIRST.classify,
        FIRST.forward,
        FIRST.answer,
    )
    assert not (row.extended or row.waiting_info) and row.answered_on is None


async def test_an_event_delivered_again_is_applied_once(intake: Intake) -> None:
    """Redelivered after a later event, the first routing would take the extension back
    (its answer deadline is the older one): the consumer skips an event id it has seen."""
    case = await registered(intake)
    first = message(intake, routed(case))
    await deliver(intake, first, extended(case, date(2026, 12, 30)))
    await deliver(intake, first)  # the same message again (a redelivery)
    row = await routing(intake, case)
    assert row is not None and row.due_answer == date(2026, 12, 30) and row.extended


async def test_a_transfer_moves_the_case_to_the_new_agency_with_its_new_deadlines(
    intake: Intake,
) -> None:
    case = await registered(intake)
    await deliver(intake, routed(case), extended(case))
    # The transfer alone changes nothing: the router publishes the new hop's routing with
    # it, carrying the new agency's name and deadlines.
    await deliver(intake, transferred(case))
    row = await routing(intake, case)
    assert row is not None and (row.agency, row.hop, row.extended) == ("SYT", 1, True)
    await deliver(intake, routed(case, "STC", STC, hop=2, deadlines=SECOND))
    row = await routing(intake, case)
    assert row is not None
    assert (row.agency, row.agency_name, row.hop) == ("STC", STC, 2)
    assert row.due_answer == SECOND.answer and not row.extended  # counted anew


async def test_the_triage_decision_names_the_agency_and_an_older_hop_changes_nothing(
    intake: Intake,
) -> None:
    case = await registered(intake)
    await deliver(intake, routed(case, "TRIAGE", "Văn phòng UBND tỉnh Gia Lai"))
    await deliver(intake, routed(case, "SXD", "Sở Xây dựng", hop=2))
    await deliver(intake, routed(case, "TRIAGE", "Văn phòng UBND tỉnh Gia Lai"))  # hop 1
    row = await routing(intake, case)
    assert row is not None and (row.agency, row.agency_name, row.hop) == ("SXD", "Sở Xây dựng", 2)


async def test_info_requests_extensions_new_calendars_and_the_answer_are_followed(
    intake: Intake,
) -> None:
    case = await registered(intake)
    await deliver(intake, routed(case), info_requested(case))
    row = await routing(intake, case)
    assert row is not None and row.waiting_info and row.due_answer == FIRST.answer
    await deliver(intake, info_received(case, SECOND))
    row = await routing(intake, case)
    assert row is not None and not row.waiting_info and row.due_answer == SECOND.answer
    moved = SECOND.model_copy(update={"answer": date(2027, 1, 6)})
    await deliver(intake, recalculated(case, moved))
    row = await routing(intake, case)
    assert row is not None and row.due_answer == date(2027, 1, 6)
    await deliver(intake, answered(case))
    row = await routing(intake, case)
    assert row is not None and row.answered_on == date(2026, 12, 11)


async def test_events_of_one_batch_build_on_each_other(intake: Intake) -> None:
    """The routing and the extension in one batch (one transaction): the extension finds
    the row the routing added, not yet written."""
    case = await registered(intake)
    pipeline = intake.service.subscriptions(publisher=InMemoryBus())[1].handler
    assert isinstance(pipeline, Pipeline)
    await pipeline.consume([message(intake, routed(case)), message(intake, extended(case))])
    row = await routing(intake, case)
    assert row is not None and row.extended and row.due_answer == date(2026, 12, 30)


async def test_a_case_not_in_the_register_is_not_kept(intake: Intake) -> None:
    """The receipt exists only for registered cases, and the intake commits a case before
    its acceptance is published, so a routing for a case it does not have is not its own."""
    stranger = IntakeCase(
        id=uuid4().hex,
        tracking_code="GL-2345-6789",
        channel="web",
        received_at=datetime.now(UTC),
    )  # never stored
    await deliver(intake, routed(stranger), extended(stranger))
    assert await routing(intake, stranger) is None


def test_events_before_the_first_routing_make_no_row() -> None:
    case = IntakeCase(id="c1", tracking_code="GL-2345-6789", channel="web")
    for event in (extended(case), info_received(case), recalculated(case), answered(case)):
        assert apply(None, event) is None
    assert apply(None, transferred(case)) is None


async def test_a_batch_reads_its_cases_in_two_queries_and_keeps_only_the_register_s(
    intake: Intake,
) -> None:
    """The batch's routing rows and register entries are read once for the batch
    (`prepare`), not twice per event; what is kept is what event-by-event reading kept."""
    case = await registered(intake)
    stranger = IntakeCase(id=uuid4().hex, tracking_code="GL-2345-6790", channel="web")
    pipeline = intake.service.subscriptions(publisher=InMemoryBus())[1].handler
    assert isinstance(pipeline, Pipeline)
    with statements_sent(intake.service.db) as sent:
        await pipeline.consume(
            [
                message(intake, routed(case)),
                message(intake, routed(stranger)),
                message(intake, transferred(case)),
                message(intake, routed(case, "STC", STC, hop=2, deadlines=SECOND)),
            ]
        )
    # Both tables' reads: `FROM intake_case` is also the start of `FROM intake_case_routing`.
    assert reads_of(sent, "intake_case") == 2, sent
    row = await routing(intake, case)
    assert row is not None and (row.agency, row.hop, row.due_answer) == ("STC", 2, SECOND.answer)
    assert await routing(intake, stranger) is None
