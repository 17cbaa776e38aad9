"""Generate the committed contract documents: JSON Schema per event and an AsyncAPI file.

`python -m schemas.docs` rewrites them; `tests/unit/test_contracts.py` fails when the
committed files differ from what the code would generate, and `tests/unit/test_asyncapi.py`
validates the AsyncAPI document against the official AsyncAPI 3.0.0 JSON Schema and every
example against its message's schema. docs/producing-to-intake.md is the producer's guide.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from schemas import events, examples
from schemas.asyncapi_tables import (
    BINDING,
    CASE_KEY,
    CHANNELS,
    CORRELATION,
    DEAD_LETTER_HEADERS,
    HEADERS,
    INFO,
    OPERATIONS,
    PAYLOAD_FORMAT,
    SECURITY,
    SERVERS,
    SUBMISSION_KEY,
    Channel,
    Operation,
    agency_group,
    group_schema,
)
from schemas.catalogue import DEAD_LETTER, MODELS, OUTCOMES, REFERENCE

__all__ = ["CHANNELS", "MODELS", "OPERATIONS", "asyncapi", "documents", "json_schemas"]
HERE = Path(__file__).parent


def _key(name: str) -> dict[str, Any]:
    if name == "SubmissionReceived":
        return SUBMISSION_KEY
    if name in REFERENCE:
        kind = MODELS[name].model_fields["kind"].default
        return {"type": "string", "enum": [kind], "description": "the kind of reference data"}
    return CASE_KEY


def _message(name: str, example: dict[str, Any]) -> dict[str, Any]:
    model = MODELS[name]
    message: dict[str, Any] = {
        "name": name,
        "title": name,
        "summary": " ".join(inspect.cleandoc(model.__doc__ or name).split("\n\n")[0].split()),
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/EventHeaders"},
        "payload": {"schemaFormat": PAYLOAD_FORMAT, "schema": {"$ref": f"json/{name}.json"}},
        "bindings": {"kafka": {"key": _key(name), "bindingVersion": BINDING}},
        "examples": [
            {
                "name": f"{name}-example",
                "headers": {
                    "event_id": example["event_id"],
                    "event_type": example["event_type"],
                    "producer": "portal" if name == "SubmissionReceived" else _producer(name),
                },
                "payload": example,
            }
        ],
    }
    if name == "SubmissionReceived" or name in OUTCOMES:
        message["correlationId"] = {"$ref": "#/components/correlationIds/submission"}
    return message


def _producer(name: str) -> str:
    return "intake" if name in OUTCOMES else "router"


def _dead_letter() -> dict[str, Any]:
    original = {"correlation_id": "P-77", "event_type": "submission.received"}
    return {
        "name": DEAD_LETTER,
        "title": DEAD_LETTER,
        "summary": "The original message, bytes unchanged, with the reason in its headers.",
        "contentType": "application/octet-stream",
        "headers": DEAD_LETTER_HEADERS,
        "payload": {"description": "the original value, as it was received"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "the original key"},
                "bindingVersion": BINDING,
            }
        },
        "examples": [
            {
                "name": "DeadLetter-example",
                "headers": {
                    "dlq_error": "ValidationError: submission: Field required",
                    "dlq_service": "intake",
                    "dlq_source_topic": "pakn.intake.submissions",
                    "dlq_source_partition": "1",
                    "dlq_source_offset": "4711",
                    "dlq_at": "2025-07-14T02:31:00+00:00",
                },
                "payload": original,
            }
        ],
    }


def _channel(channel: Channel) -> dict[str, Any]:
    parameters = {
        "namespace": {
            "description": "The topic namespace (`PAKN_<SERVICE>_TOPIC_NAMESPACE`, "
            "^[a-z][a-z0-9_-]{0,40}$): `pakn` in production; staging and each test run "
            "have their own.",
            "default": "pakn",
            "examples": ["pakn"],
        },
        **channel.extra_parameters,
    }
    policy = "compact" if channel.compacted else "delete"
    return {
        "address": channel.address,
        "description": channel.description,
        "parameters": parameters,
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in channel.messages},
        "bindings": {
            "kafka": {
                "topicConfiguration": {"cleanup.policy": [policy]},
                "bindingVersion": BINDING,
            }
        },
    }


def _operation(op: Operation) -> dict[str, Any]:
    refs = [{"$ref": f"#/channels/{op.channel}/messages/{m}"} for m in op.messages]
    principals = [f"{{namespace}}-{who}" for who in op.principal.split(", ")]
    found: dict[str, Any] = {
        "action": op.action,
        "channel": {"$ref": f"#/channels/{op.channel}"},
        "messages": refs,
        "summary": op.summary,
        "description": "On the secured cluster (`pakn acls`), as "
        + ", ".join(f"`{p}`" for p in principals),
        "x-principals": principals,
    }
    if op.group is not None:
        group = agency_group() if op.group.startswith("agency-") else group_schema(op.group)
        found["bindings"] = {"kafka": {"groupId": group, "bindingVersion": BINDING}}
    if op.reply:
        found["reply"] = {
            "channel": {"$ref": "#/channels/caseEvents"},
            "messages": [{"$ref": f"#/channels/caseEvents/messages/{m}"} for m in op.reply],
        }
    return found


def json_schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema() for name, model in MODELS.items()}


def asyncapi() -> dict[str, Any]:
    payloads = examples.payloads()
    messages = {name: _message(name, payloads[name]) for name in MODELS}
    messages[DEAD_LETTER] = _dead_letter()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "PAKN Gia Lai events",
            "version": str(events.SCHEMA_VERSION),
            "description": INFO,
        },
        "defaultContentType": "application/json",
        "servers": SERVERS,
        "channels": {name: _channel(channel) for name, channel in CHANNELS.items()},
        "operations": {name: _operation(op) for name, op in OPERATIONS.items()},
        "components": {
            "messages": messages,
            "schemas": {"EventHeaders": HEADERS},
            "securitySchemes": SECURITY,
            "correlationIds": {"submission": CORRELATION},
        },
    }


def documents() -> dict[Path, str]:
    docs = {
        HERE / "json" / f"{name}.json": _dump(schema) for name, schema in json_schemas().items()
    }
    docs[HERE / "asyncapi.json"] = _dump(asyncapi())
    return docs


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    for path, text in documents().items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")
