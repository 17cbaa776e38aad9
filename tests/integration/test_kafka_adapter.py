"""The Kafka adapter on the real broker: the cases of tests/unit/kit/kafka_adapter_cases.py
(run in memory in tests/component/kit/test_kafka_adapter.py), and what only a real consumer group
shows: a consumer leaving its group hands its partitions over at the committed offsets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from schemas.topics import Topics
from services.kit.db import Database
from services.kit.kafka import KafkaPublisher, attach, make_broker
from services.kit.transport import Message
from tests.support import eventually
from tests.unit.databases import migrated_copy
from tests.unit.kit.kafka_adapter_cases import CASES
from tests.unit.kit.kafka_harness import ACKED, Harness, Recorder, assigned, settled, watch


@pytest.fixture
async def harness(kafka: str, topics: Topics, tmp_path: Path) -> AsyncIterator[Harness]:
    db = Database(migrated_copy(tmp_path, "kit"))
    yield Harness(db=db, topics=topics, bootstrap=kafka)
    await db.dispose()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_on_the_broker(harness: Harness, case: Callable[[Harness], Awaitable[None]]) -> None:
    await case(harness)


async def test_a_consumer_leaving_its_group_hands_its_partitions_over_where_it_committed(
    kafka: str, topics: Topics
) -> None:
    """Two processes' consumers share a group; one stops once its deliveries are acked. The
    other takes its partitions over from the committed offsets: it gets every later message
    and none that the first one handled."""
    topic = topics.case_events
    first, second = make_broker(kafka, client_id="first"), make_broker(kafka, client_id="second")
    deliveries = watch(first), watch(second)
    handlers = Recorder(), Recorder()
    for broker, handler in zip((first, second), handlers, strict=True):
        attach(broker, topic=topic, group_id=topics.group("svc"), handler=handler)

    def values(round_: int) -> list[bytes]:
        return [f"{round_}-{key}".encode() for key in range(9)]  # nine keys: all partitions

    async def publish(round_: int) -> None:
        await KafkaPublisher(second).publish_many(
            [Message(topic=topic, value=value, key=value[2:]) for value in values(round_)]
        )

    def handled(*which: int, wanted: list[bytes]) -> Callable[[], Awaitable[bool]]:
        async def probe() -> bool:
            got = {value for i in which for value in handlers[i].values()}
            statuses = {status for i in which for status in settled(deliveries[i], topic)}
            return got >= set(wanted) and statuses == {ACKED}

        return probe

    async def both_assigned() -> bool:
        return await assigned(first) and await assigned(second)

    await second.start()
    try:
        await first.start()
        try:
            await eventually(both_assigned, what="the partitions shared")
            await publish(1)
            await eventually(handled(0, 1, wanted=values(1)), what="the first round acked")
        finally:
            await first.stop()  # leaves the group: its partitions move to `second`
        await publish(2)
        await eventually(handled(1, wanted=values(2)), what="the second round acked")
    finally:
        await second.stop()

    by_first, by_second = handlers[0].values(), handlers[1].values()
    assert by_first and set(by_first) < set(values(1))  # the group had shared the first round
    # each once: what the first one had acked is not delivered again
    assert sorted(by_second) == sorted([*(set(values(1)) - set(by_first)), *values(2)])
