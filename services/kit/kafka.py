"""The production transport: FastStream subscribers and an idempotent producer on Kafka."""

from __future__ import annotations

import logging

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.kit.transport import Handler, Message, Redeliver

log = logging.getLogger(__name__)


def make_broker(bootstrap: str, *, client_id: str) -> KafkaBroker:
    # acks=all + idempotence: a retried send never duplicates or reorders within a partition.
    return KafkaBroker(
        bootstrap.split(","),
        client_id=client_id,
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


def attach(
    broker: KafkaBroker, *, topic: str, group_id: str, handler: Handler, workers: int = 1
) -> None:
    """Subscribe `handler` to `topic` in its own consumer group, committing after it returns.

    `AckPolicy.ACK` commits once the handler has returned: the pipelines commit their
    database transaction (or park the message on the dead-letter topic) first. A handler
    asking for redelivery gets a nack, which seeks back to the same offset; so does any
    exception a handler lets escape (the pipelines let none), because FastStream would ack
    it and the offset would move past a message that was never handled.
    With `workers` > 1 the process runs that many consumers in the group: partitions are
    handled concurrently, each one still in order (a case's events share a partition).
    """

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
        assert isinstance(record, ConsumerRecord), "batch subscribers are not used"
        headers = {name: value.decode(errors="replace") for name, value in record.headers}
        try:
            await handler(
                Message(
                    topic=record.topic,
                    value=record.value or b"",
                    key=record.key,
                    headers=headers,
                    partition=record.partition,
                    offset=record.offset,
                )
            )
        except Redeliver as error:
            raise NackMessage() from error
        except Exception as error:
            log.exception("%s: unexpected error, redelivering %s", group_id, record.offset)
            raise NackMessage() from error
