"""Everything the case page shows: the original, the deadlines, the rule that routed it,
and its whole history (hops, clock stops, reminders and escalations, commands sent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.router import audit
from services.router.console.access import Officer, may_see
from services.router.console.drafts import PublicPreview, drafts_of, pending, preview
from services.router.console.queue import QueueRow, row_of
from services.router.console.sending import applied
from services.router.cutover import held_before
from services.router.domain.calendar import HolidayCalendar
from services.router.domain.explain import officer_reason
from services.router.models import (
    AnswerDraft,
    AuditEntry,
    ClockPause,
    DeadlineNotice,
    RoutedCase,
    RoutingHop,
)

# A command still unapplied after this long was most likely refused by the router.
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class SentCommand:
    entry: AuditEntry
    state: str  # applied | pending | stale


@dataclass(frozen=True)
class CaseFile:
    row: QueueRow
    hops: list[RoutingHop]
    pauses: list[ClockPause]
    notices: list[DeadlineNotice]
    commands: list[SentCommand]
    drafts: list[AnswerDraft]
    draft: AnswerDraft | None
    draft_preview: PublicPreview | None
    question: PublicPreview

    @property
    def case(self) -> RoutedCase:
        return self.row.case

    def reason_of(self, hop: RoutingHop, name_of: Callable[[str], str]) -> str:
        """Why `hop` went where it went, in plain Vietnamese (the rules' own notes stay in
        the stored hop and the audit log, for developers)."""
        reasons = [part for part in hop.reason.split("; ") if part] if hop.reason else []
        return officer_reason(
            agency=hop.agency,
            agency_name=name_of(hop.agency),
            rule_id=hop.rule_id,
            case_class=self.case.case_class,
            kind=self.case.kind,
            regulation=self.case.regulation if hop.decided_by == "router" else "",
            reasons=reasons,
            decided_by=hop.decided_by,
        )

    def routing_reason(self, name_of: Callable[[str], str]) -> str:
        """Why the case is where it is: the plain reason of its current hop."""
        current = [hop for hop in self.hops if hop.hop == self.case.hop]
        return self.reason_of(current[-1], name_of) if current else ""


async def visible_case(
    session: AsyncSession, *, officer: Officer, case_id: str
) -> RoutedCase | None:
    """The case if this officer may see it; None for unknown and foreign cases alike."""
    case = await session.get(RoutedCase, case_id[:32])
    if case is None:
        return None
    if may_see(officer, case.agency):
        return case
    # A retired agency (cut-over) still reads the cases it held, and acts on none.
    held = officer.retired and await held_before(
        session, case_id=case.case_id, agency=officer.agency
    )
    return case if held else None


async def _hops(session: AsyncSession, case_id: str) -> list[RoutingHop]:
    query = select(RoutingHop).where(RoutingHop.case_id == case_id)
    return list((await session.exec(query.order_by(col(RoutingHop.id)))).all())


async def _pauses(session: AsyncSession, case_id: str) -> list[ClockPause]:
    query = select(ClockPause).where(ClockPause.case_id == case_id)
    return list((await session.exec(query.order_by(col(ClockPause.id)))).all())


async def _notices(session: AsyncSession, case_id: str) -> list[DeadlineNotice]:
    query = select(DeadlineNotice).where(DeadlineNotice.case_id == case_id)
    return list((await session.exec(query.order_by(col(DeadlineNotice.id)))).all())


async def _commands(session: AsyncSession, case_id: str, now: datetime) -> list[SentCommand]:
    found = []
    for entry in await audit.commands_of(session, case_id=case_id):
        assert entry.event_id is not None
        if await applied(session, entry.event_id):
            state = "applied"
        else:
            state = "stale" if now - entry.at > STALE_AFTER else "pending"
        found.append(SentCommand(entry, state))
    return found


async def load_case_file(
    session: AsyncSession,
    *,
    case: RoutedCase,
    today: date,
    now: datetime,
    calendar: HolidayCalendar,
    due_soon_days: int,
) -> CaseFile:
    drafts = await drafts_of(session, case_id=case.case_id)
    draft = pending([d for d in drafts if d.agency == case.agency])  # not a former holder's
    draft_preview = (
        preview(case, answer=draft.answer, legal_basis=draft.legal_basis) if draft else None
    )
    return CaseFile(
        row=row_of(case, today=today, calendar=calendar, due_soon_days=due_soon_days),
        hops=await _hops(session, case.case_id),
        pauses=await _pauses(session, case.case_id),
        notices=await _notices(session, case.case_id),
        commands=await _commands(session, case.case_id, now),
        drafts=drafts,
        draft=draft,
        draft_preview=draft_preview,
        question=preview(case, answer="", legal_basis=""),
    )
