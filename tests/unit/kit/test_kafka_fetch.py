"""kit.kafka.attach: every consumer it creates, batch or not, fetches at most
PARTITION_FETCH_BYTES per partition (a fetch response is held whole while it is read)."""

from __future__ import annotations

from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from services.kit.kafka import PARTITION_FETCH_BYTES, attach
from services.kit.transport import Message


async def one(message: Message) -> None:
    return None


class Batches:
    async def __call__(self, message: Message) -> None:
        return None

    async def consume(self, messages: Sequence[Message]) -> None:
        return None


def test_every_consumer_fetches_a_bounded_amount_per_partition() -> None:
    broker = KafkaBroker()
    attach(broker, topic="single", group_id="g1", handler=one, workers=2)
    attach(broker, topic="batched", group_id="g2", handler=Batches(), workers=2)
    limits = {
        (sub.topic_names[0], sub._connection_args["max_partition_fetch_bytes"])
        for sub in broker.subscribers
    }
    assert limits == {("single", PARTITION_FETCH_BYTES), ("batched", PARTITION_FETCH_BYTES)}
    assert PARTITION_FETCH_BYTES < 1 << 20  # below aiokafka's default of 1 MiB
