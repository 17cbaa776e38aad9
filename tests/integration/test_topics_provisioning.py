"""`pakn topics` creates every topic on the real broker, once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from schemas.topics import Topics, dead_letter
from services.router.cutover import all_agencies


def _pakn_topics(kafka: str, namespace: str) -> str:
    env = {
        **os.environ,
        "PAKN_ROUTER_KAFKA_BOOTSTRAP": kafka,
        "PAKN_ROUTER_TOPIC_NAMESPACE": namespace,
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "topics"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
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
