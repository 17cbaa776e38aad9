"""Logging: plain text for development, one JSON object per line for production.

`configure(fmt, service=…)` replaces the root logger's handlers. Each record carries the
ids of what is being worked on — `case_id`, `event_id`, `topic`, `partition`, `offset`,
`delivery_id` — from a context variable that the consumer pipeline sets around each
event's handling and the mailer around each delivery (`context(...)`): a line written
anywhere below (a handler, the database layer) says which case it is about.

Never the submitter's name, phone, e-mail or text: only ids are put in the context, errors
are described without the input that failed (`describe`), the database engines hide
statement parameters (`services.kit.db`), and e-mail addresses and phone numbers that a
message still holds (an SMTP server's refusal quotes the recipient) are masked (`scrub`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

LogFormat = Literal["text", "json"]
FIELDS = ("case_id", "event_id", "topic", "partition", "offset", "delivery_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OWN_HANDLERS = (
    "faststream",
    "faststream.access.kafka",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
)

_CONTEXT: ContextVar[dict[str, object]] = ContextVar("pakn_log_context", default={})  # noqa: B039

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Vietnamese numbers, as people write them: 0905 123 456, +84 905-123-456, 0269.3822333
_PHONE = re.compile(r"(?<![\w.])(?:\+?84|0)(?:[ .-]?\d){8,10}(?![\w])")


@contextlib.contextmanager
def context(**ids: object) -> Iterator[None]:
    """Add `ids` (those not None) to every log record written inside the block."""
    token = _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current() -> dict[str, object]:
    return dict(_CONTEXT.get())


def scrub(text: str) -> str:
    """Mask e-mail addresses and phone numbers."""
    return _PHONE.sub("<phone>", _EMAIL.sub("<e-mail>", text))


def describe(error: BaseException, limit: int = 300) -> str:
    """`Type: message` for a log line, without the input a validation error quotes."""
    if isinstance(error, ValidationError):
        places = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['type']}"
            for e in error.errors(include_input=False, include_url=False)[:5]
        )
        return f"ValidationError: {error.error_count()} error(s): {places}"[:limit]
    return scrub(f"{type(error).__name__}: {error}")[:limit]


class ContextFilter(logging.Filter):
    """Puts the context's ids and the service on the record; masks addresses and numbers."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.pakn = current()
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, service, the ids."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": getattr(record, "service", ""),
        }
        ids = getattr(record, "pakn", None)
        line.update(ids if isinstance(ids, dict) else current())
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format, with the ids in brackets when there are any."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = getattr(record, "pakn", None)
        if ids:
            text += " [" + " ".join(f"{k}={v}" for k, v in ids.items()) + "]"
        return text


def handler(fmt: LogFormat, *, service: str = "", stream: Any = None) -> logging.Handler:
    """A stream handler (standard error by default) writing in `fmt`."""
    out = logging.StreamHandler(stream if stream is not None else sys.stderr)
    out.addFilter(ContextFilter(service))
    out.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    return out


def configure(fmt: LogFormat, *, service: str = "", level: int | None = None) -> None:
    """Route every logger (uvicorn's, FastStream's, aiokafka's too) to one handler in `fmt`."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(fmt, service=service))
    for name in OWN_HANDLERS:  # libraries that write to a stream of their own
        library = logging.getLogger(name)
        for old in list(library.handlers):
            library.removeHandler(old)
        library.propagate = True
    if level is not None:
        root.setLevel(level)
    elif root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
