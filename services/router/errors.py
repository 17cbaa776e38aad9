"""The router's exception classes, all rooted in `PaknError` (`services/kit/errors.py`).

Each is re-exported by the module that raises it, where it used to be defined, so existing
imports keep working. These stop a start-up on bad data files or answer a console form. A
command the consumer's handler cannot carry out (refused by the case lifecycle, naming an
unknown case or agency) raises `PermanentError` (`services/router/guards.py`) and is
dead-lettered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.kit.errors import PaknError

if TYPE_CHECKING:
    from fastapi.responses import Response

__all__ = [
    "AccountError",
    "AgencyDataError",
    "Busy",
    "CalendarDataError",
    "Denied",
    "DraftError",
    "FilterError",
    "FormProblem",
    "RouterError",
    "RulesError",
    "StructureDataError",
    "UnitsDataError",
]


class RouterError(PaknError):
    """The root of the router's exceptions."""


# Data files: the router must not start on them.


class RulesError(RouterError, ValueError):
    """The rules file cannot be used; the message names the file and the rule."""


class AgencyDataError(RouterError, ValueError):
    """The agencies file cannot be used; the message names the file and the entry."""


class CalendarDataError(RouterError, ValueError):
    """The holiday tables are malformed; the message names the bad entry."""


class StructureDataError(RouterError, ValueError):
    """The structure cannot be built from the data; the message names the file and entry."""


class UnitsDataError(RouterError, RuntimeError):
    """The packages' data is not what this module expects (a new version changed it)."""


# The console: answered to the officer.


class AccountError(RouterError, ValueError):
    """An account or token cannot be created as asked; the message is Vietnamese."""


class Busy(RouterError, RuntimeError):
    """Too many logins wait for a password check."""


class FilterError(RouterError, ValueError):
    """A queue filter value that cannot be used; the message is Vietnamese."""


class DraftError(RouterError, ValueError):
    """A draft that cannot be saved or approved; the message is Vietnamese."""


class FormProblem(RouterError, ValueError):
    """A console form field missing or out of bounds; the message is Vietnamese."""


class Denied(RouterError):
    """Stop here and answer with `response` (a login redirect, a 403 or 404 page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response
