"""What the AsyncAPI document says beyond the models: servers, channels (topics and their
parameters), operations (who sends and who receives what, in which consumer group), keys,
headers and security. `schemas/docs.py` assembles the document from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.catalogue import ACTIONS, CASE_EVENTS, DEAD_LETTER, OUTCOMES, REFERENCE
from schemas.topics import Topics, dead_letter

BINDING = "0.5.0"  # the AsyncAPI Kafka bindings version
PAYLOAD_FORMAT = "application/schema+json;version=draft-2020-12"  # what pydantic generates
_NS = "nsplaceholder"  # a valid namespace, replaced by the `{namespace}` parameter
_T = Topics(_NS)


def _address(topic: str) -> str:
    return topic.replace(_NS, "{namespace}", 1)


def group_schema(name: str) -> dict[str, Any]:
    group = _T.group(name)
    return {
        "type": "string",
        "pattern": "^" + _address(group).replace("{namespace}", "[a-z][a-z0-9_-]{0,40}") + "$",
        "examples": [group.replace(_NS, "pakn", 1)],
    }


@dataclass(frozen=True)
class Channel:
    address: str
    messages: list[str]
    description: str
    compacted: bool = False
    extra_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)


CHANNELS: dict[str, Channel] = {
    "intake": Channel(
        _address(_T.intake),
        ["SubmissionReceived"],
        "Outside channels (principal `{namespace}-channels`) and the project's own tools post "
        "submissions; the intake registers each, gives it a tracking code and answers on the "
        "case-event topic (docs/producing-to-intake.md).",
    ),
    "caseEvents": Channel(
        _address(_T.case_events),
        [name for name in CASE_EVENTS if name != "SubmissionReceived"],
        "The life of every case: the intake's accepted/refused outcome, then the router's "
        "events. Carries personal data: only the services read it.",
    ),
    "agencyQueue": Channel(
        "{namespace}.agency.{agency}.queue",
        ["CaseRouted"],
        "One topic per agency: the router places the agency's cases here; the agency reads "
        "its own topic only (docs/agency-integration.md).",
        extra_parameters={
            "agency": {
                "description": "The agency's code in lower case (the agencies file in force): "
                "a department such as `snnmt`, a commune `x` + its 5-digit code.",
                "examples": ["snnmt", "x23575"],
            }
        },
    ),
    "agencyActions": Channel(
        _address(_T.agency_actions),
        ACTIONS,
        "What agencies do to their cases, written by the router for the console and the "
        "agency HTTP API (agencies' own systems act through that API, never by writing this "
        "topic); the router applies each command or dead-letters it with the reason.",
    ),
    "referenceData": Channel(
        _address(_T.reference_data),
        REFERENCE,
        "The router's agency directory and working-day calendar, the whole document each "
        "time; compacted, so the latest of each kind stays.",
        compacted=True,
    ),
    "deadLetters": Channel(
        _address(dead_letter(_T.intake)).replace("intake.submissions", "{source}", 1),
        [DEAD_LETTER],
        "Where a consumer parks a message it cannot process (undecodable, or failing "
        "permanently), with the reason in its headers; nothing is dropped.",
        extra_parameters={
            "source": {
                "description": "The consumed topic's address after the namespace.",
                "enum": ["intake.submissions", "case.events", "agency.actions", "reference.data"],
            }
        },
    ),
}


@dataclass(frozen=True)
class Operation:
    action: str
    channel: str
    messages: list[str]
    summary: str
    principal: str
    group: str | None = None
    reply: list[str] = field(default_factory=list)


OPERATIONS: dict[str, Operation] = {
    "channelSendsSubmission": Operation(
        "send",
        "intake",
        ["SubmissionReceived"],
        "An outside channel posts one submission; its outcome comes back on the case-event "
        "topic with the same correlation_id (reading it needs a grant of its own).",
        "channels",
        reply=OUTCOMES,
    ),
    "intakeReceivesSubmissions": Operation(
        "receive",
        "intake",
        ["SubmissionReceived"],
        "The intake registers each.",
        "intake",
        "intake",
    ),
    "intakeSendsOutcomes": Operation(
        "send", "caseEvents", OUTCOMES, "Accepted (with the tracking code) or refused.", "intake"
    ),
    "intakeReceivesCaseEvents": Operation(
        "receive",
        "caseEvents",
        [
            "CaseRouted",
            "InfoRequested",
            "InfoReceived",
            "DeadlineExtended",
            "DeadlinesRecalculated",
            "CaseAnswered",
        ],
        "Keeps each case's agency and deadlines for its receipt (the others are skipped).",
        "intake",
        "intake-routing",
    ),
    "routerReceivesCaseEvents": Operation(
        "receive",
        "caseEvents",
        CHANNELS["caseEvents"].messages,
        "Routes accepted cases",
        "router",
        "router",
    ),
    "routerSendsCaseEvents": Operation(
        "send",
        "caseEvents",
        [n for n in CHANNELS["caseEvents"].messages if n not in OUTCOMES],
        "Routing, transfers, deadlines, answers.",
        "router",
    ),
    "routerSendsAgencyQueues": Operation(
        "send", "agencyQueue", ["CaseRouted"], "A routed case to its agency.", "router"
    ),
    "routerSendsActions": Operation(
        "send", "agencyActions", ACTIONS, "The console's commands, for its officers.", "router"
    ),
    "routerReceivesActions": Operation(
        "receive", "agencyActions", ACTIONS, "Applies commands.", "router", "router-actions"
    ),
    "routerSendsReferenceData": Operation(
        "send", "referenceData", REFERENCE, "At start when changed, and after holidays.", "router"
    ),
    "notifierReceivesCaseEvents": Operation(
        "receive",
        "caseEvents",
        CHANNELS["caseEvents"].messages,
        "E-mails and the public answers.",
        "notifier",
        "notifier",
    ),
    "notifierReceivesReferenceData": Operation(
        "receive",
        "referenceData",
        REFERENCE,
        "Keeps the latest of each.",
        "notifier",
        "notifier-reference",
    ),
    "agencyReceivesQueue": Operation(
        "receive",
        "agencyQueue",
        ["CaseRouted"],
        "An agency's system reads its own queue (groups prefixed `{namespace}-agency-<code>`).",
        "agency-<code>",
        "agency-<code>",
    ),
    "agencySendsActions": Operation(
        "send", "agencyActions", ACTIONS, "An agency's system acts on its cases.", "agency-<code>"
    ),
    "serviceSendsDeadLetters": Operation(
        "send",
        "deadLetters",
        [DEAD_LETTER],
        "Intake, router and notifier park what they cannot process.",
        "intake, router, notifier",
    ),
}

HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "Kafka record headers, UTF-8 strings. The services' outbox sets all three "
    "on every event; a channel should set them too. No consumer needs them to process a "
    "message (the payload decides), they let tools filter and trace without decoding it.",
    "properties": {
        "event_id": {"type": "string", "maxLength": 64, "description": "the payload's event_id"},
        "event_type": {"type": "string", "description": "the payload's event_type"},
        "producer": {
            "type": "string",
            "description": "who published it: `intake`, `router`, or the channel's own name",
        },
    },
}
DEAD_LETTER_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "The original headers, plus why and where it failed.",
    "required": ["dlq_error", "dlq_service", "dlq_source_topic"],
    "properties": {
        "dlq_error": {"type": "string", "description": "the error's type and message"},
        "dlq_service": {"type": "string", "description": "the consumer that parked it"},
        "dlq_source_topic": {"type": "string"},
        "dlq_source_partition": {"type": "string"},
        "dlq_source_offset": {"type": "string"},
        "dlq_at": {"type": "string", "description": "when, ISO 8601"},
    },
}
CASE_KEY = {
    "type": "string",
    "description": "The case id (`case.case_id` / `case_id`): one case's messages stay in "
    "order on one partition.",
}
SUBMISSION_KEY = {
    "type": "string",
    "description": "`<channel>:<channel_ref>` (e.g. `portal:P-2025-000123`), or the event_id "
    "when the item has no channel_ref, so that copies of one item land on one partition. The "
    "intake does not read the key.",
}
CORRELATION = {
    "description": "The producer's correlation_id: the intake copies it from a "
    "submission.received onto the case.accepted or case.refused it publishes for it. On the "
    "other events it is the case id.",
    "location": "$message.payload#/correlation_id",
}
INFO = (
    "Every change of a case is an event with an envelope: `event_id` (unique; every consumer "
    "records the ids it processed and skips a repeat), `occurred_at` (ISO 8601 with offset), "
    "`schema_version` (a change that breaks readers gets a new one), `correlation_id` and "
    "`event_type` (the discriminator). Payloads are UTF-8 JSON; keys are case ids, except "
    "on the intake topic (the channel's reference) and the reference data (its kind). "
    "Producers to the intake topic: docs/producing-to-intake.md."
)


def agency_group() -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": "^[a-z][a-z0-9_-]{0,40}-agency-[a-z0-9]+(-[a-z0-9_-]+)?$",
        "examples": ["pakn-agency-snnmt-motcua"],
    }


SERVERS: dict[str, Any] = {
    "local": {
        "host": "127.0.0.1:19092",
        "protocol": "kafka",
        "title": "Local broker",
        "description": "deploy/kafka.sh: one broker, PLAINTEXT, no authentication; for "
        "development and the tests.",
    },
    "production": {
        "host": "{bootstrap}",
        "protocol": "kafka-secure",
        "title": "Secured cluster",
        "description": "The production cluster: SASL_SSL (TLS with the cluster's CA, then "
        "SCRAM-SHA-512), ACLs deny what is not granted. deploy/kafka-cluster.sh runs the same "
        "locally (brokers on 127.0.0.1:29092-29094). Principals and grants come from "
        "`pakn acls` (services/acls.py).",
        "variables": {
            "bootstrap": {
                "description": "One of the cluster's brokers, host:port (the services' "
                "`PAKN_<SERVICE>_KAFKA_BOOTSTRAP`).",
                "examples": ["127.0.0.1:29092"],
            }
        },
        "security": [{"$ref": "#/components/securitySchemes/scram"}],
    },
}
SECURITY = {
    "scram": {
        "type": "scramSha512",
        "description": "SASL/SCRAM-SHA-512 over TLS. One principal per service and per "
        "agency, created by `pakn acls` with a random password: `{namespace}-channels` "
        "(outside channels) may write the intake topic and nothing else; `-intake`, "
        "`-router`, `-notifier` read and write what their operations say; "
        "`{namespace}-agency-<code>` reads its own queue and writes nothing (agencies act "
        "through the HTTP API).",
    }
}
