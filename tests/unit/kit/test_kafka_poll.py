"""kit.kafka.without_pause: a batch subscriber polls again at once after an empty poll
instead of sleeping as long as the poll waited (FastStream's own `get_msg`)."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber import usecase

from services.kit.kafka import BATCH_WAIT_MS, without_pause


class Consumer:
    """`getmany` answers from a script: nothing, then two records of one partition."""

    def __init__(self, *answers: dict[TopicPartition, list[Any]]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[int, int]] = []

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
        self.calls.append((timeout_ms, max_records))
        return self.answers.pop(0)


def record(offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, offset, 0, 0, None, b"{}", None, 0, 2, [])


def batch_subscriber() -> Any:
    return KafkaBroker().subscriber(
        "t", group_id="g", batch=True, max_records=7, batch_timeout_ms=BATCH_WAIT_MS
    )


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(usecase.anyio, "sleep", sleep)
    return slept


async def test_faststreams_own_poll_sleeps_after_an_empty_poll(sleeps: list[float]) -> None:
    """What `without_pause` is for: if FastStream stops sleeping, it can go."""
    assert await batch_subscriber().get_msg(Consumer({})) == ()
    assert sleeps == [BATCH_WAIT_MS / 1000]


async def test_without_pause_polls_again_at_once(sleeps: list[float]) -> None:
    subscriber = batch_subscriber()
    without_pause(subscriber)
    consumer = Consumer({}, {TopicPartition("t", 0): [record(5), record(6)]})
    assert await subscriber.get_msg(consumer) == ()
    assert [r.offset for r in await subscriber.get_msg(consumer)] == [5, 6]
    assert sleeps == []
    assert consumer.calls == [(BATCH_WAIT_MS, 7)] * 2


def test_a_subscriber_without_the_expected_parts_is_refused() -> None:
    with pytest.raises(TypeError, match="FastStream changed"):
        without_pause(object())
