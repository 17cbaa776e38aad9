"""The cases and refusals the report tests seed (issue 14), on SQLite in
tests/component/router/test_reports.py and on PostgreSQL in
tests/integration/test_reports_pg.py: the same rows, so both check the same figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.events import CaseFacts, CaseRefused, Submitter
from services.router.models import RoutedCase, RoutingHop

TODAY = date(2026, 5, 20)  # in the second quarter: the first one is over
REG = "Quyết định số 22/2016/QĐ-UBND"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# (case id, agency, channel, class, kind, regulation, received, status, closed, due_answer)
CASES = [
    # Answered on time: received Mon 5 Jan, answered Mon 12 Jan = 6 working days (Saturday
    # 10 Jan 2026 is worked in exchange for Friday 2 Jan).
    ("c1", "STNMT", "web", "regulation", "kien_nghi", REG, "2026-01-05T09:00+07:00",
     "answered", "2026-01-12T10:00+07:00", date(2026, 1, 19)),
    # Answered late: 2 Mar to 20 Mar = 14 working days, due 16 Mar.
    ("c2", "STNMT", "email", "behaviour", "phan_anh", f" {REG} ", "2026-03-02T08:00+07:00",
     "answered", "2026-03-20T15:00+07:00", date(2026, 3, 16)),
    # Transferred from STNMT to STP, in hand and overdue now.
    ("c3", "STP", "hotline", "regulation", "phan_anh", "", "2026-03-10T10:00+07:00",
     "taken", None, date(2026, 3, 24)),
    # The last minutes of the quarter (in UTC it is still 31 March, 16:30).
    ("c4", "STP", "post", "regulation", "kien_nghi", "", "2026-03-31T23:30+07:00",
     "routed", None, date(2026, 6, 30)),
    # The first minutes of the second quarter (in UTC still 31 March, 17:30): not in Q1.
    ("c5", "STNMT", "web", "regulation", "kien_nghi", "", "2026-04-01T00:30+07:00",
     "routed", None, date(2026, 4, 15)),
    # Still in the triage queue, overdue.
    ("c6", "TRIAGE", "web", "regulation", "phan_anh", "", "2026-02-10T08:00+07:00",
     "routed", None, date(2026, 2, 24)),
    # Answered in the last quarter of 2025, received before: in no figure of Q1 2026.
    ("c7", "STNMT", "web", "regulation", "phan_anh", "", "2025-12-01T08:00+07:00",
     "answered", "2025-12-05T08:00+07:00", date(2025, 12, 15)),
]  # fmt: skip

# (case id, channel, reason, received): what the intake refused, read by the router.
REFUSALS = [
    ("r1", "web", "missing_contact", "2026-01-15T09:00+07:00"),
    ("r2", "email", "duplicate", "2026-02-03T10:00+07:00"),
    # The last minutes of the quarter: in Q1 (in UTC it is still 31 March).
    ("r3", "post", "duplicate", "2026-03-31T23:30+07:00"),
    # The first minutes of the second quarter: not in Q1.
    ("r4", "web", "not_vietnamese", "2026-04-01T00:30+07:00"),
]


def refused_event(case_id: str, channel: str, reason: str, received: str) -> CaseRefused:
    facts = CaseFacts(
        case_id=case_id,
        tracking_code=f"GL-{case_id.upper()}",
        channel=channel,  # type: ignore[arg-type]
        received_at=at(received),
        submitter=Submitter(name="Lê Văn Tâm"),
        title=f"Văn bản {case_id}",
    )
    return CaseRefused(
        correlation_id=case_id, case=facts, reason=reason, message_vi="Không tiếp nhận."
    )


def add_cases(session: AsyncSession) -> None:
    """The rows of `CASES`, a transfer of c3 and a triage decision on c1 (not a transfer)."""
    for cid, agency, channel, cls, kind, reg, received, status, closed, due in CASES:
        received_at = at(received)
        session.add(
            RoutedCase(
                case_id=cid,
                tracking_code=f"GL-{cid.upper()}",
                channel=channel,
                received_at=received_at,
                title=f"Phản ánh {cid}",
                regulation=reg,
                agency=agency,
                status=status,
                case_class=cls,
                kind=kind,
                rule_id="test",
                rules_version="test",
                confidence=1.0,
                due_classify=due,
                due_forward=due,
                due_answer=due,
                calendar_version="test",
                updated_at=at(closed) if closed else received_at,
            )
        )
    session.add(
        RoutingHop(
            case_id="c3",
            hop=2,
            agency="STP",
            from_agency="STNMT",
            rule_id="transfer",
            reason="Thuộc thẩm quyền Sở Tư pháp",
            step="transfer",
            at=at("2026-03-11T09:00+07:00"),
        )
    )
    session.add(  # a triage decision is not a transfer
        RoutingHop(
            case_id="c1",
            hop=2,
            agency="STNMT",
            from_agency="TRIAGE",
            rule_id="assign",
            step="assign",
            at=at("2026-01-06T09:00+07:00"),
        )
    )
