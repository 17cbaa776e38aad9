"""`pakn acls`: the plan of grants from the agencies data, and how `apply` converges."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from schemas.topics import Topics
from services import acls
from services.acls import AdminConnection, Grant, agency_user, plan
from services.router.cutover import all_agencies

TOPICS = Topics("pakn")


@pytest.fixture(scope="module")
def grants() -> list[Grant]:
    return plan(TOPICS, all_agencies())


def _of(grants: list[Grant], who: str) -> set[tuple[str, str, str]]:
    return {(g.operation, g.resource, g.name) for g in grants if g.principal == "User:" + who}


def test_an_agency_reads_only_its_own_queue_and_writes_nothing(grants: list[Grant]) -> None:
    # Agencies act through the HTTP API: a write on the shared actions topic could act for
    # another agency (docs/agency-integration.md §2).
    for code in ("X23575", "STNMT"):  # today's commune, a department merged on 1 Mar 2025
        assert _of(grants, agency_user(TOPICS, code)) == {
            ("READ", "TOPIC", f"pakn.agency.{code.lower()}.queue"),
            ("DESCRIBE", "TOPIC", f"pakn.agency.{code.lower()}.queue"),
            ("READ", "GROUP", f"pakn-agency-{code.lower()}"),
        }


def test_each_service_gets_only_its_topics(grants: list[Grant]) -> None:
    notifier = _of(grants, "pakn-notifier")
    assert {name for op, kind, name in notifier if op == "READ" and kind == "TOPIC"} == {
        "pakn.case.events",
        "pakn.reference.data",
    }
    assert {name for op, _, name in notifier if op == "WRITE"} == {
        "pakn.case.events.dlq",
        "pakn.reference.data.dlq",
    }
    intake = _of(grants, "pakn-intake")
    assert not any(".queue" in name for _, _, name in intake)
    router = _of(grants, "pakn-router")
    queues = {name for op, _, name in router if op == "WRITE" and name.endswith(".queue")}
    assert len(queues) == len(all_agencies().codes)


def test_a_new_agency_gets_a_principal_at_the_next_run(grants: list[Grant]) -> None:
    fewer = all_agencies().model_copy(
        update={"agencies": tuple(a for a in all_agencies().agencies if a.code != "X23575")}
    )
    before = acls.principals(plan(TOPICS, fewer))
    after = acls.principals(grants)
    assert set(after) - set(before) == {"pakn-agency-x23575"}


class FakeCluster:
    """The admin side in memory: users and grants as a cluster would hold them."""

    def __init__(self, config: dict[str, str]) -> None:
        self.config = config

    users: ClassVar[set[str]] = set()
    held: ClassVar[set[Grant]] = set()

    def scram_users(self) -> set[str]:
        return set(self.users)

    def create_scram_user(self, name: str, password: bytes) -> None:
        assert len(password) >= 24
        FakeCluster.users.add(name)

    def grants(self) -> list[Grant]:
        return list(self.held)

    def add(self, grants: list[Grant]) -> None:
        FakeCluster.held |= set(grants)

    def remove(self, grants: list[Grant]) -> None:
        FakeCluster.held -= set(grants)


def test_apply_converges_and_touches_only_its_namespace(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, grants: list[Grant]
) -> None:
    import services.acls_admin

    monkeypatch.setattr(services.acls_admin, "ClusterAdmin", FakeCluster)
    foreign = Grant("User:staging-router", "TOPIC", "staging.case.events", "LITERAL", "READ")
    stale = Grant("User:pakn-agency-old", "TOPIC", "pakn.agency.actions", "LITERAL", "WRITE")
    FakeCluster.users, FakeCluster.held = set(), {foreign, stale}
    connection = AdminConnection("127.0.0.1:1", "ca.pem", "admin", "secret")

    first = acls.apply(connection, TOPICS, grants, tmp_path / "credentials")
    assert first.removed == [stale] and len(first.added) == len(grants)
    assert FakeCluster.held == set(grants) | {foreign}
    password = tmp_path / "credentials" / "pakn-router.password"
    assert password.stat().st_mode & 0o777 == 0o600 and len(password.read_text().strip()) >= 24

    second = acls.apply(connection, TOPICS, grants, tmp_path / "credentials")
    assert (second.users_created, second.added, second.removed) == ([], [], [])


def test_rotate_gives_a_new_password_and_refuses_an_unknown_principal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, grants: list[Grant]
) -> None:
    import services.acls_admin

    monkeypatch.setattr(services.acls_admin, "ClusterAdmin", FakeCluster)
    FakeCluster.users, FakeCluster.held = set(), set()
    connection = AdminConnection("127.0.0.1:1", "ca.pem", "admin", "secret")
    acls.apply(connection, TOPICS, grants, tmp_path)
    before = (tmp_path / "pakn-router.password").read_text()
    acls.apply(connection, TOPICS, grants, tmp_path, rotate=["pakn-router"])
    assert (tmp_path / "pakn-router.password").read_text() != before
    with pytest.raises(SystemExit, match="pakn-nobody"):
        acls.apply(connection, TOPICS, grants, tmp_path, rotate=["pakn-nobody"])
