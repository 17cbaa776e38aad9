"""Two replicas' outbox relays on one PostgreSQL table keep each case's events in order.

The first relay is slow (its broker takes a second to accept a batch); the second starts a
round while the first still holds the oldest rows. With `SKIP LOCKED` the second would
publish a case's later events before the first has published its earlier ones; the relay
instead waits for the rows in flight (services/kit/outbox.py, `OutboxRelay`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlmodel import select

from services.kit.db import Database
from services.kit.outbox import OutboxMessage, OutboxRelay, add_event
from services.kit.transport import Message
from tests.unit.kit.batch_scenarios import event


class Broker:
    """Records what each relay published, in the order the broker accepted it."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, str]] = []  # (relay, event id)
        self.started: dict[str, float] = {}


class SlowPublisher:
    def __init__(self, broker: Broker, name: str, delay_s: float) -> None:
        self._broker, self._name, self._delay_s = broker, name, delay_s

    async def publish(self, message: Message) -> None:
        await self.publish_many([message])

    async def publish_many(self, messages: Sequence[Message]) -> None:
        self._broker.started.setdefault(self._name, asyncio.get_running_loop().time())
        await asyncio.sleep(self._delay_s)
        for message in messages:
            self._broker.accepted.append((self._name, message.headers["event_id"]))


async def _stage(db: Database, cases: list[str], per_case: int) -> dict[str, list[str]]:
    """`per_case` events for each case, interleaved across cases, each in its own commit."""
    order: dict[str, list[str]] = {case: [] for case in cases}
    for _ in range(per_case):
        for case in cases:
            async with db.transaction() as session:
                staged = event(case, hop=len(order[case]) + 2)
                add_event(session, service="svc", topic="out", key=case, event=staged)
                order[case].append(staged.event_id)
    return order


async def test_a_second_replica_waits_for_the_rows_in_flight_and_keeps_each_case_in_order(
    pg_url: str,
) -> None:
    db = Database(pg_url)
    broker = Broker()
    slow = OutboxRelay(db=db, service="svc", publisher=SlowPublisher(broker, "slow", 1.0))
    fast = OutboxRelay(db=db, service="svc", publisher=SlowPublisher(broker, "fast", 0.0))
    try:
        expected = await _stage(db, ["A", "B", "C"], per_case=4)  # 12 rows
        first = asyncio.create_task(slow.run_once(batch=6))  # holds rows 1-6 for a second
        await asyncio.sleep(0.3)
        second_round = await fast.run_once(batch=6)
        first_round = await first
        assert (first_round, second_round) == (6, 6)
        assert broker.started["fast"] - broker.started["slow"] >= 0.9, (
            "the second replica waited for the first one's rows instead of skipping them"
        )
        published = [event_id for _, event_id in broker.accepted]
        for case, event_ids in expected.items():
            assert [e for e in published if e in event_ids] == event_ids, case
        assert [relay for relay, _ in broker.accepted] == ["slow"] * 6 + ["fast"] * 6
        async with db.session() as session:
            rows = (await session.exec(select(OutboxMessage))).all()
        assert len(rows) == 12 and all(row.published_at is not None for row in rows)
    finally:
        await db.dispose()


async def test_a_replica_that_dies_mid_round_hands_its_rows_to_the_next_in_order(
    pg_url: str,
) -> None:
    """A round that fails before marking (a process killed, a broker gone) releases its
    rows unmarked: the other replica publishes them again, oldest first."""
    db = Database(pg_url)
    broker = Broker()

    class Dying(SlowPublisher):
        async def publish_many(self, messages: Sequence[Message]) -> None:
            await asyncio.sleep(0.5)
            raise ConnectionError("the process died")

    dying = OutboxRelay(db=db, service="svc", publisher=Dying(broker, "dying", 0))
    survivor = OutboxRelay(db=db, service="svc", publisher=SlowPublisher(broker, "survivor", 0))
    try:
        expected = await _stage(db, ["A", "B"], per_case=3)
        first = asyncio.create_task(dying.run_once(batch=3))
        await asyncio.sleep(0.2)
        assert await survivor.run_once(batch=6) == 6
        try:
            await first
        except ConnectionError:
            pass
        else:
            raise AssertionError("the dying round should have failed")
        published = [event_id for _, event_id in broker.accepted]
        for case, event_ids in expected.items():
            assert [e for e in published if e in event_ids] == event_ids, case
    finally:
        await db.dispose()
