"""`pakn topics`: create every topic the system uses before the services start.

Auto-creation hides typos and gives each topic the broker's defaults; production provisions
explicitly: the fixed topics, their dead-letter topics, and one queue per agency.

It then checks that the services remember the events they applied for longer than the
topics they consume can deliver them again (`replay_problems`): a consumer group that starts
again from the earliest record re-reads records up to `retention.ms + segment.ms` old (the
broker deletes a segment whole once its newest record has expired), and an event whose
`processed_event` record was already deleted (`DEDUPE_DAYS`, services/kit/retention.py)
would be applied twice.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from schemas.topics import Topics, dead_letter, is_compacted
from services.kit.errors import PaknError
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


_DAY_MS = 86_400_000


def deduplicated_topics(topics: Topics) -> list[str]:
    """The topics the services consume with their `processed_event` records (the compacted
    reference data is applied by version, whatever its age)."""
    return [t for t in topics.all_fixed() if not is_compacted(t)]


async def replay_horizons(
    bootstrap: str, names: list[str], *, client: dict[str, Any] | None = None
) -> dict[str, float | None]:
    """How many days old a record of each topic can be when read (None: kept for ever)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(client or {}))
    await admin.start()
    try:
        described = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
    finally:
        await admin.close()
    horizons: dict[str, float | None] = {}
    for response in described:
        for error_code, error_message, _type, name, entries, *_ in response.resources:
            if error_code:
                raise TopicConfigError(f"{name}: {error_message or error_code}")
            horizons[name] = horizon_days({entry[0]: entry[1] for entry in entries})
    return horizons


class TopicConfigError(PaknError, RuntimeError):
    """The broker did not describe a topic's configuration (missing, or not allowed)."""


def horizon_days(configs: dict[str, str | None]) -> float | None:
    """`retention.ms + segment.ms` in days, None when records are kept for ever."""
    retention = int(configs.get("retention.ms") or -1)
    if retention < 0:
        return None
    return (retention + int(configs.get("segment.ms") or 0)) / _DAY_MS


def replay_problems(horizons: dict[str, float | None], dedupe_days: dict[str, int]) -> list[str]:
    """What to fix (in Vietnamese, for the operator) when a topic can deliver a record again
    after a service has forgotten applying it; [] when every service remembers long enough."""
    service, days = min(dedupe_days.items(), key=lambda item: item[1])
    problems = []
    for topic, horizon in sorted(horizons.items()):
        if horizon is None or horizon >= days:
            kept = "vô thời hạn" if horizon is None else f"tới {horizon:g} ngày"
            problems.append(
                f"topic {topic} giữ bản ghi {kept} (retention.ms + segment.ms), nhưng "
                f"{service} chỉ nhớ sự kiện đã xử lý {days} ngày: đặt "
                f"PAKN_{service.upper()}_DEDUPE_DAYS (và của các dịch vụ khác) lớn hơn, "
                "hoặc giảm retention.ms của topic"
            )
    return problems
