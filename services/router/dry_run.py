"""The router's routing use case on the in-memory store, for a dry run (`pakn classify`):
what it returns is what the running router decides and publishes for the same case.

`route_in_memory` runs `usecases.route_accepted` (the rules, the map point, the deadlines
under the calendar in force) on a fresh `MemoryStorage` and returns the `CaseRouted` it
staged: the agency and its name, class, kind, rule, rules version, confidence, the
deadlines, the reasons and the officers' reason. Nothing in memory ever waits, so
`route_dry` drives it to its end without an event loop.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

from schemas.events import CaseAccepted, CaseRouted
from services.router.core import RouterCore
from services.router.handlers import in_force
from services.router.memory_store import MemoryStorage
from services.router.usecases import route_accepted

T = TypeVar("T")


async def route_in_memory(event: CaseAccepted, *, core: RouterCore) -> CaseRouted:
    """The routing of the accepted case `event`, as the router's consumer does it."""
    storage = MemoryStorage(calendar=core.calendar)
    async with storage.transaction() as uow:
        routed = await route_accepted(uow, event=event, core=await in_force(uow, core))
    assert routed is not None, "a fresh store has routed no case yet"
    return routed


def route_dry(event: CaseAccepted, *, core: RouterCore) -> CaseRouted:
    """`route_in_memory`, synchronously (no event loop needed or used)."""
    return _finished(route_in_memory(event, core=core))


def _finished(step: Coroutine[Any, Any, T]) -> T:
    try:
        step.send(None)
    except StopIteration as done:
        return done.value
    step.close()
    raise RuntimeError("the in-memory routing waited for something")
