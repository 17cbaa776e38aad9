"""Readiness: a process is not ready while any of its loops is waiting out an outage.

Consumers, the outbox relay and the mailer report here when they meet a transient failure
(the database or the broker is away) and when they succeed again; the Kafka runner's
sampler (`services/runners.py`) reports a cluster it cannot reach and a consumer lag above
the service's `ready_max_lag`. `/readyz` answers 503 meanwhile, with each check and the
reasons, so an orchestrator or a load balancer stops sending HTTP traffic to a process
that cannot register anything, while `/healthz` (liveness) stays 200: the process is
fine and will carry on by itself when the outage ends. docs/decisions/0010-operations.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.kit.errors import NotReady as NotReady  # re-exported for the monitor
from services.kit.faults import is_transient
from services.kit.metrics import DEFAULT_ALLOW, add_metrics

OUTAGE_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tạm gián đoạn</title></head>
<body><main><h1>Hệ thống tạm thời gián đoạn</h1>
<p>Yêu cầu của Quý vị chưa được ghi nhận. Xin vui lòng gửi lại sau ít phút.</p>
</main></body></html>"""


@dataclass(frozen=True)
class Trouble:
    since: float  # time.monotonic() of the first failure of this outage
    error: str
    failures: int


# The checks `/readyz` lists: a component reporting here belongs to the first whose
# words its name contains ("intake consumer", "router outbox relay", "kafka", …).
CHECKS = (
    ("broker", ("kafka", "broker")),
    ("consumer_lag", ("lag",)),
    ("database", ("consumer", "relay", "mailer", "scheduler", "outbox", "database")),
)


def check_of(component: str) -> str:
    name = component.lower()
    for check, words in CHECKS:
        if any(word in name for word in words):
            return check
    return "other"


class Readiness:
    """Which components of this process are waiting for infrastructure, since when, why."""

    def __init__(self) -> None:
        self._troubles: dict[str, Trouble] = {}

    def down(self, component: str, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}"[:300]
        known = self._troubles.get(component)
        since, failures = (known.since, known.failures) if known else (time.monotonic(), 0)
        self._troubles[component] = Trouble(since=since, error=text, failures=failures + 1)

    def up(self, component: str) -> None:
        self._troubles.pop(component, None)

    @property
    def ready(self) -> bool:
        return not self._troubles

    def failures(self, component: str) -> int:
        """Consecutive failures of `component` in the current outage (0: it is fine)."""
        known = self._troubles.get(component)
        return known.failures if known else 0

    def report(self) -> dict[str, object]:
        """`ready`, each check (`ok` or `failing` with the components behind it) and what
        is waiting, since when and why. A consumer or a relay that cannot reach the
        database or the broker is listed under `database` unless its error is the broker's
        (it reports the error it met, `waiting` says which)."""
        now = time.monotonic()
        checks: dict[str, dict[str, object]] = {
            name: {"status": "ok"} for name, _ in (*CHECKS, ("other", ()))
        }
        for component, trouble in sorted(self._troubles.items()):
            name = _check_of_trouble(component, trouble)
            entry = checks[name]
            entry["status"] = "failing"
            reasons = entry.setdefault("reasons", [])
            assert isinstance(reasons, list)
            reasons.append(f"{component}: {trouble.error}")
        if checks["other"]["status"] == "ok":
            del checks["other"]
        return {
            "ready": self.ready,
            "checks": checks,
            "waiting": {
                name: {
                    "for_s": round(now - trouble.since, 1),
                    "failures": trouble.failures,
                    "error": trouble.error,
                }
                for name, trouble in sorted(self._troubles.items())
            },
        }

    def reset(self) -> None:
        self._troubles.clear()


def _check_of_trouble(component: str, trouble: Trouble) -> str:
    check = check_of(component)
    if check == "database" and _is_broker_error(trouble.error):
        return "broker"
    return check


def _is_broker_error(text: str) -> bool:
    head = text.split(":", 1)[0]
    return "Kafka" in head or head in {"NodeNotReadyError", "RequestTimedOutError"}


# One per process: in the embedded default the three services share it, and the process
# is not ready if any of them is waiting.
readiness = Readiness()


def backoff_s(failures: int, *, base_s: float, cap_s: float) -> float:
    """Exponential back-off after `failures` consecutive failures, never above `cap_s`."""
    return float(min(cap_s, base_s * 2 ** max(0, min(failures - 1, 30))))


def add_probes(
    app: FastAPI,
    *,
    service: str,
    extra: dict[str, str] | None = None,
    metrics_allow: str | None = DEFAULT_ALLOW,
) -> None:
    """`/healthz` (the process lives), `/readyz` (it can do its work now) and `/metrics`
    (Prometheus, for the addresses in `metrics_allow`; None: no such route); a request
    that meets a database outage gets 503 with Retry-After and a page that says nothing was
    recorded, instead of a bare 500."""
    details = {"service": service, **(extra or {})}
    if metrics_allow is not None:
        add_metrics(app, allow=metrics_allow)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, object]:
        return {"status": "ok", **details}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        body = {**details, **readiness.report()}
        return JSONResponse(body, status_code=200 if readiness.ready else 503)

    app.add_exception_handler(Exception, outage_response)


async def outage_response(request: Request, error: Exception) -> Response:
    """503 for an outage (the client may retry: nothing was recorded), else a plain 500."""
    if not is_transient(error):
        return Response("Lỗi máy chủ.", status_code=500, media_type="text/plain; charset=utf-8")
    headers = {"Retry-After": "30"}
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(OUTAGE_PAGE, status_code=503, headers=headers)
    body = {"detail": "Hệ thống tạm thời gián đoạn; yêu cầu chưa được ghi nhận, xin gửi lại sau."}
    return JSONResponse(body, status_code=503, headers=headers)
