"""How messages move: Kafka in production, an in-process bus in the embedded default.

Both carry the same bytes to the same consumer pipelines; only this module differs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

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


class Publisher(Protocol):
    async def publish(self, message: Message) -> None:
        """Return only once the transport has accepted the message durably."""


class InMemoryBus:
    """An in-process transport: per (topic, group) a queue and a worker, like a consumer group.

    Published messages are kept per topic (the embedded page shows them), offsets are
    positions in that list. A handler that raises `Redeliver` (or, against the pipelines'
    contract, anything else) gets the message again after a pause.
    """

    def __init__(self, *, redeliver_after_s: float = 1.0) -> None:
        self.topics: dict[str, list[Message]] = defaultdict(list)
        self._queues: dict[str, list[asyncio.Queue[Message]]] = defaultdict(list)
        self._workers: list[asyncio.Task[None]] = []
        self._redeliver_after_s = redeliver_after_s

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
        while True:
            message = await queue.get()
            try:
                await self._deliver(message, handler)
            finally:
                queue.task_done()

    async def _deliver(self, message: Message, handler: Handler) -> None:
        while True:
            try:
                await handler(message)
                return
            except Redeliver:
                log.warning("redelivering %s@%s later", message.topic, message.offset)
            except Exception:
                log.exception("redelivering %s@%s later", message.topic, message.offset)
            await asyncio.sleep(self._redeliver_after_s)
