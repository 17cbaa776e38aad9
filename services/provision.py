"""`pakn topics`: create every topic the system uses before the services start.

Auto-creation hides typos and gives each topic the broker's defaults; production provisions
explicitly: the fixed topics, their dead-letter topics, and one queue per agency.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from schemas.topics import Topics, dead_letter, is_compacted
from services.router.domain.agencies import AgencyRegistry


def wanted_topics(topics: Topics, agencies: AgencyRegistry) -> list[str]:
    fixed = topics.all_fixed()
    queues = [topics.agency_queue(code) for code in agencies.codes]
    return [*fixed, *(dead_letter(t) for t in fixed), *queues]


async def create_topics(
    bootstrap: str,
    names: list[str],
    *,
    partitions: int,
    replication: int,
    client: dict[str, Any] | None = None,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created. `client` carries
    the security settings (on a secured cluster, a principal allowed to create topics)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(client or {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            new = [
                NewTopic(
                    n,
                    num_partitions=partitions,
                    replication_factor=replication,
                    topic_configs={"cleanup.policy": "compact"} if is_compacted(n) else {},
                )
                for n in missing
            ]
            # Another admin may create some meanwhile: they exist, which is what we want.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
        return missing
    finally:
        await admin.close()
