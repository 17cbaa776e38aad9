"""`pakn topics` on the real broker: every topic created once, and the topics that would
deliver a record again after the services forget applying it refused."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from schemas.topics import Topics, dead_letter
from services.provision import TopicConfigError, replay_horizons
from services.router.cutover import all_agencies


def _run_topics(kafka: str, namespace: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PAKN_ROUTER_KAFKA_BOOTSTRAP": kafka,
        "PAKN_ROUTER_TOPIC_NAMESPACE": namespace,
    }
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "topics"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _pakn_topics(kafka: str, namespace: str) -> str:
    done = _run_topics(kafka, namespace)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_every_topic_is_created_and_a_second_run_creates_none(kafka: str) -> None:
    topics = Topics(f"prov{uuid.uuid4().hex[:8]}")
    codes = all_agencies().codes  # every period's agencies: 2023, March and July 2025
    first = _pakn_topics(kafka, topics.namespace)
    again = _pakn_topics(kafka, topics.namespace)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        [described] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics.reference_data)]
        )
    finally:
        await admin.close()
    # The reference data keeps the latest of each kind for a notifier started later.
    configs = {entry[0]: entry[1] for entry in described.resources[0][4]}
    assert configs["cleanup.policy"] == "compact"
    expected = {topics.intake, dead_letter(topics.case_events), topics.agency_queue("STNMT")}
    assert expected <= existing
    assert len([t for t in existing if t.startswith(topics.namespace + ".")]) == 8 + len(codes)
    assert first.startswith(f"{8 + len(codes)} topic(s) created")
    assert again.startswith("0 topic(s) created")


async def test_a_topic_kept_longer_than_the_services_remember_is_refused(kafka: str) -> None:
    topics = Topics(f"prov{uuid.uuid4().hex[:8]}")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:  # an operator kept the case events for 60 days
        sixty_days = str(60 * 86_400_000)
        await admin.create_topics(
            [NewTopic(topics.case_events, 1, 1, topic_configs={"retention.ms": sixty_days})]
        )
    finally:
        await admin.close()

    done = _run_topics(kafka, topics.namespace)

    assert done.returncode == 1
    assert done.stdout.startswith(f"{7 + len(all_agencies().codes)} topic(s) created")
    assert f"topic {topics.case_events} giữ bản ghi tới 67 ngày" in done.stderr
    assert topics.intake not in done.stderr  # the broker's defaults: 14 days


async def test_a_topic_the_broker_cannot_describe_is_an_error_not_a_pass(kafka: str) -> None:
    missing = f"prov{uuid.uuid4().hex[:8]}.intake"

    with pytest.raises(TopicConfigError, match=missing):
        await replay_horizons(kafka, [missing])
