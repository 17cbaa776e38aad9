"""The production transport: FastStream subscribers and an idempotent producer on Kafka."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.kit.kafka_security import KafkaSecurity
from services.kit.transport import BatchHandler, Handler, Message, Redeliver

log = logging.getLogger(__name__)

DEFAULT_BATCH = 100  # ServiceSettings.consumer_batch's default
BATCH_WAIT_MS = 100  # how long one poll waits for records when there are none


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

    @broker.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.ACK,
        auto_offset_reset="earliest",
        title=f"{group_id}:{topic}" + (f"#{worker + 1}" if worker else ""),
        batch=True,
        max_records=size,
        batch_timeout_ms=BATCH_WAIT_MS,
    )
    async def on_batch(msg: KafkaMessage) -> None:
        records = msg.raw_message
        assert isinstance(records, tuple), "a batch subscriber"
        if not records:
            return
        try:
            await handler.consume([_message(record) for record in records])
        except Redeliver as error:
            raise NackMessage() from error
        except Exception as error:
            log.exception("%s: unexpected error, redelivering %d records", group_id, len(records))
            raise NackMessage() from error
