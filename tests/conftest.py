"""Fixtures shared by all tests."""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tier_guard import TierGuard, verdict
from tests.tier_select import TIERS, selects_tier

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


# Each tier is a directory under tests/, marked by its name (markers declared in
# pyproject.toml); tests/unit is the tier without a marker. README: "The tests come in tiers".
_TIERS = {
    "component": pytest.mark.component,
    "fuzz": pytest.mark.fuzz,
    "integration": pytest.mark.integration,
    "browser": pytest.mark.browser,
}
# The tiers that run without any service: unit, component and fuzz.
_FAST_TIERS = {"unit", "component", "fuzz"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by its tier's directory: `-m "not integration and not browser and not
    fuzz and not component"` is the unit tier alone, `-m component` the component tier."""
    for item in items:
        tier = _tier(item.path)
        if tier in _TIERS:
            item.add_marker(_TIERS[tier])


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not collect a tier's directory that the `-m` expression leaves out whole."""
    markexpr = str(config.getoption("markexpr", "") or "")
    if not markexpr or collection_path.name not in TIERS:
        return None
    if collection_path.resolve().parent != _TESTS:
        return None
    return True if selects_tier(markexpr, collection_path.name) is False else None


_TESTS = Path(__file__).resolve().parent
_GUARD = TierGuard()


@pytest.fixture(autouse=True)
def _unit_tests_use_no_database_process_or_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test of tests/unit is watched from its first function-scoped fixture to its end:
    a database connection, a subprocess or a listening socket fails it (`tests.tier_guard`;
    the verdict is given by `pytest_runtest_call` below, so that it is a failure)."""
    if _tier(request.node.path) != "unit":
        yield
        return
    _GUARD.watch()
    yield
    _GUARD.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a unit test that did what the guard above watches for, even if it passed."""
    try:
        return (yield)
    finally:
        if _GUARD.watching and (seen := _GUARD.stop()):
            pytest.fail(verdict(seen), pytrace=False)


_ROUTER_CORE: list[Any] = []


def _router_core_loaded_once(**files_and_topics: Any) -> Any:
    """`services.router.core.load_core` for the fast tiers' routers: the packaged data
    files are read and checked once per process (a fifth of a second each time, some
    ninety routers a run) and the frozen `RouterCore` is shared, with each router's own
    topics. A router given files of its own loads them as before."""
    from services.router.core import load_core

    topics = files_and_topics.pop("topics", None)
    if any(files_and_topics.values()):
        return load_core(**files_and_topics, topics=topics)
    if not _ROUTER_CORE:
        _ROUTER_CORE.append(load_core())
    core = _ROUTER_CORE[0]
    return core if topics is None else dataclasses.replace(core, topics=topics)


@pytest.fixture(autouse=True)
def _routers_share_the_packaged_data(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """In the fast tiers, every `RouterService` built on the packaged data shares one loaded
    core (the integration tier's services load theirs as in production)."""
    if _tier(request.node.path) in _FAST_TIERS:
        import services.router.service

        monkeypatch.setattr(services.router.service, "load_core", _router_core_loaded_once)
    yield


# scrypt n = 2**10 where production uses 2**15 (32 MiB and 0.1–0.2 s a hash on a busy 2-core
# machine): the component tier's console and embedded tests create some 180 accounts a run.
_FAST_TIERS_SCRYPT_LOG_N = 10


@pytest.fixture(autouse=True)
def _passwords_are_hashed_cheaply_in_the_fast_tiers(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the fast tiers, new password hashes use scrypt with n = 2**10 and say so
    (`scrypt$10$8$1$…`); `verify_password` reads the parameters each hash names, so every
    hash verifies whoever made it and at whatever cost. A test module that imports
    `hash_password` itself tests the hashing and keeps the production cost, as does the
    integration tier."""
    if _tier(request.node.path) not in _FAST_TIERS:
        return
    from services.router.console import credentials

    module = getattr(request.node, "module", None)
    if getattr(module, "hash_password", None) is credentials.hash_password:
        return
    monkeypatch.setattr(credentials, "LOG_N", _FAST_TIERS_SCRYPT_LOG_N)


def _tier(path: Path) -> str:
    try:
        return path.relative_to(Path(__file__).parent).parts[0]
    except ValueError:
        return ""
