"""Real infrastructure for integration tests. A missing service is a failure, never a skip."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from schemas.topics import Topics, dead_letter
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.runtime import Service
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.conftest import KAFKA, PG_DSN, free_port
from tests.integration.restartable_pg import RestartablePostgres, migrated_database
from tests.support import MailSink, RunningService, start_smtp


@pytest.fixture(scope="session")
async def kafka() -> str:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=10_000)
    try:
        await asyncio.wait_for(admin.start(), timeout=30)
    except Exception as error:
        pytest.fail(f"no Kafka broker at {KAFKA} (start it with deploy/kafka.sh start): {error}")
    await admin.close()
    return KAFKA


@pytest.fixture
async def topics(kafka: str) -> Topics:
    """A fresh topic namespace per test, its topics created up front (3 partitions)."""
    names = Topics(f"t{uuid.uuid4().hex[:10]}")
    wanted = [*names.all_fixed(), *(dead_letter(t) for t in names.all_fixed())]
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(t, num_partitions=3, replication_factor=1) for t in wanted]
        )
    finally:
        await admin.close()
    return names


_CREATED: list[str] = []


async def _pg_database() -> str:
    """Create and migrate a database; all are dropped when the session ends."""
    name = f"pakn_test_{uuid.uuid4().hex[:12]}"
    _CREATED.append(name)
    try:
        return await migrated_database(PG_DSN, name)
    except OSError as error:
        pytest.fail(f"no PostgreSQL at {PG_DSN} (start it with deploy/postgres.sh start): {error}")


@pytest.fixture(scope="session", autouse=True)
async def _drop_test_databases() -> AsyncIterator[None]:
    yield
    if not _CREATED:
        return
    conn = await asyncpg.connect(f"{PG_DSN}/postgres")
    try:
        for name in _CREATED:
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except asyncpg.PostgresError as error:  # e.g. a server process we may not end
                print(f"could not drop test database {name}: {error}")
    finally:
        await conn.close()


@pytest.fixture
async def pg_url() -> str:
    """A freshly created and migrated PostgreSQL database."""
    return await _pg_database()


@pytest.fixture
def smtp() -> Iterator[tuple[int, MailSink]]:
    port = free_port()
    controller, sink = start_smtp(port)
    yield port, sink
    controller.stop()


async def three_services(
    kafka: str, topics: Topics, *, smtp_port: int, **intake: Any
) -> tuple[IntakeService, RouterService, NotifierService]:
    """Intake, router and notifier, each on its own fresh PostgreSQL database."""
    common: dict[str, Any] = {"kafka_bootstrap": kafka, "topic_namespace": topics.namespace}
    return (
        IntakeService(IntakeSettings(database_url=await _pg_database(), **intake, **common)),
        RouterService(RouterSettings(database_url=await _pg_database(), **common)),
        NotifierService(
            NotifierSettings(
                database_url=await _pg_database(),
                smtp_port=smtp_port,
                mail_poll_s=0.1,
                public_base_url="https://pakn.gialai.gov.vn",  # required by web()
                **common,
            )
        ),
    )


@asynccontextmanager
async def running(kafka: str, *services: Service) -> AsyncIterator[None]:
    """Every service consuming from the real broker until the block ends."""
    async with AsyncExitStack() as stack:
        for service in services:
            await stack.enter_async_context(RunningService(service, bootstrap=kafka))
        yield


@pytest.fixture
async def own_pg() -> AsyncIterator[RestartablePostgres]:
    """A PostgreSQL server of the test's own, which it may stop and start at will."""
    server = RestartablePostgres()
    await server.start()
    try:
        yield server
    finally:
        await server.remove()
