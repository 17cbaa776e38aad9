"""What every adapter of the router's ports (services/router/ports.py) must do, as scenarios.

Each scenario takes a `StoreUnderTest` (an empty store and a way to look inside it) and
runs on the in-memory fake and on SQLite (tests/unit/router/test_store_contract.py), and on
PostgreSQL (tests/integration/test_router_store_pg.py, marked `integration`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from schemas.actions import RecordInfoReceived, RequestInfo, RequestTransfer, TakeCase
from schemas.events import CaseAccepted, CaseFacts, CaseTaken, Submitter
from services.router.domain.calendar import HolidayCalendar
from services.router.domain.deadlines import Pause
from services.router.handlers import on_action, on_case_event
from services.router.models import ClockPause, DeadlineNotice, RefusedItem, RoutedCase, RoutingHop
from services.router.ports import Storage
from tests.unit.router.lifecycle_support import DISTRICT, RECEIVED
from tests.unit.router.memory_support import packaged_core

D0 = date(2023, 3, 6)


@dataclass
class StoreUnderTest:
    storage: Storage
    calendar: HolidayCalendar  # the calendar in force the store was given
    outbox: Callable[[], Awaitable[list[tuple[str, str, str]]]]  # (topic, key, event id)s


Scenario = Callable[[StoreUnderTest], Awaitable[None]]


def routed(case_id: str, **changes: Any) -> RoutedCase:
    values: dict[str, Any] = {
        "case_id": case_id,
        "tracking_code": f"GL-{case_id.upper()}",
        "channel": "web",
        "received_at": RECEIVED,
        "title": "Tiêu đề",
        "content": "Nội dung",
        "agency": "IGR",
        "case_class": "behaviour",
        "kind": "phan_anh",
        "rule_id": "field.IGR",
        "rules_version": "r1",
        "confidence": 0.9,
        "due_classify": D0 + timedelta(days=3),
        "due_forward": D0 + timedelta(days=7),
        "due_answer": D0 + timedelta(days=14),
        "calendar_version": "cal-1",
        "attachments": ["a.pdf"],
    }
    return RoutedCase(**{**values, **changes})


def notice(case_id: str, due: date, **changes: Any) -> DeadlineNotice:
    values: dict[str, Any] = {
        "case_id": case_id,
        "kind": "reminder",
        "stage": "answer",
        "due": due,
        "agency": "IGR",
        "event_id": f"e-{case_id}-{due}",
        "sent_on": D0,
    }
    return DeadlineNotice(**{**values, **changes})


async def add_cases(store: StoreUnderTest, *cases: RoutedCase) -> None:
    async with store.storage.transaction() as uow:
        for case in cases:
            uow.cases.add(case)


# --- cases ------------------------------------------------------------------------------------


async def a_case_is_read_back_as_it_was_added(store: StoreUnderTest) -> None:
    await add_cases(store, routed("c1"))
    async with store.storage.transaction() as uow:
        got, locked = await uow.cases.get("c1"), await uow.cases.lock("c1")
        assert await uow.cases.get("nope") is None and await uow.cases.lock("nope") is None
    assert got is not None and locked is not None
    for case in (got, locked):
        assert case.model_dump(exclude={"updated_at"}) == routed("c1").model_dump(
            exclude={"updated_at"}
        )
        assert case.received_at == RECEIVED and case.received_at.utcoffset() is not None


async def a_case_routed_twice_is_refused_and_leaves_no_trace(store: StoreUnderTest) -> None:
    await add_cases(store, routed("c1"))
    with pytest.raises(IntegrityError):
        async with store.storage.transaction() as uow:
            uow.cases.add(routed("c2"))
            uow.hops.add(RoutingHop(case_id="c2", hop=1, agency="IGR", rule_id="r"))
            uow.cases.add(routed("c1", agency="STNMT"))
    async with store.storage.transaction() as uow:
        assert await uow.cases.get("c2") is None
        assert await uow.hops.agencies("c2") == set()
        first = await uow.cases.get("c1")
        assert first is not None and first.agency == "IGR"


async def saved_changes_are_kept_and_a_raising_transaction_keeps_none(
    store: StoreUnderTest,
) -> None:
    await add_cases(store, routed("c1"))
    async with store.storage.transaction() as uow:
        case = await uow.cases.lock("c1")
        assert case is not None
        case.status, case.taken_by, case.attachments = "taken", "cb1", ["a.pdf", "b.pdf"]
        uow.cases.save(case)
    with pytest.raises(RuntimeError):
        async with store.storage.transaction() as uow:
            case = await uow.cases.lock("c1")
            assert case is not None
            case.status = "answered"
            uow.cases.save(case)
            uow.outbox.stage(topic="t", key="c1", event=_taken("c1"))
            raise RuntimeError("the use case failed half-way")
    async with store.storage.transaction() as uow:
        case = await uow.cases.get("c1")
    assert case is not None
    assert (case.status, case.taken_by, case.attachments) == ("taken", "cb1", ["a.pdf", "b.pdf"])
    assert await store.outbox() == []


async def cases_on_another_calendar_are_the_open_ones_not_on_it(store: StoreUnderTest) -> None:
    await add_cases(
        store,
        routed("old"),
        routed("current", calendar_version="cal-2"),
        routed("closed", status="answered"),
        routed("waiting", status="waiting_info"),
    )
    async with store.storage.transaction() as uow:
        found = await uow.cases.open_on_other_calendar(
            "cal-2", statuses=("routed", "taken", "waiting_info")
        )
    assert sorted(case.case_id for case in found) == ["old", "waiting"]


async def cases_due_by_a_day_have_any_deadline_on_or_before_it(store: StoreUnderTest) -> None:
    far = D0 + timedelta(days=30)
    await add_cases(
        store,
        routed("classify", due_classify=D0, due_forward=far, due_answer=far),
        routed("forward", due_classify=far, due_forward=D0, due_answer=far),
        routed("answer", due_classify=far, due_forward=far, due_answer=D0),
        routed("later", due_classify=far, due_forward=far, due_answer=far),
        routed("paused", status="waiting_info", due_classify=D0),
    )
    async with store.storage.transaction() as uow:
        found = await uow.cases.due_by(D0, statuses=("routed", "taken"))
        assert await uow.cases.due_by(D0 - timedelta(days=1), statuses=("routed",)) == []
    assert sorted(case.case_id for case in found) == ["answer", "classify", "forward"]


async def due_cases_come_in_case_id_order_page_after_page(store: StoreUnderTest) -> None:
    far = D0 + timedelta(days=30)
    await add_cases(
        store,
        *(routed(f"due-{n}", due_answer=D0) for n in (3, 1, 4, 2, 5)),
        routed("not-due", due_classify=far, due_forward=far, due_answer=far),
    )
    pages: list[list[str]] = []
    after = ""
    while True:
        async with store.storage.transaction() as uow:
            page = await uow.cases.due_by(D0, statuses=("routed",), after=after, limit=2)
        pages.append([case.case_id for case in page])
        if len(page) < 2:
            break
        after = page[-1].case_id
    assert pages == [["due-1", "due-2"], ["due-3", "due-4"], ["due-5"]]


# --- hops, pauses, refusals, notices -------------------------------------------------------------


async def a_cases_hops_name_its_agencies(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        for hop, agency in enumerate(("TRIAGE", "SXD", "STNMT"), start=1):
            uow.hops.add(RoutingHop(case_id="c1", hop=hop, agency=agency, rule_id="r"))
        uow.hops.add(RoutingHop(case_id="c2", hop=1, agency="IGR", rule_id="r"))
    async with store.storage.transaction() as uow:
        assert await uow.hops.agencies("c1") == {"TRIAGE", "SXD", "STNMT"}
        assert await uow.hops.agencies("none") == set()


async def the_latest_open_pause_is_found_and_closed_ones_are_pauses(
    store: StoreUnderTest,
) -> None:
    def pause(case_id: str, day: int, resumed: int | None = None) -> ClockPause:
        resumed_on = date(2023, 3, resumed) if resumed else None
        return ClockPause(
            case_id=case_id,
            agency="IGR",
            paused_on=date(2023, 3, day),
            resumed_on=resumed_on,
            requested_by="cb1",
        )

    async with store.storage.transaction() as uow:
        for row in (pause("c1", 1, 3), pause("c1", 6), pause("c1", 8), pause("c2", 2, 4)):
            uow.pauses.add(row)
    async with store.storage.transaction() as uow:
        latest = await uow.pauses.open_of("c1")
        assert latest is not None and latest.paused_on == date(2023, 3, 8)
        assert await uow.pauses.open_of("c2") is None
        latest.resumed_on, latest.resumed_by = date(2023, 3, 9), "cb2"
        uow.pauses.save(latest)
    async with store.storage.transaction() as uow:
        again = await uow.pauses.open_of("c1")
        assert again is not None and again.paused_on == date(2023, 3, 6)
        closed = await uow.pauses.closed_of(["c1", "c2", "c3"])
        assert await uow.pauses.closed_of([]) == {}
    assert sorted(closed["c1"], key=lambda p: p.paused_on) == [
        Pause(paused_on=date(2023, 3, 1), resumed_on=date(2023, 3, 3)),
        Pause(paused_on=date(2023, 3, 8), resumed_on=date(2023, 3, 9)),
    ]
    assert closed["c2"] == [Pause(paused_on=date(2023, 3, 2), resumed_on=date(2023, 3, 4))]
    assert "c3" not in closed


async def a_refusal_is_kept_once(store: StoreUnderTest) -> None:
    item = RefusedItem(case_id="r1", received_at=RECEIVED, channel="web", reason="anonymous")
    async with store.storage.transaction() as uow:
        uow.refusals.add(item)
    with pytest.raises(IntegrityError):
        async with store.storage.transaction() as uow:
            uow.refusals.add(RefusedItem(**item.model_dump()))
    async with store.storage.transaction() as uow:
        kept = await uow.refusals.get("r1")
        assert await uow.refusals.get("r2") is None
    assert kept is not None and (kept.channel, kept.reason) == ("web", "anonymous")


async def a_notice_is_sent_once_per_case_kind_stage_and_due_date(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        uow.notices.add(notice("c1", D0))
        uow.notices.add(notice("c1", D0, kind="escalation"))
        uow.notices.add(notice("c1", D0, stage="forward"))
        uow.notices.add(notice("c1", D0 + timedelta(days=1)))
        uow.notices.add(notice("c2", D0))
    with pytest.raises(IntegrityError):  # another replica's tick, a moment later
        async with store.storage.transaction() as uow:
            uow.notices.add(notice("c3", D0))
            uow.notices.add(notice("c1", D0, event_id="other"))
    async with store.storage.transaction() as uow:
        assert await uow.notices.sent(["c1"]) == {
            ("c1", "reminder", "answer", D0),
            ("c1", "escalation", "answer", D0),
            ("c1", "reminder", "forward", D0),
            ("c1", "reminder", "answer", D0 + timedelta(days=1)),
        }
        assert await uow.notices.sent(["c3", "c4"]) == set()
        assert await uow.notices.sent([]) == set()


async def notices_are_found_for_many_cases_at_once(store: StoreUnderTest) -> None:
    case_ids = [f"c{n}" for n in range(1201)]  # more than two of the adapter's IN lists
    async with store.storage.transaction() as uow:
        for case_id in case_ids[::100]:
            uow.notices.add(notice(case_id, D0))
    async with store.storage.transaction() as uow:
        sent = await uow.notices.sent(case_ids)
    assert {key[0] for key in sent} == set(case_ids[::100])


# --- the outbox, the calendar, and the use cases on the store ------------------------------


def _taken(case_id: str) -> CaseTaken:
    return CaseTaken(
        correlation_id=case_id, case_id=case_id, tracking_code="GL-X", agency="IGR", by="cb1"
    )


async def staged_events_are_kept_in_order_when_the_transaction_commits(
    store: StoreUnderTest,
) -> None:
    first, second = _taken("c1"), _taken("c2")
    async with store.storage.transaction() as uow:
        uow.outbox.stage(topic="u.case.events", key="c1", event=first)
        uow.outbox.stage(topic="u.agency.IGR.queue", key="c2", event=second)
    assert await store.outbox() == [
        ("u.case.events", "c1", first.event_id),
        ("u.agency.IGR.queue", "c2", second.event_id),
    ]


async def the_calendar_in_force_is_the_stores(store: StoreUnderTest) -> None:
    async with store.storage.transaction() as uow:
        calendar = await uow.calendar()
    assert calendar.version == store.calendar.version


async def a_cases_life_runs_on_the_store(store: StoreUnderTest) -> None:
    """The consumer's handlers on the store: routed, taken, paused and resumed, transferred."""
    core = packaged_core()
    facts = CaseFacts(
        case_id="c1",
        tracking_code="GL-C1",
        channel="web",
        received_at=RECEIVED,
        submitter=Submitter(name="Trần Văn Bình", address="xã Ia Kha, huyện Ia Grai"),
        **DISTRICT,
    )
    accepted = CaseAccepted(correlation_id="c1", case=facts)
    who = {"correlation_id": "c1", "case_id": "c1", "agency": "IGR", "officer": "cb1"}
    steps: list[tuple[date, Any]] = [
        (D0, accepted),
        (D0, accepted.model_copy(update={"event_id": "replayed"})),
        (D0, TakeCase(**who)),
        (date(2023, 3, 8), RequestInfo(**who, question="Số hồ sơ?")),
        (date(2023, 3, 13), RecordInfoReceived(**who)),
        (date(2023, 3, 14), RequestTransfer(**who, reason="Không thuộc thẩm quyền", to_agency="STNMT")),
    ]  # fmt: skip
    for today, message in steps:
        async with store.storage.transaction() as uow:
            if isinstance(message, CaseAccepted):
                await on_case_event(uow, message, core=core)
            else:
                await on_action(uow, message, core=core, today=today)
    async with store.storage.transaction() as uow:
        case = await uow.cases.get("c1")
        assert await uow.hops.agencies("c1") == {"IGR", "STNMT"}
        assert await uow.pauses.open_of("c1") is None
        assert await uow.pauses.closed_of(["c1"]) == {
            "c1": [Pause(paused_on=date(2023, 3, 8), resumed_on=date(2023, 3, 13))]
        }
    assert case is not None
    assert (case.agency, case.hop, case.status, case.taken_by) == ("STNMT", 2, "routed", None)
    assert (case.counted_from, case.due_answer) == (date(2023, 3, 14), date(2023, 3, 28))
    events, queue = core.topics.case_events, core.topics.agency_queue
    staged = [topic for topic, _, _ in await store.outbox()]
    assert staged == [events, queue("IGR"), *[events] * 5, queue("STNMT")]


SCENARIOS: list[Scenario] = [
    a_case_is_read_back_as_it_was_added,
    a_case_routed_twice_is_refused_and_leaves_no_trace,
    saved_changes_are_kept_and_a_raising_transaction_keeps_none,
    cases_on_another_calendar_are_the_open_ones_not_on_it,
    cases_due_by_a_day_have_any_deadline_on_or_before_it,
    due_cases_come_in_case_id_order_page_after_page,
    a_cases_hops_name_its_agencies,
    the_latest_open_pause_is_found_and_closed_ones_are_pauses,
    a_refusal_is_kept_once,
    a_notice_is_sent_once_per_case_kind_stage_and_due_date,
    notices_are_found_for_many_cases_at_once,
    staged_events_are_kept_in_order_when_the_transaction_commits,
    the_calendar_in_force_is_the_stores,
    a_cases_life_runs_on_the_store,
]
