"""The production transport: FastStream subscribers and an idempotent producer on Kafka."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from itertools import chain
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.kit.health import NotReady, Readiness, readiness
from services.kit.kafka_security import KafkaSecurity
from services.kit.metrics import BROKER_UP, CONSUMER_LAG
from services.kit.transport import BatchHandler, Handler, Message, Redeliver

log = logging.getLogger(__name__)

DEFAULT_BATCH = 100  # ServiceSettings.consumer_batch's default
# How long one poll waits for records when there are none; records that arrive meanwhile
# end the wait at once. It bounds how long a stopping consumer takes to notice.
BATCH_WAIT_MS = 250
# Bytes one fetch brings per partition (aiokafka's default is 1 MiB). A batch of
# DEFAULT_BATCH events is about 250 KiB, and a fetch response is held whole while it is
# read: a quarter of the default took 3-5 MiB off the intake's and the router's peak in
# the 5,000-case benchmark, at the same throughput (3 Dec 2026). A record larger than
# this still comes, alone (the broker always returns at least one record batch).
PARTITION_FETCH_BYTES = 256 * 1024


def make_broker(
    bootstrap: str, *, client_id: str, security: KafkaSecurity | None = None
) -> KafkaBroker:
    # acks=all + idempotence: a retried send never duplicates or reorders within a partition.
    return KafkaBroker(
        bootstrap.split(","),
        client_id=client_id,
        security=(security or KafkaSecurity()).faststream(),
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=30_000,
        # FastStream's own logger writes coloured text to stdout; this one goes to the root
        # handler (JSON in production, services/kit/logs.py), its per-batch lines at DEBUG.
        logger=logging.getLogger("pakn.faststream"),
        log_level=logging.DEBUG,
    )


class KafkaPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, message: Message) -> None:
        await self._broker.publish(
            message.value,
            topic=message.topic,
            key=message.key,
            headers=dict(message.headers),
        )

    async def publish_many(self, messages: Sequence[Message]) -> None:
        """Send all of `messages` in order, then wait until the broker has every one.

        One producer, idempotent, sends them in order: messages of one key (one partition)
        stay in order even when the producer retries. If any fails, this raises and the
        caller publishes them all again (consumers drop the duplicates by event id).
        """
        pending = [
            await self._broker.publish(
                message.value,
                topic=message.topic,
                key=message.key,
                headers=dict(message.headers),
                no_confirm=True,
            )
            for message in messages
        ]
        await asyncio.gather(*pending)


def _message(record: ConsumerRecord[bytes, bytes]) -> Message:
    return Message(
        topic=record.topic,
        value=record.value or b"",
        key=record.key,
        headers={name: value.decode(errors="replace") for name, value in record.headers},
        partition=record.partition,
        offset=record.offset,
    )


def attach(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    handler: Handler,
    workers: int = 1,
    batch: int | None = None,
) -> None:
    """Subscribe `handler` to `topic` in its own consumer group, committing after it returns.

    `AckPolicy.ACK` commits once the handler has returned: the pipelines commit their
    database transaction (or park the message on the dead-letter topic) first. A handler
    asking for redelivery gets a nack, which seeks back to the same offset; so does any
    exception a handler lets escape (the pipelines let none), because FastStream would ack
    it and the offset would move past a message that was never handled.
    With `workers` > 1 the process runs that many consumers in the group: partitions are
    handled concurrently, each one still in order (a case's events share a partition).

    A `BatchHandler` (the pipelines) gets up to `batch` records per poll (default
    `DEFAULT_BATCH`; 1 turns batching off): FastStream's batch subscriber commits the
    consumer's positions — just past the batch — once `consume` has returned, and its nack
    seeks every partition of the batch back to its first record there, so a batch that is
    not done is read again whole (docs/decisions/0009-batches.md).
    """
    size = DEFAULT_BATCH if batch is None else batch
    if size > 1 and isinstance(handler, BatchHandler):
        for worker in range(workers):
            _attach_batch(
                broker, topic=topic, group_id=group_id, handler=handler, size=size, worker=worker
            )
        return

    @broker.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.ACK,
        auto_offset_reset="earliest",
        title=f"{group_id}:{topic}",
        max_workers=workers,
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
    )
    async def on_message(msg: KafkaMessage) -> None:
        record = msg.raw_message
        assert isinstance(record, ConsumerRecord), "not a batch subscriber"
        try:
            await handler(_message(record))
        except Redeliver as error:
            raise NackMessage() from error
        except Exception as error:
            log.exception("%s: unexpected error, redelivering %s", group_id, record.offset)
            raise NackMessage() from error


def _attach_batch(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    handler: BatchHandler,
    size: int,
    worker: int,
) -> None:
    """One consumer of the group (FastStream's batch subscribers take no `max_workers`)."""
    subscriber = broker.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.ACK,
        auto_offset_reset="earliest",
        title=f"{group_id}:{topic}" + (f"#{worker + 1}" if worker else ""),
        batch=True,
        max_records=size,
        batch_timeout_ms=BATCH_WAIT_MS,
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
    )
    without_pause(subscriber)

    @subscriber
    async def on_batch(msg: KafkaMessage) -> None:
        records: Sequence[Any] = ()
        try:  # everything inside: with AckPolicy.ACK an error escaping here would be acked
            records = _records_of(msg)
            if not records:
                return
            await handler.consume([_message(record) for record in records])
        except Redeliver as error:
            raise NackMessage() from error
        except Exception as error:
            log.exception("%s: unexpected error, redelivering %d records", group_id, len(records))
            raise NackMessage() from error


def without_pause(subscriber: Any) -> None:
    """Make a FastStream batch subscriber poll again at once after an empty poll.

    FastStream 0.7.8's batch `get_msg` waits up to `batch_timeout_ms` in `getmany` and, when
    that found nothing, sleeps as long again; a record that arrives during the sleep waits
    for it, up to `batch_timeout_ms` at every hop of a case (measured: at 5 cases/s, about
    a third of the time from the intake topic to the agency's e-mail). `getmany` already
    waits when there is nothing, and returns as soon as records come, so the sleep is only
    lost time: this polls again instead. Checked when attached, so that a FastStream that
    no longer has these parts fails at start-up rather than silently keeping the pause.
    """
    for part in ("get_msg", "batch_timeout_ms", "max_records"):
        if not hasattr(subscriber, part):
            raise TypeError(f"{type(subscriber).__name__} has no {part}: FastStream changed")

    async def get_msg(consumer: Any) -> tuple[ConsumerRecord[Any, Any], ...]:
        batches = await consumer.getmany(
            timeout_ms=subscriber.batch_timeout_ms, max_records=subscriber.max_records
        )
        return tuple(chain.from_iterable(batches.values()))

    subscriber.get_msg = get_msg


def _records_of(msg: KafkaMessage) -> Sequence[Any]:
    """A batch subscriber's records: a tuple from the consumer (FastStream's test broker
    gives a list)."""
    records = msg.raw_message
    if not isinstance(records, tuple | list):
        raise TypeError(f"not a batch of records: {type(records).__name__}")
    return records


class KafkaMonitor:
    """Samples, every `interval_s`, whether the cluster answers and each partition's lag.

    Lag is what this process's consumers have not taken yet: the partition's highwater
    (from the last fetch) minus the consumer's position (`pakn_consumer_lag`). A cluster
    that does not answer a metadata request within `timeout_s`, or a partition lagging by
    more than `max_lag` records (0: never), makes the process unready (`/readyz`) until a
    sample finds it well again. docs/decisions/0010-operations.md.
    """

    BROKER = "kafka broker"
    LAG = "consumer lag"

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        service: str,
        max_lag: int = 0,
        interval_s: float = 10.0,
        timeout_s: float = 5.0,
        health: Readiness = readiness,
    ) -> None:
        self._broker, self._service = broker, service
        self._max_lag, self._interval_s, self._timeout_s = max_lag, interval_s, timeout_s
        self._health = health

    def _consumers(self) -> list[tuple[str, Any]]:
        found = []
        for subscriber in self._broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is not None:
                found.append((str(getattr(subscriber, "group_id", "") or ""), consumer))
        return found

    async def check_broker(self) -> bool:
        """Whether the cluster answers a metadata request (any consumer's, else the
        broker's own ping); reported to readiness and `pakn_broker_up`."""
        consumers = self._consumers()
        try:
            async with asyncio.timeout(self._timeout_s):
                if consumers:
                    await consumers[0][1].topics()  # a fresh metadata request
                elif not await self._broker.ping(self._timeout_s):
                    raise NotReady("the broker does not answer")
        except Exception as error:
            if isinstance(error, TimeoutError):
                error = NotReady(f"no answer from the Kafka cluster within {self._timeout_s} s")
            self._health.down(self.BROKER, error)
            BROKER_UP.labels(service=self._service).set(0)
            return False
        self._health.up(self.BROKER)
        BROKER_UP.labels(service=self._service).set(1)
        return True

    async def sample_lag(self) -> dict[tuple[str, str, int], int]:
        """Lag per (group, topic, partition) of the partitions assigned in this process."""
        lags: dict[tuple[str, str, int], int] = {}
        for group, consumer in self._consumers():
            for tp in sorted(consumer.assignment()):
                try:
                    highwater = consumer.highwater(tp)
                    async with asyncio.timeout(self._timeout_s):  # not wait_for: kit.loop
                        position = await consumer.position(tp)
                except Exception:  # revoked meanwhile, or no position yet
                    continue
                if highwater is None:
                    continue
                lags[(group, tp.topic, tp.partition)] = max(0, highwater - position)
        CONSUMER_LAG.clear()  # partitions revoked since the last sample drop out
        for (group, topic, partition), lag in lags.items():
            CONSUMER_LAG.labels(
                service=self._service, group=group, topic=topic, partition=str(partition)
            ).set(lag)
        behind = {key: lag for key, lag in lags.items() if self._max_lag and lag > self._max_lag}
        if behind:
            worst = sorted(behind.items(), key=lambda item: -item[1])[:3]
            text = ", ".join(f"{topic}[{partition}] {lag}" for (_, topic, partition), lag in worst)
            self._health.down(self.LAG, NotReady(f"{text} behind (limit {self._max_lag})"))
        else:
            self._health.up(self.LAG)
        return lags

    async def run(self) -> None:
        while True:
            try:
                if await self.check_broker():
                    await self.sample_lag()
            except Exception:
                log.exception("%s: sampling the consumers failed", self._service)
            await asyncio.sleep(self._interval_s)
