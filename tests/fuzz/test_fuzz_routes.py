"""No request gets a 5xx: every route of the three services, fuzzed from its OpenAPI
description with Schemathesis (on hypothesis), and every query and path parameter swept
with the values that used to break them (`²`, numbers beyond 64 bits, year 1 and 9999).

The app is the embedded default's (the three services' routes, the home page and the
probes) on freshly migrated SQLite files. The document is the full one (`full_openapi`):
the internal and hidden routes too, which the served `/openapi.json` leaves out. The
console and the staff pages are fuzzed twice: without a session (a redirect, 401 or 403,
never a 5xx) and logged in as the supervisor (who also holds the staff pass). The number
of examples per operation is bounded and derandomized, so a run is the same every time.

Its own tier, `fuzz` (some 25 s; marked by its directory, tests/conftest.py): `scripts/test`
runs it, the unit and component tiers leave it out (README, "The tests come in tiers").
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.schemas import OpenApiSchema

from services.embedded import Embedded
from services.kit.db import Database
from services.kit.web import full_openapi
from services.router.console.accounts import create_account
from tests.unit.databases import migrated_copy

EXAMPLES = 25  # per operation and mode (without, with a session)
NASTY = (
    "²",  # passes str.isdigit(), not int()
    "١٢",  # Arabic-Indic digits: int() takes them
    "0",
    "-1",
    str(2**63),
    str(2**64 + 1),
    "9" * 40,
    "0001-01-01",
    "9999-12-31",
    "1-01-01",
    "2024-02-30",
    "\x00",
    "%",
    "' OR 1=1 --",
    "ﬀ" * 300,
)
# Would end the logged-in run's session half-way through.
ENDS_SESSION = ("/can-bo/dang-xuat", "/can-bo/mat-khau")
SUPERVISOR, PASSWORD = "vpub.fuzz", "Kiểm-thử mờ " + secrets.token_urlsafe(12)
_LOGIN = re.compile(r'name="login_token" value="([^"]+)"')


class Recorder:
    """The app, with every server error written down (what was asked, what failed), and a
    lifespan whose shutdown closes the services' databases on the loop that used them."""

    def __init__(self, system: Embedded) -> None:
        self.system, self.app = system, system.web()
        self.crashes: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        started = False

        async def watch(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            query = scope.get("query_string", b"").decode("latin-1")
            self.crashes.append(f"{scope['method']} {scope['path']}?{query}: {error!r}"[:400])
            if not started:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for service in self.system.services:
                    await service.db.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return


@dataclass
class Figures:
    operations: set[str] = field(default_factory=set)
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    def record(self, label: str, status: int, case: Any) -> None:
        self.operations.add(label)
        self.examples += 1
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors.append(f"{label} → {status}: {case.as_curl_command()}"[:400])


def _in_thread(coroutine: Any) -> Any:
    with ThreadPoolExecutor(1) as pool:  # Alembic's env runs its own event loop
        return pool.submit(asyncio.run, coroutine).result()


async def _prepare(system: Embedded) -> None:
    """Migrated databases and a supervisor's account, on engines of their own."""
    for name in ("intake", "router", "notifier"):  # the files of Embedded's URLs
        migrated_copy(system.data_dir, name)
    db = Database(system.router.db.url)
    try:
        async with db.transaction() as session:
            await create_account(
                session,
                username=SUPERVISOR,
                password=PASSWORD,
                agency="VPUB",
                role="supervisor",
                agencies=system.router.core.agencies,
            )
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Recorder, OpenApiSchema]]:
    folder = tmp_path_factory.mktemp("fuzz")
    system = Embedded(folder / "embedded", base_url="https://pakn.gialai.gov.vn")
    _in_thread(_prepare(system))
    recorder = Recorder(system)
    schema = schemathesis.openapi.from_dict(full_openapi(recorder.app))
    schema.app = recorder
    try:
        yield recorder, schema
    finally:
        asgi.shutdown_lifespans()


def _logged_in(recorder: Recorder) -> asgi.ASGIClient:
    client = asgi.get_client(recorder)
    form = client.get("/can-bo/dang-nhap")
    found = _LOGIN.search(form.text)
    assert found, form.text[:500]
    response = client.post(
        "/can-bo/dang-nhap",
        data={"username": SUPERVISOR, "password": PASSWORD, "login_token": found.group(1)},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    assert client.get("/can-bo/", allow_redirects=False).status_code == 200
    return client


def _fuzz(schema: OpenApiSchema, client: asgi.ASGIClient, *, skip: tuple[str, ...] = ()) -> Figures:
    figures = Figures()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(skip):
            _fuzz_operation(operation, client, figures)
    return figures


def _fuzz_operation(operation: Any, client: asgi.ASGIClient, figures: Figures) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(session=client, allow_redirects=False)
        figures.record(label, response.status_code, case)

    run()


def _say(what: str, figures: Figures) -> None:
    counts = dict(sorted(figures.statuses.items()))
    print(f"\n{what}: {len(figures.operations)} operations, {figures.examples} examples, {counts}")


def test_no_generated_request_gets_a_server_error(fuzzed: tuple[Recorder, OpenApiSchema]) -> None:
    recorder, schema = fuzzed
    anonymous = _fuzz(schema, asgi.get_client(recorder))
    logged_in = _fuzz(schema, _logged_in(recorder), skip=ENDS_SESSION)
    _say("without a session", anonymous)
    _say("as the supervisor", logged_in)
    assert len(anonymous.operations) >= 40, sorted(anonymous.operations)
    assert anonymous.statuses[200] and logged_in.statuses[200]
    assert not anonymous.server_errors + logged_in.server_errors, recorder.crashes[:20]
    assert not recorder.crashes


def _parameters(schema: OpenApiSchema) -> Iterator[tuple[str, str, str]]:
    """(path, location, name) of every query and path parameter of every GET route."""
    for path, item in schema.raw_schema["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["in"] in ("query", "path"):
                yield path, parameter["in"], parameter["name"]


def test_the_values_that_used_to_break_parameters_get_a_4xx_or_a_page(
    fuzzed: tuple[Recorder, OpenApiSchema],
) -> None:
    recorder, schema = fuzzed
    failures, sent = [], 0
    for client in (asgi.get_client(recorder), _logged_in(recorder)):
        for path, where, name in _parameters(schema):
            for value in NASTY:
                params = {name: value} if where == "query" else {}
                url = path.replace("{" + name + "}", quote(value, safe=""))
                url = re.sub(r"\{[^}]+\}", "1", url)
                response = client.get(url, params=params, allow_redirects=False)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{path} {name}={value!r} → {response.status_code}")
    print(f"\ntargeted: {sent} requests, {len(failures)} server errors")
    assert sent > 300
    assert not failures, (failures[:20], recorder.crashes[:10])
