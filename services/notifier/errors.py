"""The notifier's exception classes, all rooted in `PaknError` (`services/kit/errors.py`).

Each is re-exported by the module that raises it, where it used to be defined, so existing
imports keep working. Not here yet: the mail transport's errors (`MailError` and its
`PermanentMailError`, `TransientMailError`, `UncertainMailError` in `transports.py`) and the
mailer's `LostClaim` (`mailer.py`), which the mailer loop handles itself.
"""

from __future__ import annotations

from services.kit.errors import PaknError

__all__ = ["FilterError", "MailTemplateError", "NotifierError"]


class NotifierError(PaknError):
    """The root of the notifier's exceptions."""


class MailTemplateError(NotifierError, RuntimeError):
    """The e-mail templates and their typed messages disagree: the notifier must not start."""


class FilterError(NotifierError, ValueError):
    """A query parameter cannot be understood; the message is for the person who typed it."""
