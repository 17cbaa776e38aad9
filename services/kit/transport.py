"""How messages move: Kafka in production, an in-process bus in the embedded default.

Both carry the same bytes to the same consumer pipelines; only this module differs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from services.kit.errors import Redeliver as Redeliver  # re-exported: its home before errors.py

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    topic: str
    value: bytes
    key: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    partition: int | None = None
    offset: int | None = None


Handler = Callable[[Message], Awaitable[None]]


@runtime_checkable
class BatchHandler(Protocol):
    """A handler that also takes several messages at once (the consumer pipelines).

    `consume` returns only when every message was handled or parked (the transport may then
    commit past all of them) and raises otherwise: none of them counts as done.
    """

    async def __call__(self, message: Message) -> None: ...

    async def consume(self, messages: Sequence[Message]) -> None: ...


class Publisher(Protocol):
    async def publish(self, message: Message) -> None:
        """Return only once the transport has accepted the message durably."""


async def publish_all(publisher: Publisher, messages: Sequence[Message]) -> None:
    """Publish `messages` in order, at once where the transport can (`publish_many`): return
    only when all were accepted durably; raise if any was not (then any may have been)."""
    many = getattr(publisher, "publish_many", None)
    if many is not None:
        await many(messages)
        return
    for message in messages:
        await publisher.publish(message)


class InMemoryBus:
    """An in-process transport: per (topic, group) a queue and a worker, like a consumer group.

    Published messages are kept per topic (the embedded page shows them), offsets are
    positions in that list. A worker hands a `BatchHandler` what is waiting in its queue, up
    to `batch` messages at once, in order. A handler that raises `Redeliver` (or, against
    the pipelines' contract, anything else) gets the same messages again after a pause.
    """

    def __init__(self, *, redeliver_after_s: float = 1.0, batch: int = 100) -> None:
        self.topics: dict[str, list[Message]] = defaultdict(list)
        self._queues: dict[str, list[asyncio.Queue[Message]]] = defaultdict(list)
        self._workers: list[asyncio.Task[None]] = []
        self._redeliver_after_s = redeliver_after_s
        self._batch = max(1, batch)

    def subscribe(self, topic: str, handler: Handler) -> None:
        queue: asyncio.Queue[Message] = asyncio.Queue()
        self._queues[topic].append(queue)
        self._workers.append(asyncio.create_task(self._work(queue, handler)))

    async def publish(self, message: Message) -> None:
        stored = Message(
            topic=message.topic,
            value=message.value,
            key=message.key,
            headers=dict(message.headers),
            partition=0,
            offset=len(self.topics[message.topic]),
        )
        self.topics[message.topic].append(stored)
        for queue in self._queues.get(message.topic, []):
            queue.put_nowait(stored)

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until every queued message has been handled (tests, shutdown)."""
        async with asyncio.timeout(timeout_s):
            for queues in list(self._queues.values()):
                for queue in queues:
                    await queue.join()

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()

    async def _work(self, queue: asyncio.Queue[Message], handler: Handler) -> None:
        batched = isinstance(handler, BatchHandler) and self._batch > 1
        while True:
            messages = [await queue.get()]
            while batched and len(messages) < self._batch and not queue.empty():
                messages.append(queue.get_nowait())
            try:
                await self._deliver(messages, handler)
            finally:
                for _ in messages:
                    queue.task_done()

    async def _deliver(self, messages: list[Message], handler: Handler) -> None:
        first = messages[0]
        while True:
            try:
                if isinstance(handler, BatchHandler) and len(messages) > 1:
                    await handler.consume(messages)
                else:
                    await handler(first)
                return
            except Redeliver:
                log.warning(
                    "redelivering %s@%s (%d) later", first.topic, first.offset, len(messages)
                )
            except Exception:
                log.exception(
                    "redelivering %s@%s (%d) later", first.topic, first.offset, len(messages)
                )
            await asyncio.sleep(self._redeliver_after_s)
