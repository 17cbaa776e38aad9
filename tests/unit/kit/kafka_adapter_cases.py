"""What the Kafka adapter promises, as cases run twice: in memory with FastStream's
`TestKafkaBroker` (tests/component/kit/test_kafka_adapter.py, the component tier: some cases
commit to SQLite) and on the real broker with `TestKafkaBroker(..., with_real=True)`
(tests/integration/test_kafka_adapter.py, marked `integration`).

The adapter is `services/kit/kafka.py` (`make_broker`, `attach`, `KafkaPublisher`) feeding
the consumer pipeline of `services/kit/consumer.py`. Every case builds the production
broker, attaches the production subscribers and pipelines and publishes with the
production publisher; the harness (tests/unit/kit/kafka_harness.py) only runs the broker,
puts records on the topic before the consumers start (`waiting`), reads the dead-letter
topic, and notes every delivery as FastStream settled it (`AckStatus`: acked, that is
committed; nacked, that is sought back).

What the in-memory broker cannot show, shown on the real broker only:
- redelivery: `TestKafkaBroker` calls a subscriber inline when something is published and
  its consumer's `seek` does nothing, so a nack shows as the delivery's status, never as a
  second delivery; the cases check the second delivery where `harness.real`;
- offsets and commits: it commits nothing and gives every record offset 0. The commit
  past a batch that is done, and none while it is not, are
  tests/integration/test_batches_kafka.py (not repeated here);
- rebalances: it hands a message to one subscriber per group id and has no partitions
  to move; a consumer leaving its group is tests/integration/test_kafka_adapter.py's own;
- batches formed by polling: it hands a batch subscriber exactly what one
  `publish_batch` sent (ignoring `max_records`); the real consumer takes what is waiting;
- `KafkaPublisher.publish_many`: its producer answers a send without confirmation with
  None rather than a future, so in memory the messages are published one by one.
In memory the harness also hands a batch subscriber its records as a tuple, as the real
consumer does (`kafka_harness._batches_as_consumed`): FastStream 0.7.8's test broker hands
a list, which its own nack of a batch cannot read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CASE_EVENT_ADAPTER, CaseEvent
from schemas.topics import dead_letter
from services.kit.consumer import PermanentError, Pipeline
from services.kit.health import Readiness
from services.kit.kafka import KafkaPublisher, attach
from services.kit.transport import Message
from tests.unit.kit.batch_scenarios import event, processed
from tests.unit.kit.kafka_harness import ACKED, KEY, NACKED, Harness, Recorder


def pipeline(h: Harness, handle: Any, **options: Any) -> Pipeline[CaseEvent]:
    """The production pipeline on the case's database, parking on the real dead-letter
    topic through the broker (`KafkaPublisher`)."""
    quick: dict[str, Any] = {
        "retries": 0,
        "backoff_s": 0.001,
        "max_backoff_s": 0.001,
        "health": Readiness(),
    }
    return Pipeline(
        service="svc",
        db=h.db,
        adapter=CASE_EVENT_ADAPTER,
        handle=handle,
        dead_letters=KafkaPublisher(h.broker),
        **(quick | options),
    )


def _done(h: Harness, consumer: Recorder, count: int) -> bool:
    """Whether the deliveries acked hold `count` messages (a nacked one comes again)."""
    acked = [call for call, s in zip(consumer.calls, h.settled(), strict=False) if s == ACKED]
    return sum(len(call) for call in acked) >= count


def _encoded(*events: CaseEvent) -> list[bytes]:
    return [e.model_dump_json().encode() for e in events]


def _ids(*events: CaseEvent) -> set[str]:
    return {e.event_id for e in events}


async def _ignore(session: AsyncSession, event: CaseEvent) -> None:
    pass


async def an_event_reaches_each_group_once_with_its_key_and_headers(h: Harness) -> None:
    """Both subscriber kinds: the batch one (default) and the per-message one (`batch=1`),
    each in its own consumer group, so each gets every message."""
    batched, single = Recorder(), Recorder()
    attach(h.broker, topic=h.topic, group_id=h.group("batched"), handler=batched)
    attach(h.broker, topic=h.topic, group_id=h.group("single"), handler=single, batch=1)
    sent = Message(
        topic=h.topic,
        value=_encoded(event("a"))[0],
        key=b"case-a",
        headers={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
    )
    async with h.running():
        await KafkaPublisher(h.broker).publish(sent)
        await h.until(lambda: h.settled() == [ACKED, ACKED], "both groups done")
    for recorder in (batched, single):
        [[got]] = recorder.calls
        assert (got.topic, got.value, got.key) == (sent.topic, sent.value, sent.key)
        assert sent.headers.items() <= got.headers.items()
        assert got.partition is not None and got.offset is not None


async def waiting_records_are_handled_in_one_call_and_one_transaction(h: Harness) -> None:
    handled: list[str] = []
    commits: list[int] = []

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        handled.append(event.correlation_id)

    consumer = Recorder(pipeline(h, handle, after_commit=lambda: commits.append(1)))
    attach(h.broker, topic=h.topic, group_id=h.group("svc"), handler=consumer, batch=10)
    events = [event(case) for case in "abcde"]
    values = _encoded(*events)
    h.waiting(values)
    async with h.running():
        await h.until(lambda: h.settled() == [ACKED], "the batch done")
    [call] = consumer.calls
    assert [m.value for m in call] == values and len({m.partition for m in call}) == 1
    assert handled == list("abcde") and commits == [1]
    assert await processed(h.db) == _ids(*events)
    assert await h.dead_letters() == []


async def a_poison_message_goes_alone_to_the_dead_letter_topic_with_its_error(
    h: Harness,
) -> None:
    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        if event.correlation_id == "x":
            raise PermanentError("no such case")

    consumer = Recorder(pipeline(h, handle))
    attach(h.broker, topic=h.topic, group_id=h.group("svc"), handler=consumer)
    a, x, b = event("a"), event("x"), event("b")
    values = _encoded(a, x, b)
    h.waiting(values, headers={"source": "portal"})
    async with h.running():
        await h.until(lambda: _done(h, consumer, len(values)), "the batch done")
    [parked] = await h.dead_letters()
    poison = next(m for call in consumer.calls for m in call if m.value == values[1])
    assert (parked.topic, parked.value, parked.key) == (dead_letter(h.topic), values[1], KEY)
    assert {
        "dlq_error": "PermanentError: no such case",
        "dlq_service": "svc",
        "dlq_source_topic": h.topic,
        "dlq_source_partition": str(poison.partition),
        "dlq_source_offset": str(poison.offset),
        "source": "portal",  # the message's own headers are kept
    }.items() <= parked.headers.items()
    assert await processed(h.db) == _ids(a, b)


async def undecodable_messages_are_dead_lettered_and_the_rest_handled(h: Harness) -> None:
    consumer = Recorder(pipeline(h, _ignore))
    attach(h.broker, topic=h.topic, group_id=h.group("svc"), handler=consumer)
    garbage = [b"{not json", b"\xff\xfe not even utf-8", b'{"event_type": "case.routed"}']
    a = event("a")
    h.waiting([*garbage, *_encoded(a)])
    async with h.running():
        await h.until(lambda: _done(h, consumer, len(garbage) + 1), "the batch done")
    parked = await h.dead_letters()
    assert [m.value for m in parked] == garbage
    assert all(m.headers["dlq_error"].startswith("ValidationError") for m in parked)
    assert await processed(h.db) == _ids(a)


async def a_transient_failure_is_redelivered_not_dead_lettered(h: Harness) -> None:
    """The pipeline hands the batch back (`Redeliver`): the adapter nacks it, which seeks
    back to its first record; on the real broker it comes again until the database is back."""
    outage = [True]

    async def handle(session: AsyncSession, event: CaseEvent) -> None:
        if outage[0]:
            raise OperationalError("INSERT", {}, ConnectionRefusedError(111, "refused"))

    consumer = Recorder(pipeline(h, handle))
    attach(h.broker, topic=h.topic, group_id=h.group("svc"), handler=consumer)
    a, b = event("a"), event("b")
    h.waiting(_encoded(a, b))
    async with h.running():
        await h.until(lambda: h.settled()[:1] == [NACKED], "a nack")
        assert await processed(h.db) == set()
        if h.real:
            await h.until(lambda: len(consumer.calls) >= 3, "redeliveries")
            outage[0] = False
            await h.until(lambda: _done(h, consumer, 2), "the batch done")
            statuses = h.settled()
            first_ack = statuses.index(ACKED)
            assert set(statuses[:first_ack]) == {NACKED} and set(statuses[first_ack:]) == {ACKED}
            assert {call[0].offset for call in consumer.calls[:first_ack]} == {0}  # sought back
    assert await processed(h.db) == (_ids(a, b) if h.real else set())
    assert await h.dead_letters() == []


async def an_error_escaping_a_handler_is_nacked_not_acked(h: Harness) -> None:
    """FastStream acks a message whose handler raised (`AckPolicy.ACK`); the adapter turns
    any error into a nack, so the offset never moves past a message not handled."""
    failures = {"batched": 1, "single": 1}
    calls: dict[str, list[Message]] = {"batched": [], "single": []}

    def failing_once(name: str) -> Recorder:
        class Failing(Recorder):
            async def consume(self, messages: Sequence[Message]) -> None:
                calls[name].extend(messages)
                if failures[name]:
                    failures[name] -= 1
                    raise RuntimeError("a bug")

        return Failing()

    for name, size in (("batched", None), ("single", 1)):
        attach(
            h.broker, topic=h.topic, group_id=h.group(name), handler=failing_once(name), batch=size
        )
    value = _encoded(event("a"))
    h.waiting(value)
    expected = Counter({NACKED: 2, ACKED: 2} if h.real else {NACKED: 2})
    async with h.running():
        await h.until(lambda: Counter(h.settled()) == expected, "a nack, then an ack if real")
    for delivered in calls.values():
        assert [m.value for m in delivered] == value * (2 if h.real else 1)
        assert len({m.offset for m in delivered}) == 1  # the same record again


async def a_group_of_consumers_takes_each_message_once_in_key_order(h: Harness) -> None:
    """`attach(workers=2)`: two consumers in one group share the partitions; messages
    published together (`publish_many`) keep their order per key."""
    consumer = Recorder()
    attach(h.broker, topic=h.topic, group_id=h.group("svc"), handler=consumer, workers=2)
    messages = [
        Message(topic=h.topic, value=f"{case}{hop}".encode(), key=case.encode())
        for hop in range(4)
        for case in ("p", "q", "r")
    ]
    async with h.running():
        if h.real:
            await KafkaPublisher(h.broker).publish_many(messages)
        else:  # the test broker answers a send without confirmation with None, no future
            for message in messages:
                await KafkaPublisher(h.broker).publish(message)
        await h.until(lambda: len(consumer.values()) >= len(messages), "every message")
        await h.until(lambda: set(h.settled()) == {ACKED}, "every delivery done")
    assert sorted(consumer.values()) == sorted(m.value for m in messages)  # each once
    for case in "pqr":
        assert [v for v in consumer.values() if v.startswith(case.encode())] == [
            f"{case}{hop}".encode() for hop in range(4)
        ]


CASES = [
    an_event_reaches_each_group_once_with_its_key_and_headers,
    waiting_records_are_handled_in_one_call_and_one_transaction,
    a_poison_message_goes_alone_to_the_dead_letter_topic_with_its_error,
    undecodable_messages_are_dead_lettered_and_the_rest_handled,
    a_transient_failure_is_redelivered_not_dead_lettered,
    an_error_escaping_a_handler_is_nacked_not_acked,
    a_group_of_consumers_takes_each_message_once_in_key_order,
]
