"""The broker a case of tests/unit/kit/kafka_adapter_cases.py runs on: FastStream's
`TestKafkaBroker` in memory, or the same with `with_real=True` on the real cluster; and what
the cases observe (each delivery as FastStream settled it, the dead-letter topic)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from unittest.mock import patch

from aiokafka import AIOKafkaProducer, ConsumerRecord
from faststream import AckPolicy, BaseMiddleware
from faststream.kafka import KafkaBroker, KafkaPublishMessage, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.testing import FakeProducer
from faststream.message import AckStatus, StreamMessage

from schemas.topics import Topics, dead_letter
from services.kit.db import Database
from services.kit.kafka import make_broker
from services.kit.transport import BatchHandler, Message
from tests.support import eventually, read_topic

ACKED, NACKED = AckStatus.ACKED, AckStatus.NACKED
KEY = b"one-partition"  # records of one key share a partition, in order


def as_message(record: ConsumerRecord[bytes, bytes]) -> Message:
    return Message(
        topic=record.topic,
        value=record.value or b"",
        key=record.key,
        headers={name: value.decode(errors="replace") for name, value in record.headers},
        partition=record.partition,
        offset=record.offset,
    )


class Harness:
    """One broker for one case: in memory (`bootstrap=None`) or on the real cluster."""

    def __init__(self, *, db: Database, topics: Topics, bootstrap: str | None = None) -> None:
        self.real = bootstrap is not None
        self._bootstrap = bootstrap or "127.0.0.1:9092"  # never reached in memory
        self.broker: KafkaBroker = make_broker(self._bootstrap, client_id="test-adapter")
        self.db, self.topics, self.topic = db, topics, topics.case_events
        self.deliveries = watch(self.broker)
        self._waiting: list[tuple[Sequence[bytes], Mapping[str, str]]] = []
        self._parked: list[Message] = []

    def group(self, name: str) -> str:
        return self.topics.group(name)

    def waiting(self, values: Sequence[bytes], *, headers: Mapping[str, str] | None = None) -> None:
        """Records of one key on the topic before the consumers start (one poll's worth)."""
        self._waiting.append((values, headers or {}))

    def settled(self) -> list[AckStatus | None]:
        """How each delivery on the case's topic was settled, in order (None: not yet)."""
        return settled(self.deliveries, self.topic)

    async def until(self, predicate: Callable[[], bool], what: str) -> None:
        """In memory everything happened during the publish: `predicate` must hold now."""

        async def probe() -> bool:
            return predicate()

        await eventually(probe, timeout_s=30 if self.real else 0, what=what, interval_s=0.05)

    async def dead_letters(self) -> list[Message]:
        if not self.real:
            return list(self._parked)
        records = await read_topic(self._bootstrap, dead_letter(self.topic), idle_s=0.5)
        return [as_message(record) for record in records]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The broker started with the case's subscribers, the waiting records delivered."""
        if self.real:
            for values, headers in self._waiting:
                await _produce(self._bootstrap, self.topic, values, headers)
            async with TestKafkaBroker(self.broker, with_real=True):
                await eventually(lambda: assigned(self.broker), what="the partitions")
                yield
            return
        self._collect_dead_letters()
        with _batches_as_consumed():
            async with TestKafkaBroker(self.broker):
                for values, headers in self._waiting:
                    batch = [KafkaPublishMessage(value, key=KEY) for value in values]
                    await self.broker.publish_batch(*batch, topic=self.topic, headers=dict(headers))
                yield

    def _collect_dead_letters(self) -> None:
        parked = self._parked

        @self.broker.subscriber(
            dead_letter(self.topic), group_id=self.group("dead-letters"), ack_policy=AckPolicy.ACK
        )
        async def collect(msg: KafkaMessage) -> None:
            assert isinstance(msg.raw_message, ConsumerRecord)
            parked.append(as_message(msg.raw_message))


@contextmanager
def _batches_as_consumed() -> Iterator[None]:
    """FastStream 0.7.8's `TestKafkaBroker` hands a batch subscriber a list of records where
    the real consumer hands a tuple; FastStream's own nack of a batch reads a list as one
    record. Hand them the tuple the consumer does, so the in-memory deliveries are settled
    as the real ones are."""
    execute = FakeProducer._execute_handler

    async def as_consumed(self: FakeProducer, msg: Any, topic: str, handler: Any) -> Any:
        return await execute(self, tuple(msg) if isinstance(msg, list) else msg, topic, handler)

    with patch.object(FakeProducer, "_execute_handler", as_consumed):
        yield


def watch(broker: KafkaBroker) -> list[StreamMessage[Any]]:
    """Every delivery `broker`'s subscribers get, in order; FastStream sets each one's
    `committed` (acked, nacked) when its handler is done."""
    seen: list[StreamMessage[Any]] = []

    class Seen(BaseMiddleware):
        async def consume_scope(
            self, call_next: Callable[[Any], Awaitable[Any]], msg: StreamMessage[Any]
        ) -> Any:
            seen.append(msg)
            return await call_next(msg)

    broker.add_middleware(Seen)
    return seen


async def assigned(broker: KafkaBroker) -> bool:
    """Whether every consumer of `broker` has its partitions: a group still joining would
    rebalance under the first messages."""
    consumers = [getattr(sub, "consumer", None) for sub in broker.subscribers]
    return all(c is not None and c.assignment() for c in consumers)


def settled(deliveries: Sequence[StreamMessage[Any]], topic: str) -> list[AckStatus | None]:
    """How each delivery on `topic` was settled, in order (None: not yet)."""
    return [d.committed for d in deliveries if _topic(d) == topic]


def _topic(delivery: StreamMessage[Any]) -> str:
    raw = delivery.raw_message
    return str((raw if isinstance(raw, ConsumerRecord) else raw[0]).topic)


async def _produce(
    bootstrap: str, topic: str, values: Sequence[bytes], headers: Mapping[str, str]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            encoded = [(name, text.encode()) for name, text in headers.items()]
            await producer.send_and_wait(topic, value, key=KEY, headers=encoded)
    finally:
        await producer.stop()


class Recorder:
    """A `BatchHandler` noting the messages of each call, then passing them on (if `inner`)."""

    def __init__(self, inner: BatchHandler | None = None) -> None:
        self.calls: list[list[Message]] = []
        self._inner = inner

    async def __call__(self, message: Message) -> None:
        await self.consume([message])

    async def consume(self, messages: Sequence[Message]) -> None:
        self.calls.append(list(messages))
        if self._inner is not None:
            await self._inner.consume(messages)

    def values(self) -> list[bytes]:
        return [message.value for call in self.calls for message in call]
