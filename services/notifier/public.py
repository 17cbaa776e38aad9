"""How a public case reads: status words, deadlines met or missed, the transfer chain.

Pure functions of the stored projection; the pages, feeds and Open311 API all use them,
so they never disagree about a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.vocabulary import CLASS_VI, KIND_VI, STAGE_VI, TRIAGE
from services.notifier.directory import shown_name, today_local
from services.notifier.labels import (
    GUIDANCE_VI,
    OUTCOME_VI,
    REFUSAL_VI,
    STATUS_VI,
    TRIAGE_STATUS_VI,
    local_day,
)
from services.notifier.models import PublicCase, PublicTransfer


@dataclass(frozen=True)
class StageDeadline:
    stage: str  # classify | forward | answer
    label_vi: str
    due: date | None
    met: bool | None  # None: not reached yet

    @property
    def verdict_vi(self) -> str:
        if self.met is None:
            return "chưa đến bước này" if self.due is None else "đang trong hạn"
        return "đúng hạn" if self.met else "quá hạn"


def status_vi(case: PublicCase) -> str:
    if case.status == "routed" and case.agency == TRIAGE:
        return TRIAGE_STATUS_VI
    return STATUS_VI.get(case.status, case.status)


def is_open(case: PublicCase) -> bool:
    return case.status not in ("answered", "refused")


def is_overdue(case: PublicCase) -> bool:
    """Overdue now (an escalation and no answer yet) or answered after its deadline."""
    return bool(case.overdue) or case.on_time is False


def _met(case: PublicCase, stage: str, done_on: date | None, due: date | None) -> bool | None:
    if stage in case.missed:
        return False
    if done_on is None or due is None:
        return None
    return done_on <= due


def deadlines(case: PublicCase) -> list[StageDeadline]:
    """Whether each deadline was met, with the router's meaning of each stage: classify
    ends when the case reaches an agency (not the triage queue), forward when the agency
    takes it (or answers it), answer with the answer; an escalation marks its stage missed."""
    taken = case.taken_on or case.answered_on
    answer_met = False if "answer" in case.missed else case.on_time
    return [
        StageDeadline(
            "classify",
            STAGE_VI["classify"],
            case.due_classify,
            _met(case, "classify", case.handled_on, case.due_classify),
        ),
        StageDeadline(
            "forward",
            STAGE_VI["forward"],
            case.due_forward,
            _met(case, "forward", taken, case.due_forward),
        ),
        StageDeadline("answer", STAGE_VI["answer"], case.due_answer, answer_met),
    ]


def timeliness_vi(case: PublicCase) -> str:
    if case.status == "answered":
        return "trả lời đúng hạn" if case.on_time else "trả lời quá hạn"
    return "quá hạn" if case.overdue else ""


def class_vi(case: PublicCase) -> str:
    parts = [CLASS_VI.get(case.case_class or "", ""), KIND_VI.get(case.kind or "", "")]
    return " — ".join(p for p in parts if p)


def outcome_vi(case: PublicCase) -> str:
    return OUTCOME_VI.get(case.outcome or "", "")


def refusal_vi(case: PublicCase) -> str:
    return REFUSAL_VI.get(case.refusal_reason or "", case.refusal_reason or "")


def guidance_vi(case: PublicCase) -> str:
    return GUIDANCE_VI.get(case.guidance_agency or "", "")


def received_on(case: PublicCase) -> date:
    return local_day(case.received_at)


def excerpt(text: str | None, limit: int = 280) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def agency_vi(case: PublicCase, today: date | None = None) -> str:
    """The case's agency as the public pages show it: "Sở Giao thông vận tải (cũ)" when
    the agency no longer exists today."""
    return shown_name(case.agency, case.agency_name, today or today_local())


def hop_vi(code: str, name: str, today: date | None = None) -> str:
    """One end of a transfer, marked "(cũ)" like `agency_vi`."""
    return shown_name(code, name, today or today_local())


def chain_vi(transfers: list[PublicTransfer], today: date | None = None) -> list[str]:
    day = today or today_local()
    return [
        f"{hop_vi(t.from_agency, t.from_agency_name, day)} → {hop_vi(t.to_agency, t.to_agency_name, day)}"
        for t in transfers
    ]
