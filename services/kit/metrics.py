"""Prometheus metrics of every service (prometheus-client, the standard library of the
Prometheus project) and the `/metrics` endpoint that serves them.

The metrics live in the client's default registry, with the process collectors it
installs (CPU, memory, open files): one registry per process, so in the embedded default
the three services share it and their series differ by the `service` label.

Labels are bounded on purpose: a service, a topic (the fixed topics and one queue per
agency), an outcome, a partition, an agency code, a deadline stage. Never a case id, an
event id, an address or anything a citizen wrote: those belong in the logs
(`services.kit.logs`), which carry ids, not in series.

`/metrics` is an internal route (left out of the public OpenAPI document) and answers only
clients whose address is in the service's `metrics_allow` list (by default this machine)
and requests that did not come through a proxy (no forwarding header): a reverse proxy on
the same machine forwards the public's requests from 127.0.0.1, and must not make the
metrics public. docs/decisions/0010-operations.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

DEFAULT_ALLOW = "127.0.0.1/32,::1/128"
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host")

# --- the consumer pipelines (services/kit/consumer.py) ------------------------------------

MESSAGES = Counter(
    "pakn_messages",
    "Messages a consumer pipeline finished with, by outcome: handled (applied), duplicate "
    "(already processed: redelivered or twice in a batch), ignored (an event the service "
    "does nothing with), parked (dead-lettered), retried "
    "(a transient failure: the batch is tried again)",
    ["service", "topic", "outcome"],
)
DEAD_LETTERS = Counter(
    "pakn_dead_letters",
    "Messages published to a dead-letter topic, by source topic",
    ["service", "topic"],
)
BATCH_SIZE = Histogram(
    "pakn_batch_size",
    "Messages per batch a consumer pipeline takes in one transaction",
    ["service", "topic"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10_000),
)
HANDLER_SECONDS = Histogram(
    "pakn_handler_seconds",
    "Time a service's handler takes for one event (inside the batch's transaction)",
    ["service", "topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BATCH_SECONDS = Histogram(
    "pakn_batch_seconds",
    "Time one attempt at a batch takes, archive to commit and parking",
    ["service", "topic"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

# --- Kafka consumers (services/runners.py samples them) -----------------------------------

CONSUMER_LAG = Gauge(
    "pakn_consumer_lag",
    "Records on the partition not yet taken by this process's consumer (highwater minus "
    "position), at the last sample",
    ["service", "group", "topic", "partition"],
)
BROKER_UP = Gauge(
    "pakn_broker_up", "1 if the last check reached the Kafka cluster, else 0", ["service"]
)

# --- the outbox (services/kit/outbox.py) --------------------------------------------------

OUTBOX_PENDING = Gauge(
    "pakn_outbox_pending", "Outbox rows not yet published, at the last look", ["service"]
)
OUTBOX_PUBLISHED = Counter(
    "pakn_outbox_published", "Events the outbox relay published and marked", ["service"]
)
OUTBOX_FAILURES = Counter(
    "pakn_outbox_failures", "Relay rounds that failed (nothing marked; sent again)", ["service"]
)
RETENTION_DELETED = Counter(
    "pakn_retention_deleted",
    "Rows deleted past their retention: published outbox rows, processed-event records",
    ["service", "table"],
)

# --- the notifier's mailer and the router's scheduler -------------------------------------

MAILS = Counter(
    "pakn_mails",
    "Mail deliveries attempted, by outcome: sent, failed, uncertain, retried (a temporary "
    "refusal: tried again later), returned (given back before reaching the server)",
    ["outcome"],
)
CASES_OVERDUE = Gauge(
    "pakn_cases_overdue",
    "Open cases past a deadline (router scheduler, at its last pass), by agency and stage",
    ["agency", "stage"],
)


def set_overdue(counts: Mapping[tuple[str, str], int]) -> None:
    """Replace the overdue gauge with `counts` per (agency, stage): a stage no longer
    overdue anywhere drops to nothing instead of keeping its last value."""
    CASES_OVERDUE.clear()
    for (agency, stage), count in sorted(counts.items()):
        CASES_OVERDUE.labels(agency=agency, stage=stage).set(count)


# --- the endpoint -------------------------------------------------------------------------


def parse_allow(allow: str | Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`"127.0.0.1/32, 10.0.0.0/8"` (addresses or networks) as networks; empty: none."""
    items = allow.split(",") if isinstance(allow, str) else list(allow)
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip()]


def allowed(
    request: Request, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    """A direct request (no forwarding header) from an address in `networks`."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def add_metrics(
    app: FastAPI, *, allow: str = DEFAULT_ALLOW, registry: CollectorRegistry = REGISTRY
) -> None:
    """`GET /metrics`: the text exposition, for allowed clients only (404 for the others,
    as if there were no such page). An empty `allow` serves it to nobody."""
    networks = parse_allow(allow)

    # async: rendered on the event loop, so a scrape never sees a gauge half rewritten
    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not allowed(request, networks):
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
