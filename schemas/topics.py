"""Every Kafka topic name and consumer group, defined once.

Names live under a namespace (default `pakn`) so that a staging system, or each test run,
can share a cluster with production without reading its events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DLQ_SUFFIX = ".dlq"
_REFERENCE_SUFFIX = ".reference.data"
_AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


@dataclass(frozen=True)
class Topics:
    namespace: str = "pakn"

    def __post_init__(self) -> None:
        if not _NAMESPACE.match(self.namespace):
            raise ValueError(f"not a topic namespace: {self.namespace!r}")

    @property
    def intake(self) -> str:
        """One submission as a channel saw it (key: channel + channel reference)."""
        return f"{self.namespace}.intake.submissions"

    @property
    def case_events(self) -> str:
        """The life of every case (key: case id, so one case's events stay in order)."""
        return f"{self.namespace}.case.events"

    @property
    def agency_actions(self) -> str:
        """What agencies do to their cases: answer, transfer, … (key: case id)."""
        return f"{self.namespace}.agency.actions"

    @property
    def reference_data(self) -> str:
        """The router's reference data for the other services: the agency directory and
        the working-day calendar (key: the kind; compacted, so the latest of each stays)."""
        return self.namespace + _REFERENCE_SUFFIX

    def agency_queue(self, agency_code: str) -> str:
        """The topic an agency consumes: one per agency, so access can be granted per agency."""
        if not _AGENCY_CODE.match(agency_code):
            raise ValueError(f"not an agency code: {agency_code!r}")
        return f"{self.namespace}.agency.{agency_code.lower()}.queue"

    def group(self, name: str) -> str:
        """A consumer group id; one per subscriber (groups shared across topics rebalance)."""
        return f"{self.namespace}-{name}"

    def all_fixed(self) -> list[str]:
        return [self.intake, self.case_events, self.agency_actions, self.reference_data]


def is_compacted(topic: str) -> bool:
    """Whether `topic` keeps only the latest message of each key (cleanup.policy=compact):
    the reference data, which a consumer started months later must still find."""
    _, dot, rest = topic.partition(".")
    return bool(dot) and "." + rest == _REFERENCE_SUFFIX


def dead_letter(topic: str) -> str:
    """Where a message of `topic` that cannot be processed is parked, with its error."""
    return topic + DLQ_SUFFIX


DEFAULT = Topics()
