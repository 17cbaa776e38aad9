"""A router on a migrated SQLite database and the in-process bus, with a clock the test moves.

Commands and events go through the service's real pipelines, so a refused command is
dead-lettered exactly as on Kafka; the relay publishes the outbox to the bus on demand.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from schemas.actions import AgencyCommand
from schemas.events import CaseAccepted, CaseFacts, Submitter
from services.kit.outbox import OutboxRelay
from services.kit.transport import InMemoryBus, Message
from services.router.models import ClockPause, DeadlineNotice, RoutedCase, RoutingHop
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.unit.databases import migrated_copy

DISTRICT = {  # routes to IGR (behaviour at a district's one-stop desk)
    "title": "Chậm cấp giấy chứng nhận quyền sử dụng đất",
    "content": (
        "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
        "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết, đề nghị kiểm tra."
    ),
}
LAND_RULE = {  # routes to STNMT (a provincial regulation on land)
    "title": "Kiến nghị sửa quy định về hạn mức đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
    ),
}
VAGUE = {"title": "Góp ý", "content": "Tôi có ý kiến về việc này, mong được xem xét."}  # TRIAGE
RECEIVED = datetime.fromisoformat("2023-03-06T08:15:00+07:00")  # a Monday


class RouterHarness:
    def __init__(self, service: RouterService, bus: InMemoryBus, clock: list[date]) -> None:
        self.service, self.bus, self.clock = service, bus, clock
        case_events, actions = service.subscriptions(publisher=bus)
        self._cases, self._actions = case_events.handler, actions.handler
        self._relay = OutboxRelay(db=service.db, service="router", publisher=bus)
        self.topics = service.core.topics

    @classmethod
    async def start(cls, tmp_path: Path, *, today: date | None = None) -> RouterHarness:
        url = migrated_copy(tmp_path, "router")  # migrated once per session: tests.unit.databases
        clock = [today or RECEIVED.date()]
        settings = RouterSettings(database_url=url, topic_namespace="u")
        service = RouterService(settings, today=lambda: clock[0])
        return cls(service, InMemoryBus(), clock)

    async def accept(self, case_id: str, item: dict[str, str], *, at: datetime = RECEIVED) -> None:
        facts = CaseFacts(
            case_id=case_id,
            tracking_code=f"GL-{case_id.upper()}",
            channel="web",
            received_at=at,
            submitter=Submitter(name="Trần Văn Bình", address="xã Ia Kha, huyện Ia Grai"),
            **item,
        )
        event = CaseAccepted(correlation_id=case_id, case=facts)
        await self._cases(Message(topic=self.topics.case_events, value=_json(event)))

    async def act(self, command: AgencyCommand) -> None:
        await self._actions(Message(topic=self.topics.agency_actions, value=_json(command)))

    def refusals(self) -> list[str]:
        parked = self.bus.topics.get(self.topics.agency_actions + ".dlq", [])
        return [m.headers["dlq_error"] for m in parked]

    async def published(self, topic: str | None = None, event_type: str = "") -> list[Any]:
        while await self._relay.run_once():
            pass
        messages = self.bus.topics.get(topic or self.topics.case_events, [])
        values = [json.loads(m.value) for m in messages]
        return [v for v in values if not event_type or v["event_type"] == event_type]

    async def case(self, case_id: str) -> RoutedCase:
        async with self.service.db.session() as session:
            case = await session.get(RoutedCase, case_id)
            assert case is not None
            return case

    async def hops(self, case_id: str) -> list[RoutingHop]:
        query = (
            select(RoutingHop).where(RoutingHop.case_id == case_id).order_by(col(RoutingHop.hop))
        )
        async with self.service.db.session() as session:
            return list((await session.exec(query)).all())

    async def pauses(self, case_id: str) -> list[ClockPause]:
        query = select(ClockPause).where(ClockPause.case_id == case_id)
        async with self.service.db.session() as session:
            return list((await session.exec(query)).all())

    async def notices(self) -> list[DeadlineNotice]:
        async with self.service.db.session() as session:
            return list((await session.exec(select(DeadlineNotice))).all())

    async def close(self) -> None:
        await self.bus.close()
        await self.service.db.dispose()


def _json(model: Any) -> bytes:
    return str(model.model_dump_json()).encode()
