"""The committed contract documents must match the event models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas.docs import documents
from schemas.events import CASE_EVENT_ADAPTER, CaseAccepted, CaseFacts, Submitter
from schemas.topics import Topics, dead_letter


@pytest.mark.parametrize("path", sorted(documents()), ids=lambda p: p.name)
def test_committed_contract_documents_match_the_code(path) -> None:  # type: ignore[no-untyped-def]
    assert path.exists(), f"{path.name} missing: run python -m schemas.docs"
    assert path.read_text(encoding="utf-8") == documents()[path], (
        f"{path.name} drifted from the models: run python -m schemas.docs and commit"
    )


def test_events_round_trip_through_the_discriminated_union() -> None:
    event = CaseAccepted(
        correlation_id="c1",
        case=CaseFacts(
            case_id="c1",
            tracking_code="GL-AAAA-AAAA",
            channel="web",
            received_at=datetime(2023, 1, 18, 2, 30, tzinfo=UTC),
            submitter=Submitter(name="X"),
        ),
    )
    decoded = CASE_EVENT_ADAPTER.validate_json(event.model_dump_json())
    assert decoded == event and decoded.schema_version == 1 and decoded.event_id


def test_unknown_event_types_and_naive_times_are_rejected() -> None:
    with pytest.raises(ValidationError):
        CASE_EVENT_ADAPTER.validate_json(b'{"event_type": "case.exploded", "correlation_id": "x"}')
    with pytest.raises(ValidationError):
        CaseAccepted.model_validate_json(
            CaseAccepted.model_construct(correlation_id="x").model_dump_json(warnings=False)
        )


def test_topic_names_are_namespaced_and_agency_codes_checked() -> None:
    topics = Topics("staging")
    assert topics.agency_queue("STNMT") == "staging.agency.stnmt.queue"
    assert dead_letter(topics.intake) == "staging.intake.submissions.dlq"
    with pytest.raises(ValueError):
        topics.agency_queue("stnmt; drop")
    with pytest.raises(ValueError):
        Topics("Bad Namespace")
