"""The router's use cases on the in-memory store, with a clock the test moves: no database.

Each event or command goes through the same handlers as the service's pipelines
(`services/router/handlers.py`), as the pipeline takes them (services/kit/consumer.py):
decoded from its JSON, skipped if its id was handled already, applied in a transaction of
its own, and, when it fails, parked or not as `decide` says (a refused command is parked
with the text the dead-letter header carries). The pipeline's own guarantees (batches,
savepoints, the `processed_event` rows) are tested in tests/unit/kit; the SQL adapter's
queries in tests/unit/router/test_store_contract.py.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from schemas.actions import AGENCY_ACTION_ADAPTER, AgencyCommand
from schemas.events import CASE_EVENT_ADAPTER, CaseAccepted, CaseFacts, Event, Submitter
from schemas.topics import Topics
from services.kit.consumer import Decision, decide
from services.router.core import RouterCore, load_core
from services.router.handlers import on_action, on_case_event
from services.router.memory_store import MemoryStorage, MemoryUnitOfWork
from services.router.models import ClockPause, DeadlineNotice, RoutedCase, RoutingHop
from services.router.scheduler import DeadlineScheduler
from services.router.settings import RouterSettings
from tests.unit.router.lifecycle_support import RECEIVED

TOPICS = Topics("u")
DAYS_BEFORE = RouterSettings.model_fields["reminder_days_before"].default  # the service's


@cache
def packaged_core() -> RouterCore:
    """The packaged rules, agencies and calendar, read once per process."""
    return load_core(topics=TOPICS)


class MemoryRouter:
    def __init__(self, *, today: date | None = None) -> None:
        self.core = packaged_core()
        self.topics = self.core.topics
        self.clock = [today or RECEIVED.date()]
        self.storage = MemoryStorage(calendar=self.core.calendar)
        self.scheduler = DeadlineScheduler(
            storage=self.storage,
            core=self.core,
            days_before=DAYS_BEFORE,
        )
        self.parked: list[str] = []  # the dead-letter headers' `dlq_error`, in order
        self._done: set[str] = set()

    async def accept(self, case_id: str, item: dict[str, str], *, at: datetime = RECEIVED) -> None:
        facts = CaseFacts(
            case_id=case_id,
            tracking_code=f"GL-{case_id.upper()}",
            channel="web",
            received_at=at,
            submitter=Submitter(name="Trần Văn Bình", address="xã Ia Kha, huyện Ia Grai"),
            **item,
        )
        await self._consume(CaseAccepted(correlation_id=case_id, case=facts), CASE_EVENT_ADAPTER)

    async def act(self, command: AgencyCommand) -> None:
        await self._consume(command, AGENCY_ACTION_ADAPTER)

    async def _consume(self, message: Event, adapter: TypeAdapter[Any]) -> None:
        event = adapter.validate_json(message.model_dump_json())  # as it comes off the wire
        if event.event_id in self._done:
            return
        try:
            async with self.storage.transaction() as uow:
                await self._handle(uow, event)
        except Exception as error:
            if decide(error) is Decision.RETRY:
                raise
            self.parked.append(f"{type(error).__name__}: {error}")
            return
        self._done.add(event.event_id)

    async def _handle(self, uow: MemoryUnitOfWork, event: Any) -> None:
        if event.event_type.startswith("action."):
            await on_action(uow, event, core=self.core, today=self.clock[0])
        else:
            await on_case_event(uow, event, core=self.core)

    def refusals(self) -> list[str]:
        return list(self.parked)

    async def published(self, topic: str | None = None, event_type: str = "") -> list[Any]:
        """The staged events of `topic` (the case events by default), as JSON would carry them."""
        wanted = topic or self.topics.case_events
        values = [
            json.loads(staged.event.model_dump_json())
            for staged in self.storage.outbox
            if staged.topic == wanted
        ]
        return [v for v in values if not event_type or v["event_type"] == event_type]

    async def case(self, case_id: str) -> RoutedCase:
        async with self.storage.transaction() as uow:
            case = await uow.cases.get(case_id)
        assert case is not None
        return case

    async def hops(self, case_id: str) -> list[RoutingHop]:
        found = [hop for hop in self.storage.tables.hops if hop.case_id == case_id]
        return sorted(found, key=lambda hop: hop.hop)

    async def pauses(self, case_id: str) -> list[ClockPause]:
        return [p for p in self.storage.tables.pauses.values() if p.case_id == case_id]

    async def notices(self) -> list[DeadlineNotice]:
        return sorted(self.storage.tables.notices.values(), key=lambda notice: notice.id or 0)

    async def tick(self, day: date) -> int:
        """The scheduler's pass on `day` (the clock moves there): how many events it staged."""
        self.clock[0] = day
        return await self.scheduler.run_once(day)
