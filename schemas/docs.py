"""Generate the committed contract documents: JSON Schema per event and an AsyncAPI file.

`python -m schemas.docs` rewrites them; `tests/unit/test_contracts.py` fails when the
committed files differ from what the code would generate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas import actions, events
from schemas.topics import DEFAULT, dead_letter

HERE = Path(__file__).parent
MODELS: dict[str, type[BaseModel]] = {
    "SubmissionReceived": events.SubmissionReceived,
    "CaseAccepted": events.CaseAccepted,
    "CaseRefused": events.CaseRefused,
    "CaseRouted": events.CaseRouted,
    "CaseTransferred": events.CaseTransferred,
    "CaseTaken": events.CaseTaken,
    "InfoRequested": events.InfoRequested,
    "InfoReceived": events.InfoReceived,
    "DeadlineExtended": events.DeadlineExtended,
    "DeadlinesRecalculated": events.DeadlinesRecalculated,
    "DeadlineReminder": events.DeadlineReminder,
    "CaseEscalated": events.CaseEscalated,
    "CaseAnswered": events.CaseAnswered,
    "DirectoryPublished": events.DirectoryPublished,
    "CalendarPublished": events.CalendarPublished,
    "TakeCase": actions.TakeCase,
    "SubmitAnswer": actions.SubmitAnswer,
    "RequestTransfer": actions.RequestTransfer,
    "AssignFromTriage": actions.AssignFromTriage,
    "RequestInfo": actions.RequestInfo,
    "RecordInfoReceived": actions.RecordInfoReceived,
    "ExtendDeadline": actions.ExtendDeadline,
}
REFERENCE = ["DirectoryPublished", "CalendarPublished"]
CASE_EVENTS = [
    name
    for name, model in MODELS.items()
    if model.__module__ == events.__name__ and name not in REFERENCE
]
ACTIONS = [name for name, model in MODELS.items() if model.__module__ == actions.__name__]
CHANNELS: dict[str, tuple[str, list[str], str]] = {
    "intake": (DEFAULT.intake, ["SubmissionReceived"], "channels → intake"),
    "caseEvents": (
        DEFAULT.case_events,
        [name for name in CASE_EVENTS if name != "SubmissionReceived"],
        "intake, router → router, notifier, auditors",
    ),
    "agencyQueue": (
        "{namespace}.agency.{agency}.queue",
        ["CaseRouted"],
        "router → one agency (its own topic only)",
    ),
    "agencyActions": (
        DEFAULT.agency_actions,
        ACTIONS,
        "console, agencies' systems → router",
    ),
    "referenceData": (
        DEFAULT.reference_data,
        REFERENCE,
        "router → notifier (key: directory | calendar; compacted: the latest of each stays)",
    ),
    "deadLetters": (
        dead_letter("{topic}"),
        [],
        "any consumer: the original bytes, headers dlq_error, dlq_service, dlq_source_*",
    ),
}


def json_schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema() for name, model in MODELS.items()}


def asyncapi() -> dict[str, Any]:
    channels = {
        name: {
            "address": address,
            "description": description,
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
        }
        for name, (address, messages, description) in CHANNELS.items()
    }
    messages = {
        name: {
            "name": name,
            "contentType": "application/json",
            "payload": {"$ref": f"json/{name}.json"},
        }
        for name in MODELS
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "PAKN Gia Lai events",
            "version": str(events.SCHEMA_VERSION),
            "description": "Every change of a case is an event; keys are case ids. "
            "The router's reference data (agencies, working days) is keyed by its kind.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages},
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
