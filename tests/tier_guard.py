"""What a unit test may not do: check out a database connection, start a subprocess or
listen on a socket (a server). tests/conftest.py watches every test of tests/unit with it and
fails the test that did, telling where such a test belongs (tests/component).

Watched where every such use passes, whatever the code under test catches: SQLAlchemy's pool
"checkout" event on the `Engine` class (every connection handed out, new or pooled, to any
engine, sync or async), `subprocess.Popen.__init__` (also behind `subprocess.run` and
`asyncio.create_subprocess_exec`) and `socket.socket.listen` (behind `asyncio`'s servers,
uvicorn and aiosmtpd). Reading a packaged read-only data file with `sqlite3` directly (the
administrative units of `vietnamadminunits`) is reference data, not a database: not watched.
"""

from __future__ import annotations

import socket
import subprocess
import traceback
from pathlib import Path
from typing import Any

_TESTS = str(Path(__file__).parent)


class TierGuard:
    """Records what the watched test did; installed once per process on first use."""

    def __init__(self) -> None:
        self.watching = False
        self.seen: list[str] = []
        self._installed = False

    def watch(self) -> None:
        self._install()
        self.seen.clear()
        self.watching = True

    def stop(self) -> list[str]:
        self.watching = False
        seen, self.seen = list(self.seen), []
        return seen

    def note(self, what: str) -> None:
        if self.watching and len(self.seen) < 5:
            self.seen.append(f"{what} ({_test_frame()})")

    def _install(self) -> None:
        if self._installed:
            return
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
            self.note("checked out a database connection")

        event.listen(Engine, "checkout", checkout)

        real_popen = subprocess.Popen.__init__

        def popen(process: subprocess.Popen[Any], args: Any, *more: Any, **options: Any) -> None:
            self.note(f"started a subprocess {str(args)[:80]}")
            real_popen(process, args, *more, **options)

        subprocess.Popen.__init__ = popen  # type: ignore[method-assign,assignment]

        real_listen = socket.socket.listen

        def listen(sock: socket.socket, *backlog: int) -> None:
            self.note(f"listened on {sock.getsockname()}")
            real_listen(sock, *backlog)

        socket.socket.listen = listen  # type: ignore[method-assign,assignment]
        self._installed = True


def verdict(seen: list[str]) -> str:
    """The failure message for a unit test that did what `seen` lists."""
    return (
        "a unit test must run on pure code and in-memory fakes, but this one "
        + "; ".join(seen)
        + ". Move it (or the part of its module that needs this) to tests/component/ under the"
        " same sub-path; the unit tier stays free of databases, processes and servers."
    )


def _test_frame() -> str:
    """The innermost line of the test suite that led here, to point at the culprit."""
    frames = [f for f in traceback.extract_stack() if f.filename.startswith(_TESTS)]
    frames = [f for f in frames if not f.filename.endswith(("tier_guard.py", "conftest.py"))]
    if not frames:
        return "from the code under test"
    last = frames[-1]
    return f"at {Path(last.filename).relative_to(Path(_TESTS).parent)}:{last.lineno}"
