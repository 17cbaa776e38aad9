"""The router's case lifecycle on the real broker and PostgreSQL: agency queues, transfers
with their history, escalation when a deadline passes, holiday-table recalculation."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import col, select

from schemas.actions import RequestTransfer, TakeCase
from schemas.events import CaseAccepted, CaseFacts, Submitter
from schemas.topics import Topics
from services.router.holidays_admin import load_year_tables, read_tables
from services.router.models import RoutingHop
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.support import RunningService, events_of, eventually, produce, read_topic

RECEIVED = datetime.fromisoformat("2023-03-06T08:15:00+07:00")  # a Monday


def _accepted(case_id: str) -> bytes:
    facts = CaseFacts(
        case_id=case_id,
        tracking_code=f"GL-{case_id.upper()}",
        channel="hotline",
        received_at=RECEIVED,
        submitter=Submitter(name="Trần Văn Bình", address="xã Ia Kha, huyện Ia Grai"),
        title="Chậm cấp giấy chứng nhận quyền sử dụng đất",
        content=(
            "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
            "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết."
        ),
    )
    return CaseAccepted(correlation_id=case_id, case=facts).model_dump_json().encode()


def _router(kafka: str, topics: Topics, pg_url: str, clock: list[date]) -> RouterService:
    settings = RouterSettings(
        database_url=pg_url,
        kafka_bootstrap=kafka,
        topic_namespace=topics.namespace,
        scheduler_interval_s=0.2,
    )
    return RouterService(settings, today=lambda: clock[0])


async def _on_topic(kafka: str, topic: str, event_type: str, case_id: str) -> list[dict[str, Any]]:
    records = await read_topic(kafka, topic, idle_s=0.5)
    return [e for e in events_of(records, event_type) if e["case_id"] == case_id]


async def test_a_case_reaches_its_agency_topic_and_a_transfer_moves_it_with_history(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    clock = [date(2023, 3, 6)]
    router = _router(kafka, topics, pg_url, clock)
    async with RunningService(router, bootstrap=kafka):
        await produce(kafka, topics.case_events, [_accepted("c1")], key=b"c1")
        first = await eventually(
            lambda: _on_topic(kafka, topics.agency_queue("IGR"), "case.routed", "c1"),
            what="the case on the district's own topic",
        )
        assert first[0]["hop"] == 1 and first[0]["deadlines"]["answer"] == "2023-03-20"

        clock[0] = date(2023, 3, 8)
        transfer = RequestTransfer(
            correlation_id="c1",
            case_id="c1",
            agency="IGR",
            officer="cb.igr",
            reason="Quy định về đất đai thuộc Sở Tài nguyên và Môi trường",
            to_agency="STNMT",
        )
        await produce(
            kafka, topics.agency_actions, [transfer.model_dump_json().encode()], key=b"c1"
        )
        second = await eventually(
            lambda: _on_topic(kafka, topics.agency_queue("STNMT"), "case.routed", "c1"),
            what="the case on the second agency's topic",
        )
        assert second[0]["hop"] == 2 and second[0]["deadlines"]["answer"] == "2023-03-22"
        [moved] = await _on_topic(kafka, topics.case_events, "case.transferred", "c1")
        assert (moved["from_agency"], moved["to_agency"], moved["by"]) == ("IGR", "STNMT", "cb.igr")
        async with router.db.session() as session:
            query = (
                select(RoutingHop).where(RoutingHop.case_id == "c1").order_by(col(RoutingHop.hop))
            )
            hops = (await session.exec(query)).all()
        assert [(h.agency, h.step) for h in hops] == [("IGR", "route"), ("STNMT", "transfer")]


async def test_a_passing_deadline_escalates_once_to_the_office(
    kafka: str, topics: Topics, pg_url: str
) -> None:
    clock = [date(2023, 3, 6)]
    router = _router(kafka, topics, pg_url, clock)
    async with RunningService(router, bootstrap=kafka):
        await produce(kafka, topics.case_events, [_accepted("c2")], key=b"c2")
        await eventually(
            lambda: _on_topic(kafka, topics.case_events, "case.routed", "c2"), what="routing"
        )
        take = TakeCase(correlation_id="c2", case_id="c2", agency="IGR", officer="cb.igr")
        await produce(kafka, topics.agency_actions, [take.model_dump_json().encode()], key=b"c2")
        await eventually(
            lambda: _on_topic(kafka, topics.case_events, "case.taken", "c2"), what="take"
        )
        clock[0] = date(2023, 3, 21)  # the answer was due Monday 20 March
        escalated = await eventually(
            lambda: _on_topic(kafka, topics.case_events, "case.escalated", "c2"),
            what="the escalation",
        )
        assert (escalated[0]["stage"], escalated[0]["due"], escalated[0]["escalated_to"]) == (
            "answer",
            "2023-03-20",
            "VPUB",
        )
        assert await router.scheduler.run_once(date(2023, 3, 22)) == 0  # and only once
    assert len(await _on_topic(kafka, topics.case_events, "case.escalated", "c2")) == 1


async def test_loading_a_holiday_schedule_recalculates_open_cases_on_the_bus(
    kafka: str, topics: Topics, pg_url: str, tmp_path: Path
) -> None:
    clock = [date(2023, 3, 6)]
    router = _router(kafka, topics, pg_url, clock)
    table = router.core.calendar.table_for(2023).model_dump(mode="json")
    table["days_off"].append({"date": "2023-03-15", "name": "Nghỉ đột xuất"})
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.safe_dump({"years": [table]}, allow_unicode=True), encoding="utf-8")
    async with RunningService(router, bootstrap=kafka):
        await produce(kafka, topics.case_events, [_accepted("c3")], key=b"c3")
        await eventually(
            lambda: _on_topic(kafka, topics.case_events, "case.routed", "c3"), what="routing"
        )
        # What `pakn holidays load` does, on the same database as the running router.
        update = await load_year_tables(
            router.db,
            core=router.core,
            store=router.calendars,
            tables=read_tables(path),
            changed_by="admin",
            source=str(path),
        )
        assert update.cases_recalculated == 1
        moved = await eventually(
            lambda: _on_topic(kafka, topics.case_events, "case.deadlines_recalculated", "c3"),
            what="the recalculation event",
        )
        assert moved[0]["deadlines"]["answer"] == "2023-03-21"
