"""`Table.__init__` leaves a row as SQLModel's own constructor does, for every table of the
services, and refuses what it does not do."""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import PrivateAttr
from sqlalchemy import inspect
from sqlmodel import SQLModel
from sqlmodel._compat import partial_init, sqlmodel_init

import services.intake.models
import services.kit.consumer
import services.kit.outbox
import services.notifier.models
import services.router.models  # noqa: F401  (the imports declare the tables)
from services.kit.table import Table

TABLES = sorted(Table.__subclasses__(), key=lambda cls: cls.__name__)
SAMPLE: dict[Any, Any] = {
    str: "x",
    int: 7,
    bool: True,
    float: 1.5,
    bytes: b"\x00",
    datetime: datetime(2025, 7, 1, 8, tzinfo=UTC),
    date: date(2025, 7, 1),
}


def sample(cls: type[Table]) -> dict[str, Any]:
    """A value for every field of `cls` (a list or dict for JSON columns)."""
    values: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        kind = field.annotation
        if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
            kind = next(k for k in typing.get_args(kind) if k is not type(None))
        origin = typing.get_origin(kind) or kind
        values[name] = [] if origin is list else {} if origin is dict else SAMPLE.get(origin, "x")
    return values


def by_sqlmodel(cls: type[Table], values: dict[str, Any]) -> Table:
    """The same row through SQLModel's own constructor."""
    with partial_init():
        row = cls()
    sqlmodel_init(self=row, data=dict(values))
    return row


def fields_of(row: Table) -> dict[str, Any]:
    return {k: v for k, v in row.__dict__.items() if k != "_sa_instance_state"}


def test_every_table_is_declared_on_table() -> None:
    declared = {t.name for t in SQLModel.metadata.sorted_tables}
    mine = {cls.__table__.name for cls in TABLES}  # type: ignore[attr-defined]
    assert len(TABLES) >= 20
    assert mine <= declared


@pytest.mark.parametrize("cls", TABLES, ids=lambda cls: cls.__name__)
def test_a_row_of_every_field_is_the_same(cls: type[Table]) -> None:
    values = sample(cls)
    ours, theirs = cls(**values), by_sqlmodel(cls, values)
    assert fields_of(ours) == fields_of(theirs) == values
    assert ours.__pydantic_fields_set__ == theirs.__pydantic_fields_set__ == set(values)
    mine, sqlmodel_state = inspect(ours), inspect(theirs)
    assert mine.committed_state == sqlmodel_state.committed_state
    assert mine.modified and sqlmodel_state.modified
    assert ours.model_dump() == theirs.model_dump()


@pytest.mark.parametrize("cls", TABLES, ids=lambda cls: cls.__name__)
def test_defaults_are_the_same(cls: type[Table]) -> None:
    required = {n: v for n, v in sample(cls).items() if cls.model_fields[n].is_required()}
    ours, theirs = fields_of(cls(**required)), fields_of(by_sqlmodel(cls, required))
    assert ours.keys() == theirs.keys()
    for name, value in ours.items():
        if cls.model_fields[name].default_factory is None:
            assert value == theirs[name], name
        else:  # a fresh value per row: a new id, the time now, an empty list
            assert type(value) is type(theirs[name]), name


def test_mutable_defaults_are_not_shared() -> None:
    from services.intake.models import IntakeCase

    given: dict[str, Any] = {"channel": "web", "submitter_type": "individual", "status": "accepted"}
    first = IntakeCase(tracking_code="A", received_at=SAMPLE[datetime], **given)
    second = IntakeCase(tracking_code="B", received_at=SAMPLE[datetime], **given)
    first.attachments.append("a")
    assert second.attachments == [] and first.id != second.id


def test_an_unknown_argument_is_refused() -> None:
    from services.router.models import RoutedCase

    with pytest.raises(TypeError, match="no field agnecy"):
        RoutedCase(case_id="c", agnecy="SXD")  # type: ignore[call-arg]


def test_private_attributes_are_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="private attributes"):

        class _Private(Table):
            _secret: int = PrivateAttr(default=0)
