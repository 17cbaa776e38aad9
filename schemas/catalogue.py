"""Every message of the contract by name, and the groups the documents list them in."""

from __future__ import annotations

from pydantic import BaseModel

from schemas import actions, events

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
OUTCOMES = ["CaseAccepted", "CaseRefused"]
CASE_EVENTS = [
    name
    for name, model in MODELS.items()
    if model.__module__ == events.__name__ and name not in REFERENCE
]
ACTIONS = [name for name, model in MODELS.items() if model.__module__ == actions.__name__]
DEAD_LETTER = "DeadLetter"
