"""One item as a channel saw it: the flat import format of interfaces.md §1."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Channel(StrEnum):
    WEB = "web"
    PORTAL = "portal"
    EMAIL = "email"
    HOTLINE = "hotline"
    POST = "post"


class SubmitterType(StrEnum):
    INDIVIDUAL = "individual"
    ORGANIZATION = "organization"


class Submission(BaseModel):
    """The fields every channel fills; unknown extra fields are kept in `extra`."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    channel_ref: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "The channel's own reference (call id, letter number; `id` in the flat import "
            "format). The intake registers one case per (channel, channel_ref): an item whose "
            "pair is already on the register is not registered again and nothing is published "
            "for it. Without it, no such check."
        ),
    )
    received_at: datetime = Field(
        description="The legal time of receipt, ISO 8601 with an offset; between the "
        "register's start (1 Jan 2023 by default) and now + 5 minutes (the intake's "
        "RECEIVED_AT_* settings), else the item is refused at intake."
    )
    submitter_type: SubmitterType = SubmitterType.INDIVIDUAL
    name: str = Field(default="", max_length=300)
    organization: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=320)
    title: str = Field(default="", max_length=500)
    content: str = Field(default="", max_length=20_000)
    regulation: str = Field(default="", max_length=500)
    attachments: list[str] = Field(default_factory=list, max_length=20)
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("received_at")
    @classmethod
    def _needs_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("received_at must carry a UTC offset, e.g. +07:00")
        return value
