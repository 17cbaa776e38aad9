"""The AsyncAPI document is one a producer can work from: valid AsyncAPI 3.0.0 (checked with
`jsonschema` against the official schema, vendored in tests/data), every reference
resolving, every address parameter declared, and every example valid against its schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from schemas.docs import CHANNELS, MODELS, OPERATIONS, asyncapi
from schemas.events import LEGACY_ID_PREFIX, SUBMISSION_ADAPTER, SubmissionReceived
from schemas.examples import SUBMISSION

ROOT = Path(__file__).parents[2]
DOCUMENT = json.loads((ROOT / "schemas" / "asyncapi.json").read_text(encoding="utf-8"))
OFFICIAL = ROOT / "tests" / "data" / "asyncapi-3.0.0.schema.json"


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert json.loads(json.dumps(asyncapi())) == DOCUMENT, "run python -m schemas.docs"


def test_the_document_is_valid_asyncapi_3() -> None:
    schema = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    assert schema["$id"] == "http://asyncapi.com/definitions/3.0.0/asyncapi.json"
    validator = jsonschema.Draft7Validator(schema)
    errors = [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(DOCUMENT)
    ]
    assert not errors, errors
    broken = {**DOCUMENT, "operations": {"x": {"action": "publish", "channel": {}}}}
    assert not validator.is_valid(broken)  # the validator does look at operations


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return own + [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _resolve(pointer: str) -> Any:
    node: Any = DOCUMENT
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_reference_resolves() -> None:
    for ref in _refs(DOCUMENT):
        if ref.startswith("#/"):
            assert _resolve(ref) is not None, ref
        else:
            assert (ROOT / "schemas" / ref).is_file(), ref


def test_servers_operations_parameters_and_bindings_are_there() -> None:
    assert set(DOCUMENT["servers"]) == {"local", "production"}
    production = DOCUMENT["servers"]["production"]
    scheme = _resolve(production["security"][0]["$ref"])
    assert scheme["type"] == "scramSha512" and "-channels" in scheme["description"]
    for name, channel in DOCUMENT["channels"].items():
        used = set(re.findall(r"{(\w+)}", channel["address"]))
        assert used == set(channel["parameters"]), name
    for name, op in DOCUMENT["operations"].items():
        channel = op["channel"]["$ref"]
        for message in op["messages"]:
            assert message["$ref"].startswith(channel + "/messages/"), name
        if op["action"] == "receive":
            assert op["bindings"]["kafka"]["groupId"]["pattern"], name
    assert {op.action for op in OPERATIONS.values()} == {"send", "receive"}
    submit = DOCUMENT["operations"]["channelSendsSubmission"]
    assert [m["$ref"].rsplit("/", 1)[1] for m in submit["reply"]["messages"]] == [
        "CaseAccepted",
        "CaseRefused",
    ]
    for name in MODELS:
        message = DOCUMENT["components"]["messages"][name]
        assert message["bindings"]["kafka"]["key"]["type"] == "string", name
    assert set(CHANNELS) == set(DOCUMENT["channels"])


def _payload_validator(message: dict[str, Any]) -> jsonschema.protocols.Validator:
    payload = message["payload"]
    if "schema" not in payload:
        return jsonschema.Draft202012Validator(payload)
    path = ROOT / "schemas" / payload["schema"]["$ref"]
    assert "draft-2020-12" in payload["schemaFormat"]
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["messages"]))
def test_each_message_has_an_example_valid_against_its_schemas(name: str) -> None:
    message = DOCUMENT["components"]["messages"][name]
    (example,) = message["examples"]
    validator = _payload_validator(message)
    errors = [e.message for e in validator.iter_errors(example["payload"])]
    assert not errors, errors
    headers = message["headers"]
    headers = _resolve(headers["$ref"]) if "$ref" in headers else headers
    jsonschema.Draft202012Validator(headers).validate(example["headers"])
    assert all(isinstance(v, str) for v in example["headers"].values())
    if name in MODELS:
        assert example["headers"]["event_id"] == example["payload"]["event_id"]
        MODELS[name].model_validate_json(json.dumps(example["payload"]))


def test_a_wrong_example_would_fail() -> None:
    message = DOCUMENT["components"]["messages"]["CaseAccepted"]
    payload = message["examples"][0]["payload"]
    broken = {**payload, "case": {**payload["case"], "channel": "pigeon"}}
    assert not _payload_validator(message).is_valid(broken)


def test_producers_must_send_an_event_id_and_old_messages_without_one_are_still_read() -> None:
    schema = json.loads((ROOT / "schemas/json/SubmissionReceived.json").read_text("utf-8"))
    assert "event_id" in schema["required"]
    old = {"correlation_id": "old-1", "submission": SUBMISSION.model_dump(mode="json")}
    assert not jsonschema.Draft202012Validator(schema).is_valid(old)
    first = SUBMISSION_ADAPTER.validate_json(json.dumps(old))
    again = SUBMISSION_ADAPTER.validate_json(json.dumps(old, indent=1))
    assert first.event_id.startswith(LEGACY_ID_PREFIX) and len(first.event_id) <= 64
    assert first.event_id == again.event_id  # a redelivered copy is recognised
    other = SUBMISSION_ADAPTER.validate_json(json.dumps({**old, "correlation_id": "old-2"}))
    assert other.event_id != first.event_id
    given = SUBMISSION_ADAPTER.validate_json(json.dumps({**old, "event_id": "e-1"}))
    assert given.event_id == "e-1"
    made = SubmissionReceived(correlation_id="x", submission=SUBMISSION)
    assert len(made.event_id) == 32 and not made.event_id.startswith(LEGACY_ID_PREFIX)
