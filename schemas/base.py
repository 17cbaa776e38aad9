"""The envelope every event and action carries."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


def _new_id() -> str:
    return uuid4().hex


def _now() -> datetime:
    return datetime.now().astimezone()


class Event(BaseModel):
    """`event_id` (consumers de-duplicate on it), `occurred_at`, `schema_version`, and
    `correlation_id`: the case id once the case exists."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(default_factory=_new_id, min_length=1, max_length=64)
    occurred_at: AwareDatetime = Field(default_factory=_now)
    schema_version: int = SCHEMA_VERSION
    correlation_id: str = Field(min_length=1, max_length=64)


class Deadlines(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    classify: date
    forward: date
    answer: date
    calendar_version: str
