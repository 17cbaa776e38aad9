"""`pakn acls`: who may read and write what on a secured Kafka cluster.

One SCRAM principal per service and per agency, each granted only what it needs:

| principal | reads (topic, group) | writes |
|---|---|---|
| `<ns>-channels` | | the intake topic (outside channels post submissions) |
| `<ns>-intake` | intake topic, case events (groups `<ns>-intake`, `<ns>-intake-routing`) | case events, their and the intake topic's dead letters |
| `<ns>-router` | case events, agency actions (its two groups) | case events, every agency queue, reference data, their dead letters |
| `<ns>-notifier` | case events, reference data (its two groups) | their dead letters |
| `<ns>-agency-<code>` | its own queue, groups `<ns>-agency-<code>*` | nothing |

Agencies act through the HTTP API, whose token is bound to the agency, never by writing the
shared agency-actions topic: a command there names its agency in its body and the router
cannot tell which principal produced it, so a write grant would let one agency act for
another (docs/agency-integration.md §2). The plan is computed from the agencies data
(`plan`), so a new agency gets its principal and grants at the next run; an abolished one
keeps reading its old queue (its past cases). `apply` makes the cluster match the plan: it creates the
missing principals (a random password each, written to a file readable only by its
owner), adds the missing ACLs and removes the namespace's ACLs that the plan no longer
has. Nothing else on the cluster is touched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from schemas.topics import Topics, dead_letter
from services.router.domain.agencies import AgencyRegistry

Operation = Literal["READ", "WRITE", "DESCRIBE"]
Resource = Literal["TOPIC", "GROUP"]
Pattern = Literal["LITERAL", "PREFIXED"]
SERVICES = ("channels", "intake", "router", "notifier")


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW rule: `principal` may do `operation` on the resource."""

    principal: str  # "User:pakn-router"
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


def user(topics: Topics, who: str) -> str:
    """The SCRAM user name of a service (`router`) or an agency (`agency-x23575`)."""
    return f"{topics.namespace}-{who}"


def agency_user(topics: Topics, code: str) -> str:
    return user(topics, f"agency-{code.lower()}")


def _reads(principal: str, topic: str, group: str, pattern: Pattern = "LITERAL") -> list[Grant]:
    return [
        Grant(principal, "TOPIC", topic, "LITERAL", "READ"),
        Grant(principal, "TOPIC", topic, "LITERAL", "DESCRIBE"),
        Grant(principal, "GROUP", group, pattern, "READ"),
    ]


def _writes(principal: str, topics: Iterable[str]) -> list[Grant]:
    found: list[Grant] = []
    for topic in topics:
        found += [
            Grant(principal, "TOPIC", topic, "LITERAL", "WRITE"),
            Grant(principal, "TOPIC", topic, "LITERAL", "DESCRIBE"),
        ]
    return found


def plan(topics: Topics, agencies: AgencyRegistry) -> list[Grant]:
    """Every grant the system needs, for the agencies of every period (their queues exist)."""
    p = {name: "User:" + user(topics, name) for name in SERVICES}
    t = topics
    queues = [t.agency_queue(code) for code in agencies.codes]
    grants = [
        *_writes(p["channels"], [t.intake]),
        *_reads(p["intake"], t.intake, t.group("intake")),
        *_reads(p["intake"], t.case_events, t.group("intake-routing")),
        *_writes(p["intake"], [t.case_events, dead_letter(t.intake), dead_letter(t.case_events)]),
        *_reads(p["router"], t.case_events, t.group("router")),
        *_reads(p["router"], t.agency_actions, t.group("router-actions")),
        *_writes(
            p["router"],
            [
                t.case_events,
                t.reference_data,
                *queues,
                dead_letter(t.case_events),
                dead_letter(t.agency_actions),
            ],
        ),
        *_reads(p["notifier"], t.case_events, t.group("notifier")),
        *_reads(p["notifier"], t.reference_data, t.group("notifier-reference")),
        *_writes(p["notifier"], [dead_letter(t.case_events), dead_letter(t.reference_data)]),
    ]
    for agency in agencies.agencies:
        principal = "User:" + agency_user(topics, agency.code)
        group_prefix = t.group(f"agency-{agency.code.lower()}")
        grants += _reads(principal, t.agency_queue(agency.code), group_prefix, "PREFIXED")
    return sorted(set(grants))


def principals(grants: Iterable[Grant]) -> list[str]:
    """The SCRAM user names the grants name, without the `User:` prefix."""
    return sorted({g.principal.removeprefix("User:") for g in grants})


@dataclass(frozen=True)
class AdminConnection:
    """How `pakn acls` reaches the cluster: the super user over SASL_SSL."""

    bootstrap: str
    ca_file: str
    username: str
    password: str

    def config(self) -> dict[str, str]:
        return {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": self.username,
            "sasl.password": self.password,
            "ssl.ca.location": self.ca_file,
        }


@dataclass
class Outcome:
    users_created: list[str]  # new principals (rotated ones are not listed)
    added: list[Grant]
    removed: list[Grant]


def write_password(folder: Path, name: str) -> bytes:
    """A new random password for `name`, kept in `folder/<name>.password` (mode 0600)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    password = secrets.token_urlsafe(24)
    path = folder / f"{name}.password"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return password.encode()


def apply(
    connection: AdminConnection,
    topics: Topics,
    wanted: list[Grant],
    credentials: Path,
    rotate: Iterable[str] = (),
) -> Outcome:
    """Make the cluster's principals and ACLs of `topics.namespace` match `wanted`; give the
    principals named in `rotate` a new password (written over their file)."""
    from services.acls_admin import ClusterAdmin  # confluent-kafka, only for this command

    known = principals(wanted)
    unknown = sorted(set(rotate) - set(known))
    if unknown:
        raise SystemExit(f"pakn acls: no such principal: {', '.join(unknown)}")
    admin = ClusterAdmin(connection.config())
    existing_users = admin.scram_users()
    created = [name for name in known if name not in existing_users]
    for name in sorted({*created, *rotate}):
        admin.create_scram_user(name, write_password(credentials, name))
    ours = f"User:{topics.namespace}-"
    present = {g for g in admin.grants() if g.principal.startswith(ours)}
    added = sorted(set(wanted) - present)
    removed = sorted(present - set(wanted))
    admin.add(added)
    admin.remove(removed)
    return Outcome(created, added, removed)


def connection_from_env(environ: dict[str, str]) -> AdminConnection:
    """The admin connection from the settings `deploy/kafka-cluster.sh env` prints."""
    missing = [
        key
        for key in (
            "PAKN_CLUSTER_BOOTSTRAP",
            "PAKN_CLUSTER_CA_FILE",
            "PAKN_CLUSTER_ADMIN_USER",
            "PAKN_CLUSTER_ADMIN_PASSWORD_FILE",
        )
        if not environ.get(key)
    ]
    if missing:
        raise SystemExit(
            "pakn acls: missing " + ", ".join(missing) + ' (eval "$(deploy/kafka-cluster.sh env)")'
        )
    password = Path(environ["PAKN_CLUSTER_ADMIN_PASSWORD_FILE"]).read_text("utf-8").strip()
    return AdminConnection(
        bootstrap=environ["PAKN_CLUSTER_BOOTSTRAP"],
        ca_file=environ["PAKN_CLUSTER_CA_FILE"],
        username=environ["PAKN_CLUSTER_ADMIN_USER"],
        password=password,
    )


def describe(grants: list[Grant]) -> str:
    return "\n".join(
        f"{g.principal:<34} {g.operation:<8} {g.resource.lower():<5} {g.name}"
        + (" (prefix)" if g.pattern == "PREFIXED" else "")
        for g in grants
    )
