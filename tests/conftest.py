"""Fixtures shared by all tests."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

# The project's scripts start these; the README's test command exports them.
KAFKA = os.environ.get("PAKN_TEST_KAFKA", "127.0.0.1:19092")
PG_DSN = os.environ.get("PAKN_TEST_PG_DSN", "postgresql://pakn:pakn@127.0.0.1:15432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


_TIERS = {"integration": pytest.mark.integration, "browser": pytest.mark.browser}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by its tier's directory: `-m "not integration and not browser"` is
    the fast tier alone (markers declared in pyproject.toml)."""
    here = Path(__file__).parent
    for item in items:
        try:
            tier = item.path.relative_to(here).parts[0]
        except ValueError:
            continue
        if tier in _TIERS:
            item.add_marker(_TIERS[tier])
