"""Deadlines met or missed, status words and timeliness as the public reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.notifier import public
from services.notifier.models import PublicCase


def _case(**changes: Any) -> PublicCase:
    fields: dict[str, Any] = {
        "case_id": "c",
        "tracking_code": "GL-2222-2222",
        "channel": "web",
        "received_at": datetime(2023, 1, 18, 2, 30, tzinfo=UTC),
        "status": "routed",
        "agency": "STNMT",
        "due_classify": date(2023, 1, 30),
        "due_forward": date(2023, 2, 1),
        "due_answer": date(2023, 2, 8),
    }
    return PublicCase(**{**fields, **changes})


def _verdicts(case: PublicCase) -> dict[str, bool | None]:
    return {d.stage: d.met for d in public.deadlines(case)}


def test_stages_not_reached_are_neither_met_nor_missed() -> None:
    assert _verdicts(_case()) == {"classify": None, "forward": None, "answer": None}
    assert [d.verdict_vi for d in public.deadlines(_case())] == ["đang trong hạn"] * 3


def test_each_stage_is_judged_by_when_it_ended() -> None:
    case = _case(
        handled_on=date(2023, 1, 18),
        taken_on=date(2023, 2, 2),  # one day after the forwarding deadline
        status="answered",
        answered_on=date(2023, 2, 6),
        on_time=True,
    )
    assert _verdicts(case) == {"classify": True, "forward": False, "answer": True}
    assert public.timeliness_vi(case) == "trả lời đúng hạn" and not public.is_overdue(case)


def test_an_escalation_marks_its_stage_missed_and_the_case_overdue() -> None:
    case = _case(handled_on=date(2023, 1, 18), overdue=True, missed=["answer"])
    assert _verdicts(case)["answer"] is False and public.is_overdue(case)
    assert public.timeliness_vi(case) == "quá hạn"


def test_an_answer_without_taking_ends_the_forwarding_stage() -> None:
    case = _case(handled_on=date(2023, 1, 18), answered_on=date(2023, 1, 31), on_time=True)
    assert _verdicts(case)["forward"] is True


def test_the_triage_queue_reads_as_classification() -> None:
    assert public.status_vi(_case(agency="TRIAGE")) == "Đang phân loại, chọn cơ quan xử lý"
    assert public.status_vi(_case(status="waiting_info")) == "Chờ người gửi bổ sung thông tin"
