"""`pakn classify FILE`: an offline dry run of intake → routing → redaction (interfaces.md §2).

It composes the services' own use cases with no broker and no database: the intake's
register runs on its in-memory storage (services/intake/memory_store.py) and the router's
routing on its own (services/router/dry_run.py) on the `CaseAccepted` the register staged,
so what it prints is what the running services would decide for the same items.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

from schemas.base import Event
from schemas.events import CaseAccepted
from schemas.submission import Submission
from schemas.topics import Topics
from services.intake.domain.admissibility import RefusalReason
from services.intake.domain.normalise import normalise_submission
from services.intake.flatfile import FlatLine, read_flat
from services.intake.memory_store import MemoryStorage
from services.intake.register import Registration, register_submission
from services.router.core import RouterCore, load_core
from services.router.domain.calendar import local_date
from services.router.domain.classify import RoutingInput
from services.router.domain.deadlines import compute_deadlines
from services.router.dry_run import route_dry
from services.text.redaction import KnownPersonalData, redact_case

GUIDANCE_AGENCY = {RefusalReason.COMPLAINT_OR_DENUNCIATION: "TTR"}
DRY_RUN = Topics("classify")  # the events the register stages here are never published
T = TypeVar("T")


class Register:
    """The intake's register during one dry run: its own use case on an in-memory storage."""

    def __init__(self) -> None:
        self.storage = MemoryStorage()

    def outcome(self, item: Submission) -> tuple[CaseAccepted | None, RefusalReason | None]:
        """The `CaseAccepted` the register stages for `item` after the items before it
        (None if refused), and why not. An item that is not a case of its own (the same
        channel message again, or a repeat by the same channel within a day) is a duplicate
        of the first."""
        registration, staged = completed(self._register(item))
        if not registration.created:
            return None, RefusalReason.DUPLICATE
        reason = registration.case.reason
        accepted = next((e for e in staged if isinstance(e, CaseAccepted)), None)
        return accepted, RefusalReason(reason) if reason else None

    async def _register(self, item: Submission) -> tuple[Registration, list[Event]]:
        async with self.storage.transaction() as uow:
            registration = await register_submission(uow, submission=item, topics=DRY_RUN)
        staged = [entry.event for entry in self.storage.outbox]
        self.storage.outbox.clear()  # a dry run publishes nothing: its events are not kept
        return registration, staged


def completed(step: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (the in-memory storage never does), with
    no event loop: `pakn classify` reads and prints line by line, synchronously."""
    try:
        step.send(None)
    except StopIteration as done:
        return done.value
    step.close()
    raise RuntimeError("the in-memory register waited for something")


def classify_item(item: Submission, *, core: RouterCore, register: Register) -> dict[str, Any]:
    item = normalise_submission(item)
    accepted, reason = register.outcome(item)  # the intake's register use case
    due = compute_deadlines(item.received_at, calendar=core.calendar, policy=core.policy)
    public = redact_case(item.title, item.content, known=_known(item))
    result: dict[str, Any] = {
        "id": item.channel_ref,
        "accepted": accepted is not None,
        "reason": reason.value if reason else None,
        "class": None,
        "kind": None,
        "agency": GUIDANCE_AGENCY.get(reason) if reason else None,
        "rule": None,
        "confidence": None,
        "due_classify": due.classify.isoformat(),
        "due_forward": due.forward.isoformat(),
        "due_answer": due.answer.isoformat(),
        "public": {"title": public.title, "content": public.content},
    }
    if accepted is not None:
        result.update(_routing(accepted, core))
    return result


def routing_input(item: Submission) -> RoutingInput:
    """What the router reads of a submission (as the running router reads the case): for the
    benchmarks and tests that time or compare the rules alone."""
    return RoutingInput(
        title=item.title,
        content=item.content,
        address=item.address,
        regulation=item.regulation,
        submitter_type=item.submitter_type.value,
        channel=item.channel.value,
        received_on=local_date(item.received_at),
    )


def _routing(accepted: CaseAccepted, core: RouterCore) -> dict[str, Any]:
    """The router's routing use case on its in-memory store, on the event the register
    staged: what the running router would publish for this case."""
    routed = route_dry(accepted, core=core)
    return {
        "class": routed.case_class,
        "kind": routed.kind,
        "agency": routed.agency,
        "rule": routed.rule_id,
        "confidence": round(routed.confidence, 3),
    }


def _known(item: Submission) -> KnownPersonalData:
    individual = item.submitter_type.value == "individual"
    return KnownPersonalData(
        name=item.name if individual else "",
        organization="",
        address=item.address,
        phone=item.phone,
        email=item.email,
    )


def classify_lines(lines: Iterator[FlatLine], *, core: RouterCore) -> Iterator[dict[str, Any]]:
    register = Register()
    for line in lines:
        if line.submission is None:
            yield {"id": line.item_id, "line": line.line_no, "error": line.error}
        else:
            yield classify_item(line.submission, core=core, register=register)


def run(path: Path, *, out: TextIO, err: TextIO) -> int:
    core = load_core()
    malformed = 0
    for result in classify_lines(read_flat(path), core=core):
        if "error" in result:
            malformed += 1
            print(f"line {result['line']}: {result['error']}", file=err)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    if malformed:
        print(f"{malformed} malformed line(s) reported above", file=err)
    return 0
