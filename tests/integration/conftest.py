"""Real infrastructure for integration tests. A missing service is a failure, never a skip."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from schemas.topics import Topics, dead_letter
from services.kit.migrate import upgrade
from tests.conftest import KAFKA, PG_DSN, free_port
from tests.support import MailSink, start_smtp


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
        conn = await asyncpg.connect(f"{PG_DSN}/postgres", timeout=10)
    except Exception as error:
        pytest.fail(f"no PostgreSQL at {PG_DSN} (start it with deploy/postgres.sh start): {error}")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = f"{PG_DSN.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    await asyncio.to_thread(upgrade, url)
    return url


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
