"""Access on the secured three-node cluster (issue 13, part 2): TLS and SCRAM for every
client, and the ACLs `pakn acls` derives from the agencies data."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from schemas.topics import Topics
from services.acls import agency_user, user
from tests.integration.secured_cluster import ROOT, SecuredCluster, running_cluster

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def cluster() -> Iterator[SecuredCluster]:
    yield from running_cluster()


@pytest.fixture(scope="module")
def granted(cluster: SecuredCluster, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """A namespace of its own: its topics, and `pakn acls` run for it."""
    topics = Topics(f"acl{uuid.uuid4().hex[:8]}")
    credentials = tmp_path_factory.mktemp("credentials")
    env = {
        **os.environ,
        **cluster.settings,
        "PAKN_ROUTER_TOPIC_NAMESPACE": topics.namespace,
    }
    run = subprocess.run(
        [sys.executable, "-m", "services.cli", "acls", "--credentials", str(credentials)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    names = [topics.case_events, topics.agency_actions, *map(topics.agency_queue, QUEUES)]

    async def create() -> None:
        admin = AIOKafkaAdminClient(**cluster.admin())
        await admin.start()
        try:
            await admin.create_topics([NewTopic(n, 3, 3) for n in names])
        finally:
            await admin.close()

    asyncio.run(create())
    return topics, credentials


QUEUES = ("X23575", "SYT", "STNMT")


def _password(credentials: Path, name: str) -> str:
    return (credentials / f"{name}.password").read_text().strip()


async def _write(cluster: SecuredCluster, who: tuple[str, str], topic: str) -> None:
    producer = AIOKafkaProducer(enable_idempotence=True, request_timeout_ms=10000,
                                **cluster.client(*who))  # fmt: skip
    try:
        await producer.start()  # an idempotent producer needs WRITE on some topic to start
        await producer.send_and_wait(topic, b"{}", key=b"case-1")
    finally:
        await producer.stop()


async def _read(cluster: SecuredCluster, who: tuple[str, str], topic: str, group: str) -> int:
    consumer = AIOKafkaConsumer(
        topic, group_id=group, auto_offset_reset="earliest", **cluster.client(*who)
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=8000)
        await consumer.commit()
        return sum(len(records) for records in batches.values())
    finally:
        await consumer.stop()


def _who(granted: tuple, name: str) -> tuple[str, str]:
    return name, _password(granted[1], name)


def test_no_client_without_tls_and_a_valid_password(cluster: SecuredCluster) -> None:
    async def plain() -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=cluster.bootstrap, request_timeout_ms=4000)
        try:
            await asyncio.wait_for(consumer.start(), 20)
        finally:
            await consumer.stop()

    with pytest.raises((KafkaConnectionError, KafkaError, asyncio.TimeoutError)):
        asyncio.run(plain())
    with pytest.raises(KafkaError):
        asyncio.run(_write(cluster, ("admin", "not-the-password"), "anything"))


def test_the_router_writes_a_queue_and_only_its_agency_reads_it(
    cluster: SecuredCluster, granted: tuple
) -> None:
    topics = granted[0]
    queue = topics.agency_queue("X23575")
    asyncio.run(_write(cluster, _who(granted, user(topics, "router")), queue))
    commune = _who(granted, agency_user(topics, "X23575"))
    assert asyncio.run(_read(cluster, commune, queue, topics.group("agency-x23575-sync"))) == 1
    other = _who(granted, agency_user(topics, "SYT"))
    with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        asyncio.run(_read(cluster, other, queue, topics.group("agency-syt")))
    with pytest.raises((TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        asyncio.run(_read(cluster, commune, topics.case_events, topics.group("agency-x23575")))
    intake = _who(granted, user(topics, "intake"))
    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(_write(cluster, intake, queue))


def test_no_agency_writes_the_shared_actions_topic(cluster: SecuredCluster, granted: tuple) -> None:
    """Agencies act through the HTTP API (docs/agency-integration.md §2); an abolished
    agency still reads its old queue."""
    topics = granted[0]
    for code in ("X23575", "STNMT"):  # in force; merged into SNNMT on 1 Mar 2025
        agency = _who(granted, agency_user(topics, code))
        with pytest.raises((TopicAuthorizationFailedError, ClusterAuthorizationFailedError)):
            asyncio.run(_write(cluster, agency, topics.agency_actions))
    former = _who(granted, agency_user(topics, "STNMT"))
    queue = topics.agency_queue("STNMT")
    assert asyncio.run(_read(cluster, former, queue, topics.group("agency-stnmt"))) == 0
