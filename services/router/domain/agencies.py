"""The agencies a case can be routed to, with the dates their structure is in force.

The province's structure changes (the 2025 merger abolished district-level government), so
every agency carries `effective_from`/`effective_to` and routing asks which agencies exist on
the day the item was received.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.router.errors import AgencyDataError

DEFAULT_AGENCIES = Path(__file__).resolve().parent.parent / "data" / "agencies.yaml"

# "commune": the commune-level People's Committees that are agencies since 1 Jul 2025
# (services/router/structure builds them from the package of administrative units).
Level = Literal["province", "district", "commune", "central"]

# Deliberately simple: the addresses come from the province's own file, and pydantic's
# EmailStr would pull in the email-validator package for no real gain here.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


# libyaml's loader when the platform has it: the rules file is read at every start-up.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    """Parse a YAML data file (OSError and yaml.YAMLError propagate)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def in_period(day: date, start: date | None, end: date | None) -> bool:
    """Whether `day` falls in [start, end]; an open end means "until further notice"."""
    return (start is None or start <= day) and (end is None or day <= end)


def first_error(exc: ValidationError) -> str:
    """The first validation error as one line, located: `email: invalid e-mail address`."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


class Agency(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    level: Level
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    fields: tuple[str, ...] = ()
    fields_vi: tuple[str, ...] = ()  # lĩnh vực, for citizens: the answers list's filter
    email: str
    effective_from: date
    effective_to: date | None = None
    # Codes of the agencies whose work this one took over when it began (the 2025
    # merger: SXD <- SXD, SGTVT); empty for the 2023 structure.
    predecessors: tuple[str, ...] = ()

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"agency code {value!r} must be 2-10 capitals/digits, e.g. STNMT")
        return value

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"invalid e-mail address {value!r}")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Agency:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def is_active_on(self, day: date) -> bool:
        return in_period(day, self.effective_from, self.effective_to)


class AgencyRegistry(BaseModel):
    """All known agencies; codes are unique across the whole file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agencies: tuple[Agency, ...]

    @model_validator(mode="after")
    def _unique_codes(self) -> AgencyRegistry:
        seen: set[str] = set()
        for agency in self.agencies:
            if agency.code in seen:
                raise ValueError(f"agency code {agency.code!r} appears twice")
            seen.add(agency.code)
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(agency.code for agency in self.agencies)

    def get(self, code: str) -> Agency | None:
        known = _BY_CODE.get(id(self))
        if known is None or known[0] is not self:
            known = (self, {agency.code: agency for agency in self.agencies})
            _keep(_BY_CODE, id(self), known)
        return known[1].get(code)  # codes are unique

    def active_on(self, day: date) -> AgencyRegistry:
        """The agencies in force on `day` (the day an item was received)."""
        known = _BY_DAY.get((id(self), day))
        if known is None or known[0] is not self:
            found = AgencyRegistry(agencies=tuple(a for a in self.agencies if a.is_active_on(day)))
            known = (self, found)
            _keep(_BY_DAY, (id(self), day), known)
        return known[1]


# Lookups worked out once per registry (and day), outside the models so that they do not
# take part in comparing them. Each entry holds its registry: an id is not reused meanwhile.
_BY_CODE: dict[int, tuple[AgencyRegistry, dict[str, Agency]]] = {}
_BY_DAY: dict[tuple[int, date], tuple[AgencyRegistry, AgencyRegistry]] = {}
_KEPT = 4096


def _keep(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) >= _KEPT:
        memo.clear()
    memo[key] = value


def parse_agencies(data: object, *, source: str = "agencies") -> AgencyRegistry:
    """Validate already-parsed YAML; errors name the offending entry's code."""
    if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
        raise AgencyDataError(f"{source}: expected a mapping with an `agencies` list")
    agencies = []
    for index, entry in enumerate(data["agencies"]):
        label = entry.get("code", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            agencies.append(Agency.model_validate(entry))
        except ValidationError as exc:
            raise AgencyDataError(f"{source}: agency {label}: {first_error(exc)}") from exc
    try:
        return AgencyRegistry(agencies=tuple(agencies))
    except ValidationError as exc:
        raise AgencyDataError(f"{source}: {first_error(exc)}") from exc


def load_agencies(path: Path | str | None = None) -> AgencyRegistry:
    """Read and validate the agencies file (default: the packaged 2023 structure)."""
    source = Path(path) if path is not None else DEFAULT_AGENCIES
    try:
        data = read_yaml(source)
    except (OSError, yaml.YAMLError) as exc:
        raise AgencyDataError(f"{source}: cannot read: {exc}") from exc
    return parse_agencies(data, source=str(source))
