"""Run services: each alone against Kafka (production), or all in one process (embedded)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from services.kit import heap, logs
from services.kit.health import add_probes
from services.kit.kafka import KafkaMonitor, KafkaPublisher, attach, make_broker
from services.kit.kafka_security import KafkaSecurity
from services.kit.loop import stop as loop_stop
from services.kit.metrics import DEFAULT_ALLOW
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
        # log_config=None: uvicorn's loggers go to the root handler (`services.kit.logs`)
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off", log_config=None
        )
        server = uvicorn.Server(config)
        # uvicorn takes SIGINT/SIGTERM while it serves; when it stops, everything stops.
        web = asyncio.create_task(server.serve())
        web.add_done_callback(lambda _: stop.set())
        tasks.append(web)
    await stop.wait()
    if server is not None:
        server.should_exit = True
    await loop_stop(tasks, timeout_s=STOP_TIMEOUT_S)  # one left running does not hold the exit


STOP_TIMEOUT_S = 20.0  # a loop still running this long after its cancellation is left behind


@dataclass
class OnKafka:
    """A service started on Kafka: its broker (consumers attached and running), its web app
    with the probes and `/metrics`, and the monitor sampling lag and the cluster."""

    service: Service
    broker: KafkaBroker
    publisher: Publisher
    app: FastAPI
    monitor: KafkaMonitor

    def loops(self) -> list[Coroutine[Any, Any, None]]:
        """The service's background loops and the monitor's, to run beside the consumers."""
        return [*self.service.background(publisher=self.publisher), self.monitor.run()]


@contextlib.asynccontextmanager
async def on_kafka(
    service: Service,
    *,
    bootstrap: str,
    workers: int = 1,
    security: KafkaSecurity | None = None,
    client_id: str | None = None,
) -> AsyncIterator[OnKafka]:
    """Attach `service`'s subscriptions, start the broker, build its web app; stop and
    dispose of everything at the end."""
    settings = getattr(service, "settings", None)
    broker = make_broker(
        bootstrap, client_id=client_id or f"pakn-{service.name}", security=security
    )
    publisher: Publisher = KafkaPublisher(broker)
    for sub in service.subscriptions(publisher=publisher):
        attach(
            broker,
            topic=sub.topic,
            group_id=sub.group_id,
            handler=sub.handler,
            workers=workers,
            batch=getattr(settings, "consumer_batch", None),
        )
    await broker.start()
    try:
        app = service.web()
        add_probes(
            app,
            service=service.name,
            metrics_allow=getattr(settings, "metrics_allow", DEFAULT_ALLOW),
        )
        monitor = KafkaMonitor(
            broker,
            service=service.name,
            max_lag=getattr(settings, "ready_max_lag", 0),
            interval_s=getattr(settings, "lag_sample_s", 10.0),
        )
        yield OnKafka(service, broker, publisher, app, monitor)
    finally:
        await broker.stop()
        await service.db.dispose()


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
    json_logs = getattr(getattr(service, "settings", None), "log_format", "text") == "json"
    logs.configure("json" if json_logs else "text", service=service.name)
    async with on_kafka(
        service, bootstrap=bootstrap, workers=workers, security=security
    ) as running:
        log.info("%s consuming from %s; web on http://%s:%d", service.name, bootstrap, host, port)
        heap.settle()  # what start-up built lives as long as the process
        await serve_until_stopped(running.app, host=host, port=port, loops=running.loops())


def wire_in_memory(bus: InMemoryBus, services: list[Service]) -> list[Coroutine[Any, Any, None]]:
    """Embedded: the same subscriptions and loops, on the in-process bus."""
    loops: list[Coroutine[Any, Any, None]] = []
    for service in services:
        for sub in service.subscriptions(publisher=bus):
            bus.subscribe(sub.topic, sub.handler)
        loops.extend(service.background(publisher=bus))
    return loops
