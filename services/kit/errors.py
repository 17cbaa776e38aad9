"""The root of every exception the services raise, and the pipeline's decision it carries.

Every service keeps its own exception classes in its `errors.py` (`services/intake/errors.py`,
`services/router/errors.py`, `services/notifier/errors.py`), each rooted in `PaknError`
through the service's own root (`IntakeError`, `RouterError`, `NotifierError`). A class says
what the consuming pipeline (`services/kit/consumer.py`) does when a handler raises it:

- `Transient`: the work may succeed later: retried with back-off, then redelivered;
- `Permanent`: it can never succeed (a bad reference, a broken invariant): dead-lettered;
- any other `PaknError`, like any other exception, is a bug or bad data: dead-lettered, so a
  poison message does not block its partition.

Infrastructure errors that are not ours (a database or broker away) are recognised by
`services.kit.faults.is_transient` and retried as well. An explicit `Permanent` wins over a
transient cause it was raised from. Most classes also keep the built-in base they had
(`ValueError`, `RuntimeError`), so existing `except ValueError` clauses still catch them.
"""

from __future__ import annotations

__all__ = [
    "MissingSetting",
    "NotReady",
    "PaknError",
    "ParameterError",
    "Permanent",
    "PermanentError",
    "Redeliver",
    "Transient",
]


class PaknError(Exception):
    """The root of every exception class of the PAKN services."""


class Permanent(PaknError):
    """Handling this message can never succeed: the pipeline dead-letters it."""


class Transient(PaknError):
    """The work may succeed later: the pipeline retries it, then asks for redelivery."""


class PermanentError(Permanent):
    """Handling this event can never succeed (bad reference, broken invariant): dead-letter it.

    The name the services have raised since the beginning (`services.kit.consumer` still
    exports it); dead-letter headers name it (`dlq_error: PermanentError: …`)."""


class Redeliver(Transient):
    """Raised by a pipeline to have the transport deliver the same message again later."""


class NotReady(Transient):
    """Why a process is not ready that no other error says: the Kafka cluster does not
    answer, a consumer lags too far behind (`services.kit.health`, `/readyz`)."""


class MissingSetting(PaknError, RuntimeError):
    """A setting the service cannot start without; the message names the variable."""


class ParameterError(PaknError, ValueError):
    """A query or path parameter out of its form or bounds; the message is Vietnamese."""
