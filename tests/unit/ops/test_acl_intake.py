"""The intake's grants: it reads the case events too, in a group of its own, for the
receipt's agency and deadlines (issue 14), and parks what it cannot read of them."""

from __future__ import annotations

from pathlib import Path

from schemas.topics import Topics
from services.acls import plan
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.kit.settings import data_dir_url
from services.kit.transport import InMemoryBus
from services.router.cutover import all_agencies

TOPICS = Topics("pakn")


def _intake_grants() -> set[tuple[str, str, str, str]]:
    return {
        (g.operation, g.resource, g.name, g.pattern)
        for g in plan(TOPICS, all_agencies())
        if g.principal == "User:pakn-intake"
    }


def test_the_intake_reads_its_topic_and_the_case_events_in_its_own_groups() -> None:
    assert _intake_grants() == {
        ("READ", "TOPIC", "pakn.intake.submissions", "LITERAL"),
        ("DESCRIBE", "TOPIC", "pakn.intake.submissions", "LITERAL"),
        ("READ", "GROUP", "pakn-intake", "LITERAL"),
        ("READ", "TOPIC", "pakn.case.events", "LITERAL"),
        ("DESCRIBE", "TOPIC", "pakn.case.events", "LITERAL"),
        ("READ", "GROUP", "pakn-intake-routing", "LITERAL"),
        ("WRITE", "TOPIC", "pakn.case.events", "LITERAL"),
        ("WRITE", "TOPIC", "pakn.intake.submissions.dlq", "LITERAL"),
        ("DESCRIBE", "TOPIC", "pakn.intake.submissions.dlq", "LITERAL"),
        ("WRITE", "TOPIC", "pakn.case.events.dlq", "LITERAL"),
        ("DESCRIBE", "TOPIC", "pakn.case.events.dlq", "LITERAL"),
    }


def test_every_subscription_of_the_intake_is_granted(tmp_path: Path) -> None:
    settings = IntakeSettings(
        database_url=data_dir_url(tmp_path, "intake"), public_base_url="https://pakn.test"
    )
    service = IntakeService(settings)
    reads = {(name, kind) for op, kind, name, _ in _intake_grants() if op == "READ"}
    for subscription in service.subscriptions(publisher=InMemoryBus()):
        assert (subscription.topic, "TOPIC") in reads, subscription
        assert (subscription.group_id, "GROUP") in reads, subscription
        dead_letters = subscription.topic + ".dlq"
        assert ("WRITE", "TOPIC", dead_letters, "LITERAL") in _intake_grants()
