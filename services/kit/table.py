"""`Table`, the base of every service's table models: SQLModel, with a constructor that
costs microseconds instead of a tenth of a millisecond.

SQLModel does not validate a table model's arguments; its `__init__` only fills in the
defaults and then sets each field through SQLAlchemy's and pydantic's `__setattr__` (about
100 µs for a row of twenty fields on this machine; a case makes several rows in every
service, and `pakn classify` several per item). `Table.__init__` leaves the instance in the
same state at a tenth of the cost: the same `__dict__`, the same pydantic bookkeeping, and the
same SQLAlchemy state a pending object has after those `__setattr__` calls (every field
marked as changed from "no value", the instance modified). Two differences, both stricter: an
argument that is not a field raises `TypeError` (SQLModel ignores it), and a table with
relationships, aliases, private attributes or assignment validation is refused when it is
declared, since this constructor does not do their work.

Rows read from the database never pass through `__init__` (SQLAlchemy builds them), so this
changes only rows the services create. `tests/unit/kit/test_table.py` compares the two
constructors' results.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.base import instance_state as _instance_state
from sqlmodel import SQLModel
from sqlmodel._compat import finish_init  # SQLModel's "build the SQLAlchemy state only" flag

_IMMUTABLE = (type(None), str, int, float, bool, bytes, Decimal, date, datetime, Enum, tuple)
Default = Callable[[], Any]


class Table(SQLModel):
    """Subclass with `table=True`, as SQLModel itself: `class Case(Table, table=True)`."""

    __defaults__: ClassVar[dict[str, Default]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__defaults__ = _plan(cls)

    def __init__(self, **values: Any) -> None:
        if not finish_init.get():  # SQLModel's model_validate builds the state only
            return
        cls = type(self)
        defaults = cls.__defaults__
        unknown = values.keys() - defaults.keys()
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        fields = {
            name: values[name] if name in values else make() for name, make in defaults.items()
        }
        for name in [name for name, value in fields.items() if value is _REQUIRED]:
            del fields[name]  # as SQLModel: a required field not given is left unset
        self.__dict__.update(fields)
        state = _instance_state(self)
        state.committed_state.update(dict.fromkeys(fields, NO_VALUE))
        state.modified = True
        object.__setattr__(self, "__pydantic_fields_set__", set(values))
        object.__setattr__(self, "__pydantic_extra__", None)
        object.__setattr__(self, "__pydantic_private__", None)


_REQUIRED = object()


def _plan(cls: type[Table]) -> dict[str, Default]:
    """Each field's default, as a function giving a fresh value (or `_REQUIRED`), once per
    class when it is declared."""
    if cls.__sqlmodel_relationships__ or cls.__private_attributes__:
        raise TypeError(f"{cls.__name__}: Table does not build relationships or private attributes")
    if cls.model_config.get("validate_assignment") or cls.model_config.get("extra") == "allow":
        raise TypeError(f"{cls.__name__}: Table does not validate or keep extra values")
    plan: dict[str, Default] = {}
    for name, field in cls.model_fields.items():
        if field.alias not in (None, name):
            raise TypeError(f"{cls.__name__}.{name}: Table does not read aliases")
        if field.default_factory_takes_validated_data:
            raise TypeError(f"{cls.__name__}.{name}: Table does not pass data to default factories")
        plan[name] = _default(field.default_factory, field.default, required=field.is_required())
    return plan


def _default(factory: Any, value: Any, *, required: bool) -> Default:
    if required:
        return lambda: _REQUIRED
    if factory is not None:
        return factory
    if isinstance(value, _IMMUTABLE):
        return lambda: value
    return lambda: copy.deepcopy(value)  # as pydantic: a mutable default is copied per row
