"""What a service exposes to the runners: its subscriptions, background loops and web app."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI

from services.kit.db import Database
from services.kit.transport import Handler, Publisher


@dataclass(frozen=True)
class Subscription:
    topic: str
    group_id: str
    handler: Handler


class Service(Protocol):
    name: str
    db: Database

    def subscriptions(self, *, publisher: Publisher) -> list[Subscription]:
        """The topics it consumes; `publisher` is for dead letters."""

    def background(self, *, publisher: Publisher) -> list[Coroutine[Any, Any, None]]:
        """Loops to run beside the consumers: the outbox relay, the mailer, the scheduler."""

    def web(self) -> FastAPI:
        """Its pages and HTTP API."""
