"""The router's own tables: where each case is, its deadlines, and every hop it took."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from services.kit.columns import UtcDateTime, utc_now


class RoutedCase(SQLModel, table=True):
    """A case as the router tracks it: the agency in charge now and its deadlines."""

    __tablename__ = "router_case"

    case_id: str = Field(primary_key=True, max_length=32)
    tracking_code: str = Field(max_length=20, index=True)
    channel: str = Field(max_length=16)
    received_at: datetime = Field(sa_type=UtcDateTime)
    title: str = Field(default="", max_length=500)
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    address: str = Field(default="", max_length=500)
    regulation: str = Field(default="", max_length=500)
    submitter_type: str = Field(default="individual", max_length=16)
    agency: str = Field(max_length=16, index=True)
    status: str = Field(default="routed", max_length=16)  # routed | answered
    case_class: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    rule_id: str = Field(max_length=100)
    rules_version: str = Field(max_length=40)
    confidence: float
    due_classify: date
    due_forward: date
    due_answer: date
    calendar_version: str = Field(max_length=40)
    hop: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class RoutingHop(SQLModel, table=True):
    """One step of a case's path between agencies: the history keeps every hop."""

    __tablename__ = "router_hop"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=32, index=True)
    hop: int
    agency: str = Field(max_length=16)
    rule_id: str = Field(max_length=100)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    decided_by: str = Field(default="router", max_length=200)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
