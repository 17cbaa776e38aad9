"""`pakn topics` refuses topics that can deliver a record again after the services have
forgotten applying it (services/provision.py)."""

from __future__ import annotations

from schemas.topics import Topics
from services.provision import deduplicated_topics, horizon_days, replay_problems

WEEK_MS = str(7 * 86_400_000)
REMEMBERED = {"intake": 30, "router": 20, "notifier": 30}


def test_a_record_can_be_read_until_its_segment_has_expired_whole() -> None:
    assert horizon_days({"retention.ms": WEEK_MS, "segment.ms": WEEK_MS}) == 14
    assert horizon_days({"retention.ms": "-1", "segment.ms": WEEK_MS}) is None


def test_the_broker_defaults_are_shorter_than_the_services_memory() -> None:
    assert replay_problems({"pakn.case.events": 14.0}, REMEMBERED) == []


def test_a_topic_kept_as_long_as_the_shortest_memory_is_refused_by_name() -> None:
    [problem] = replay_problems({"pakn.intake": 20.0, "pakn.case.events": 14.0}, REMEMBERED)

    assert problem.startswith("topic pakn.intake giữ bản ghi tới 20 ngày")
    assert "PAKN_ROUTER_DEDUPE_DAYS" in problem  # the service that forgets first


def test_a_topic_kept_for_ever_is_refused() -> None:
    [problem] = replay_problems({"pakn.agency.actions": None}, REMEMBERED)

    assert "vô thời hạn" in problem


def test_the_compacted_reference_data_is_not_checked() -> None:
    topics = Topics("pakn")

    assert deduplicated_topics(topics) == [topics.intake, topics.case_events, topics.agency_actions]
