"""The router's news of each registered case: the agency in charge and its deadlines, kept
from the case events in `intake_case_routing` for the receipt (issue 14).

The intake registers a case before the router routes it, and the services share nothing but
events (docs/architecture.md), so the intake follows the case-event topic in a consumer
group of its own and keeps what the receipt shows: the agency's code and name, the three
deadlines, whether the answer deadline was extended, whether the clock stopped for the
submitter, and the day of the answer. Nothing the submitter wrote is kept here.

What moves what:
- `CaseRouted` (first routing, the triage decision, every transfer and cut-over: the
  router always publishes one for the new hop) sets the agency, its name and the deadlines.
  An extension holds while the answer deadline it set holds (a cut-over keeps the dates).
- `CaseTransferred` changes nothing by itself: the router publishes the `CaseRouted` of the
  new hop in the same transaction, with the new agency's name and deadlines.
- `InfoRequested` stops the clock, `InfoReceived` restarts it with new deadlines;
  `DeadlineExtended` moves the answer deadline, `DeadlinesRecalculated` all three (a new
  holiday table); `CaseAnswered` closes the case.

A case the register does not have is ignored: the receipt exists only for registered cases,
and the intake commits a case before its `CaseAccepted` leaves the outbox, so the router
cannot route a case of this register that is not there yet. Events before a case's first
`CaseRouted` (none in practice: it is the router's first word on a case) are ignored too;
a row needs an agency. Idempotence per event id is the pipeline's (services/kit/consumer.py).
The group starts at the topic's earliest offset: on a system that ran without it, the
cases routed before are filled in (as far as the topic's retention reaches).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.base import Deadlines
from schemas.events import (
    CaseAnswered,
    CaseEvent,
    CaseRouted,
    DeadlineExtended,
    DeadlinesRecalculated,
    InfoReceived,
    InfoRequested,
)
from services.intake.models import CaseRouting, IntakeCase
from services.kit.columns import utc_now
from services.kit.db import Database, recall_in_transaction, remember_in_transaction

CONSUMER = "intake-routing"  # its own de-duplication ids, metrics and consumer group


def apply(row: CaseRouting | None, event: CaseEvent) -> CaseRouting | None:
    """`row` (or a new one, for a case's first routing) with what `event` says, or None when
    the event says nothing the receipt shows. No I/O: the caller loads and stores."""
    if isinstance(event, CaseRouted):
        if row is None:
            row = _new(event)
        elif event.hop < row.hop:
            return None  # older news than the row's
        elif row.due_answer != event.deadlines.answer:
            row.extended = False  # a new hop's deadlines, counted anew
        row.agency, row.agency_name, row.hop = event.agency, event.agency_name, event.hop
        return _dated(row, event.deadlines)
    if row is None:
        return None
    match event:
        case InfoRequested():
            row.waiting_info = True
        case InfoReceived():
            row.waiting_info = False
            _dated(row, event.deadlines)
        case DeadlineExtended():
            row.due_answer, row.extended = event.due_answer, True
        case DeadlinesRecalculated():
            _dated(row, event.deadlines)
        case CaseAnswered():
            row.answered_on, row.waiting_info = event.answered_on, False
        case _:
            return None  # the intake's own outcomes, transfers, reminders, escalations…
    row.updated_at = utc_now()
    return row


def _new(event: CaseRouted) -> CaseRouting:
    deadlines = event.deadlines
    return CaseRouting(
        case_id=event.case_id,
        agency=event.agency,
        due_classify=deadlines.classify,
        due_forward=deadlines.forward,
        due_answer=deadlines.answer,
    )


def _dated(row: CaseRouting, deadlines: Deadlines) -> CaseRouting:
    row.due_classify, row.due_forward = deadlines.classify, deadlines.forward
    row.due_answer, row.updated_at = deadlines.answer, utc_now()
    return row


_RELEVANT = (
    CaseRouted,
    InfoRequested,
    InfoReceived,
    DeadlineExtended,
    DeadlinesRecalculated,
    CaseAnswered,
)


_READ = "pakn_intake_routing_read"  # what `prepare` read for its batch


@dataclass
class _BatchRead:
    routing: dict[str, CaseRouting | None]  # every case of the batch: its row, or None
    registered: set[str]  # the batch's cases this register has


async def prepare(session: AsyncSession, events: Sequence[CaseEvent]) -> None:
    """The pipeline's batch preparation: the routing rows of the batch's cases and which of
    them this register has, in two queries instead of two per event. `record` answers from
    them in this transaction; it would find the same by itself."""
    ids = {e.case_id for e in events if isinstance(e, _RELEVANT)}
    if not ids:
        return
    rows = (await session.exec(select(CaseRouting).where(col(CaseRouting.case_id).in_(ids)))).all()
    found = (await session.exec(select(IntakeCase.id).where(col(IntakeCase.id).in_(ids)))).all()
    routing: dict[str, CaseRouting | None] = dict.fromkeys(ids)
    routing.update((row.case_id, row) for row in rows)
    remember_in_transaction(session, _READ, _BatchRead(routing, set(found)))


def ignored(event: CaseEvent) -> bool:
    """The pipeline's `ignores`: the events `record` does nothing with (the intake's own
    outcomes, transfers, reminders, escalations…), finished without a transaction."""
    return not isinstance(event, _RELEVANT)


async def record(session: AsyncSession, event: CaseEvent) -> None:
    """The pipeline's handler: apply `event` to its case's row, in the pipeline's
    transaction (the row and the event's processed id commit together)."""
    if not isinstance(event, _RELEVANT):
        return  # no read for what changes nothing (the intake's own outcomes, reminders…)
    read: _BatchRead | None = recall_in_transaction(session, _READ)
    if read is not None and event.case_id in read.routing:
        row = read.routing[event.case_id]
        ours = row is not None or event.case_id in read.registered
    else:
        row = await session.get(CaseRouting, event.case_id)
        ours = row is not None or await session.get(IntakeCase, event.case_id) is not None
    if not ours:
        return  # not a case of this register
    changed = apply(row, event)
    if changed is not None:
        session.add(changed)
        if read is not None:
            read.routing[event.case_id] = changed  # the batch's next event of the case


async def routing_of(db: Database, case_id: str) -> CaseRouting | None:
    """What the router last said of the case, or None before its first routing."""
    async with db.session() as session:
        return await session.get(CaseRouting, case_id)
