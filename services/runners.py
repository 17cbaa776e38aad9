"""Run services: each alone against Kafka (production), or all in one process (embedded)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from typing import Any

import uvicorn
from fastapi import FastAPI

from services.kit.health import add_probes
from services.kit.kafka import KafkaPublisher, attach, make_broker
from services.kit.kafka_security import KafkaSecurity
from services.kit.runtime import Service
from services.kit.transport import InMemoryBus, Publisher

log = logging.getLogger(__name__)


async def serve_until_stopped(
    app: FastAPI | None, *, host: str, port: int, loops: list[Coroutine[Any, Any, None]]
) -> None:
    """Run the web app (if any) and the background loops until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(coro) for coro in loops]
    server = None
    if app is not None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        # uvicorn takes SIGINT/SIGTERM while it serves; when it stops, everything stops.
        web = asyncio.create_task(server.serve())
        web.add_done_callback(lambda _: stop.set())
        tasks.append(web)
    await stop.wait()
    if server is not None:
        server.should_exit = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def run_on_kafka(
    service: Service,
    *,
    bootstrap: str,
    host: str,
    port: int,
    workers: int = 1,
    security: KafkaSecurity | None = None,
) -> None:
    """Production: one service, its consumers on Kafka, its relay and its web app."""
    broker = make_broker(bootstrap, client_id=f"pakn-{service.name}", security=security)
    publisher: Publisher = KafkaPublisher(broker)
    for sub in service.subscriptions(publisher=publisher):
        attach(
            broker,
            topic=sub.topic,
            group_id=sub.group_id,
            handler=sub.handler,
            workers=workers,
            batch=getattr(getattr(service, "settings", None), "consumer_batch", None),
        )
    await broker.start()
    log.info("%s consuming from %s; web on http://%s:%d", service.name, bootstrap, host, port)
    app = service.web()
    add_probes(app, service=service.name)
    try:
        await serve_until_stopped(
            app, host=host, port=port, loops=service.background(publisher=publisher)
        )
    finally:
        await broker.stop()
        await service.db.dispose()


def wire_in_memory(bus: InMemoryBus, services: list[Service]) -> list[Coroutine[Any, Any, None]]:
    """Embedded: the same subscriptions and loops, on the in-process bus."""
    loops: list[Coroutine[Any, Any, None]] = []
    for service in services:
        for sub in service.subscriptions(publisher=bus):
            bus.subscribe(sub.topic, sub.handler)
        loops.extend(service.background(publisher=bus))
    return loops
