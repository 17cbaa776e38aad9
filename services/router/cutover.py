"""Cut-over of live work when agencies cease to exist (issue 9, part 4; domain.md §8).

On a day D, every open case held by an agency that is no longer in force on D passes to
its successor as a recorded transfer with the reason "sắp xếp tổ chức bộ máy":

- a department → ``structure.successor(code, D, text)`` (by the case's field words when
  the department was split);
- a district → the commune covering the submitter's address, else the place the text
  names, provided it lies in the district's former area; ambiguous or none → the triage
  queue (VPUB decides);
- anything without a successor → the triage queue.

Unlike an agency's transfer (0002 §3) the clock is not restarted: the case keeps its
deadlines, pauses, extension and state (a taken case stays taken; only a case sent to the
triage queue goes back to ``routed`` so the office can assign it). Each move is its own
transaction with the case row locked, re-checked inside it, so a second run, or two runs
at once, move nothing twice. The events are those of a transfer (``CaseTransferred`` then
``CaseRouted``) through the outbox: the notifier sends the submitter one mail per move.

Applying a cut-over also retires the ended agencies (an ``agency_retired`` audit entry
each): their accounts and API tokens keep reading the cases they held and can no longer
act (``console.access``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseTransferred
from services.kit.columns import utc_now
from services.kit.db import Database
from services.kit.outbox import SqlOutbox
from services.router import audit
from services.router.core import RouterCore
from services.router.domain.agencies import Agency, AgencyRegistry
from services.router.domain.deadlines import notice_due
from services.router.domain.lifecycle import Status
from services.router.emit import SERVICE, TRIAGE, TRIAGE_HOME, emit, emit_routed
from services.router.models import OPEN_STATUSES, AuditEntry, RoutedCase, RoutingHop
from services.router.structure import resolve_place, structure, successor
from services.router.structure.routing import latest_agencies

REASON = "sắp xếp tổ chức bộ máy"
RULE_ID = "cutover.successor"
RULE_TRIAGE = "cutover.triage"
RETIRED = "agency_retired"  # audit action: the agency's accounts read only from then on


def all_agencies() -> AgencyRegistry:
    """The latest version of every agency that ever existed (2023 to today), one per code:
    what accounts, tokens and topics may name."""
    return latest_agencies(structure())


def name_of(code: str) -> str:
    if code == TRIAGE:
        return f"{name_of(TRIAGE_HOME)} (hàng chờ phân loại)"
    agency = structure().latest(code)
    return agency.name_vi if agency else code


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def ending_vi(agency: Agency) -> str:
    """ "UBND huyện Ia Grai chấm dứt hoạt động từ ngày 01/07/2025" (the day after its last)."""
    if agency.effective_to is None:
        return f"{agency.name_vi} chấm dứt hoạt động"
    return f"{agency.name_vi} chấm dứt hoạt động từ ngày {_vn(agency.effective_to + timedelta(days=1))}"


@dataclass(frozen=True)
class Move:
    """One case's passage to its successor, and why (Vietnamese, for the officer)."""

    case_id: str
    tracking_code: str
    from_agency: str
    to_agency: str  # an agency in force on the day, or TRIAGE
    why: str

    @property
    def to_triage(self) -> bool:
        return self.to_agency == TRIAGE


def ended(code: str, day: date) -> Agency | None:
    """The last version of `code` if it is an agency no longer in force on `day`."""
    if code == TRIAGE or structure().agency_on(code, day) is not None:
        return None
    last = structure().latest(code)
    if last is None or last.effective_to is None or last.effective_to >= day:
        return None  # unknown to the structure, or not yet begun: not ours to move
    return last


def plan_move(case: RoutedCase, day: date) -> Move | None:
    """Where `case` goes on `day` (None: open at an agency in force, or closed)."""
    if case.status not in OPEN_STATUSES:
        return None
    gone = ended(case.agency, day)
    if gone is None:
        return None
    end = ending_vi(gone)
    target, why = _successor(case, gone, day)
    if target is None:
        return Move(case.case_id, case.tracking_code, case.agency, TRIAGE, f"{end}; {why}")
    return Move(case.case_id, case.tracking_code, case.agency, target, f"{end}; {why}")


def _successor(case: RoutedCase, gone: Agency, day: date) -> tuple[str | None, str]:
    if gone.level == "district":
        return _commune_of(case, gone.code)
    found = successor(gone.code, day, f"{case.title}\n{case.content}\n{case.regulation}")
    if found is None:
        return None, "không xác định được cơ quan kế nhiệm: chuyển Văn phòng phân loại"
    return found, f"{name_of(found)} tiếp nhận lĩnh vực"


def _commune_of(case: RoutedCase, district: str) -> tuple[str | None, str]:
    """The commune covering the address (else the text), within the district's former area."""
    area = set(structure().district_successors.get(district, ()))
    seen: list[str] = []
    for source, text in (("địa chỉ", case.address), ("nội dung", f"{case.title}\n{case.content}")):
        place = resolve_place(text)
        if place is None:
            continue
        inside = [c.agency_code for c in place.candidates if c.agency_code in area]
        if len(inside) == 1:
            return inside[0], f"theo {source}: {place.reason_vi}"
        seen.append(place.reason_vi)
    if seen:
        return None, (
            f"không xác định được một xã, phường duy nhất ({'; '.join(dict.fromkeys(seen))}): "
            "chuyển Văn phòng phân loại"
        )
    return None, "không tìm thấy xã, phường trong địa chỉ và nội dung: chuyển Văn phòng phân loại"


async def plan(db: Database, *, day: date) -> list[Move]:
    """Every open case that must move on `day`, by tracking code. Changes nothing."""
    async with db.session() as session:
        query = select(RoutedCase).where(col(RoutedCase.status).in_(OPEN_STATUSES))
        cases = (await session.exec(query.order_by(col(RoutedCase.tracking_code)))).all()
    return [move for case in cases if (move := plan_move(case, day)) is not None]


@dataclass(frozen=True)
class Applied:
    moved: tuple[Move, ...]
    retired: tuple[str, ...]  # agencies retired by this run (not those retired before)


async def apply(
    db: Database,
    *,
    core: RouterCore,
    day: date,
    by: str,
    moves: Sequence[Move] | None = None,
) -> Applied:
    """Move each case in its own transaction; a case already moved (or closed) meanwhile
    is skipped. Then retire every ended agency not retired yet."""
    named = replace(core, agencies=all_agencies())  # names and mailboxes of every period
    done: list[Move] = []
    for planned in moves if moves is not None else await plan(db, day=day):
        async with db.transaction() as session:
            move = await _move(session, case_id=planned.case_id, core=named, day=day, by=by)
        if move is not None:
            done.append(move)
    retired = await _retire(db, day=day, by=by)
    return Applied(tuple(done), retired)


async def _move(
    session: AsyncSession, *, case_id: str, core: RouterCore, day: date, by: str
) -> Move | None:
    query = select(RoutedCase).where(RoutedCase.case_id == case_id).with_for_update()
    case = (await session.exec(query)).first()
    move = plan_move(case, day) if case is not None else None
    if case is None or move is None:
        return None
    case.agency, case.hop = move.to_agency, case.hop + 1
    case.rule_id = RULE_TRIAGE if move.to_triage else RULE_ID
    case.confidence = 0.0 if move.to_triage else 1.0
    if move.to_triage and case.status == Status.TAKEN:  # the office assigns only routed cases
        case.status, case.taken_by = Status.ROUTED.value, None
    case.updated_at = utc_now()
    session.add(case)
    reason = f"{REASON.capitalize()}: {move.why}"
    session.add(
        RoutingHop(
            case_id=case.case_id,
            hop=case.hop,
            agency=case.agency,
            rule_id=case.rule_id,
            reason=reason,
            decided_by=by,
            step="transfer",
            from_agency=move.from_agency,
        )
    )
    outbox = SqlOutbox(session, service=SERVICE)
    emit(outbox, core=core, case_id=case.case_id, event=_transferred(case, move, core, day, by))
    emit_routed(outbox, case=case, core=core, decided_by=by, reasons=(reason,))
    audit.record(
        session,
        action="cutover",
        actor=by,
        agency=move.from_agency,
        case_id=case.case_id,
        detail=f"{move.from_agency} → {move.to_agency}: {move.why}",
    )
    return move


def _transferred(
    case: RoutedCase, move: Move, core: RouterCore, day: date, by: str
) -> CaseTransferred:
    """What the submitter reads (the notifier's transfer mail): why, who, and that the
    deadlines stay as they were. No address words: the reason is published too."""
    to_name = name_of(move.to_agency)
    taker = (
        "Văn phòng UBND tỉnh phân loại và giao cơ quan có thẩm quyền"
        if move.to_triage
        else f"{to_name} tiếp nhận, xử lý theo thẩm quyền"
    )
    gone = structure().latest(move.from_agency)
    ending = ending_vi(gone) if gone else f"{move.from_agency} chấm dứt hoạt động"
    reason = (
        f"Sắp xếp tổ chức bộ máy: {ending}; "
        f"hồ sơ được chuyển để {taker}. Thời hạn trả lời không thay đổi "
        f"(hạn trả lời: {_vn(case.due_answer)})."
    )
    return CaseTransferred(
        correlation_id=case.case_id,
        case_id=case.case_id,
        tracking_code=case.tracking_code,
        from_agency=move.from_agency,
        to_agency=move.to_agency,
        reason=reason,
        by=by,
        hop=case.hop,
        from_agency_name=name_of(move.from_agency),
        to_agency_name=to_name,
        transferred_on=day,
        notice_due=notice_due(day, calendar=core.calendar, policy=core.policy),
        reorganisation=True,
    )


async def retired_agencies(session: AsyncSession) -> set[str]:
    query = select(AuditEntry.agency).where(AuditEntry.action == RETIRED)
    return set((await session.exec(query)).all())


async def is_retired(session: AsyncSession, agency: str) -> bool:
    """Whether a cut-over has retired `agency` (its accounts then only read)."""
    if agency == TRIAGE_HOME:
        return False
    query = select(AuditEntry.id).where(AuditEntry.action == RETIRED)
    return (
        await session.exec(query.where(AuditEntry.agency == agency).limit(1))
    ).first() is not None


async def _retire(db: Database, *, day: date, by: str) -> tuple[str, ...]:
    async with db.transaction() as session:
        already = await retired_agencies(session)
        codes = [a.code for a in all_agencies().agencies if ended(a.code, day) is not None]
        new = [code for code in codes if code not in already]
        for code in new:
            audit.record(
                session,
                action=RETIRED,
                actor=by,
                agency=code,
                detail=f"{name_of(code)} chấm dứt hoạt động; cắt chuyển ngày {_vn(day)}",
            )
    return tuple(new)


async def held_before(session: AsyncSession, *, case_id: str, agency: str) -> bool:
    """Whether `agency` held the case at some hop (a retired agency still reads it)."""
    query = select(RoutingHop.id).where(RoutingHop.case_id == case_id)
    query = query.where(RoutingHop.agency == agency).limit(1)
    return (await session.exec(query)).first() is not None
