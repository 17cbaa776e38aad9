"""The intake's exception classes, all rooted in `PaknError` (`services/kit/errors.py`).

Each is re-exported by the module that raises it, where it used to be defined, so existing
imports keep working. A class that is also a `Permanent` is dead-lettered by the consuming
pipeline; the others are refused to the sender or stop a command, and never reach it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.kit.errors import PaknError, PermanentError

if TYPE_CHECKING:
    from services.intake.problems import Problem

__all__ = [
    "AttachmentRefused",
    "FlatFileError",
    "FormDataError",
    "ImportFailed",
    "IntakeError",
    "ItemProblems",
    "ReceivedOutOfBounds",
]


class IntakeError(PaknError):
    """The root of the intake's exceptions."""


class ReceivedOutOfBounds(IntakeError, PermanentError):
    """An item dated before the register began or in the future: refused at intake with the
    reason (the intake topic marks its payload failed), never passed on to be routed."""


class FormDataError(IntakeError, ValueError):
    """The body is not a readable form; the message is Vietnamese, for the sender."""


class ItemProblems(IntakeError, ValueError):
    """The form's own rules found things to fix before the item can be registered."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(map(str, problems)))
        self.problems = problems


class AttachmentRefused(IntakeError, ValueError):
    """A file that cannot be accepted; the message is Vietnamese, for the sender."""


class FlatFileError(IntakeError):
    """The file cannot be read at all (missing, unknown format, not UTF-8 CSV header)."""


class ImportFailed(IntakeError):
    """The file or the database cannot be used at all; the message says why (Vietnamese)."""
