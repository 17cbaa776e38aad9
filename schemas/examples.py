"""One example of every message, for the AsyncAPI document (`schemas/docs.py`).

Built through the models, so an example that no longer fits its model fails here first;
`tests/unit/test_asyncapi.py` also checks each against the generated JSON Schema.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from schemas import actions, events
from schemas.base import Deadlines
from schemas.submission import Submission

CASE_ID = "3f2a9c4e8b7d4f0e9a1b2c3d4e5f6a7b"
CODE = "GL-K7M2-Q9XR"
AT = datetime(2025, 7, 14, 2, 30, tzinfo=UTC)  # 09:30 in Vietnam
CORRELATION = "portal-2025-000123"
DEADLINES = Deadlines(
    classify=date(2025, 7, 16),
    forward=date(2025, 7, 21),
    answer=date(2025, 8, 11),
    calendar_version="2025-official",
)
SUBMISSION = Submission(
    channel="portal",
    channel_ref="P-2025-000123",
    received_at=datetime.fromisoformat("2025-07-14T09:30:00+07:00"),
    name="Nguyễn Thị Hoa",
    address="45 Lê Lợi, phường Pleiku, tỉnh Gia Lai",
    phone="0905 123 456",
    email="hoa.nguyen@example.com",
    title="Kiến nghị về hạn mức công nhận đất ở",
    content=(
        "Quyết định số 22/2016/QĐ-UBND quy định hạn mức công nhận đất ở chưa phù hợp thực tế; "
        "đề nghị sửa đổi hạn mức cho phù hợp."
    ),
    regulation="Quyết định số 22/2016/QĐ-UBND",
)
FACTS = events.CaseFacts(
    case_id=CASE_ID,
    tracking_code=CODE,
    channel=SUBMISSION.channel,
    received_at=SUBMISSION.received_at,
    submitter=events.Submitter(
        name=SUBMISSION.name,
        address=SUBMISSION.address,
        phone=SUBMISSION.phone,
        email=SUBMISSION.email,
    ),
    title=SUBMISSION.title,
    content=SUBMISSION.content,
    regulation=SUBMISSION.regulation,
)
_CASE = {"correlation_id": CASE_ID, "case_id": CASE_ID, "tracking_code": CODE}
_AGENCY = {"agency": "SNNMT", "agency_name": "Sở Nông nghiệp và Môi trường"}
_COMMAND = {"correlation_id": CASE_ID, "case_id": CASE_ID, "agency": "SNNMT"}
_OFFICER = "tran.van.an"


def _examples() -> dict[str, BaseModel]:
    return {
        "SubmissionReceived": events.SubmissionReceived(
            correlation_id=CORRELATION, submission=SUBMISSION
        ),
        "CaseAccepted": events.CaseAccepted(correlation_id=CORRELATION, case=FACTS),
        "CaseRefused": events.CaseRefused(
            correlation_id=CORRELATION,
            case=FACTS.model_copy(update={"submitter": events.Submitter(name="ẩn danh")}),
            reason="missing_contact",
            message_vi="Phản ánh, kiến nghị chưa ghi rõ họ tên, địa chỉ hoặc số điện thoại.",
        ),
        "CaseRouted": events.CaseRouted(
            **_CASE,
            **_AGENCY,
            agency_email="snnmt@gialai.gov.vn",
            case_class="regulation",
            kind="kien_nghi",
            rule_id="land-use-limits",
            rules_version="2025.7",
            confidence=0.92,
            deadlines=DEADLINES,
            reasons=["Quyết định số 22/2016/QĐ-UBND: đất đai"],
            title=SUBMISSION.title,
            content=SUBMISSION.content,
        ),
        "CaseTransferred": events.CaseTransferred(
            **_CASE,
            from_agency="SXD",
            to_agency="SNNMT",
            reason="Nội dung thuộc lĩnh vực đất đai.",
            by=_OFFICER,
            hop=2,
            transferred_on=date(2025, 7, 15),
            notice_due=date(2025, 7, 22),
        ),
        "CaseTaken": events.CaseTaken(**_CASE, agency="SNNMT", by=_OFFICER),
        "InfoRequested": events.InfoRequested(
            **_CASE,
            **_AGENCY,
            question="Đề nghị cho biết số thửa đất và tờ bản đồ.",
            by=_OFFICER,
            requested_on=date(2025, 7, 16),
        ),
        "InfoReceived": events.InfoReceived(
            **_CASE, agency="SNNMT", by=_OFFICER, received_on=date(2025, 7, 18), deadlines=DEADLINES
        ),
        "DeadlineExtended": events.DeadlineExtended(
            **_CASE,
            agency="SNNMT",
            reason="Cần lấy ý kiến các sở liên quan.",
            by=_OFFICER,
            previous_due=date(2025, 8, 11),
            due_answer=date(2025, 8, 25),
        ),
        "DeadlinesRecalculated": events.DeadlinesRecalculated(
            **_CASE,
            previous=DEADLINES,
            deadlines=DEADLINES.model_copy(update={"answer": date(2025, 8, 12)}),
            reason="Lịch nghỉ năm 2025 được cập nhật.",
        ),
        "DeadlineReminder": events.DeadlineReminder(
            **_CASE,
            agency="SNNMT",
            stage="answer",
            due=date(2025, 8, 11),
            working_days_left=2,
        ),
        "CaseEscalated": events.CaseEscalated(
            **_CASE, agency="SNNMT", stage="answer", due=date(2025, 8, 11)
        ),
        "CaseAnswered": events.CaseAnswered(
            **_CASE,
            **_AGENCY,
            answer="Sở đã tham mưu UBND tỉnh sửa đổi hạn mức tại Quyết định số 05/2025/QĐ-UBND.",
            legal_basis="Luật Đất đai 2024",
            outcome="amendment_proposed",
            answered_by=_OFFICER,
            answered_on=date(2025, 8, 6),
            due_answer=date(2025, 8, 11),
            on_time=True,
        ),
        "DirectoryPublished": events.DirectoryPublished(
            correlation_id="directory",
            version="b1946ac92492d234",
            registry=(_agency(),),
            versions=(_agency(effective_from=date(2025, 3, 1)),),
        ),
        "CalendarPublished": events.CalendarPublished(
            correlation_id="calendar",
            version="5d41402abc4b2a76",
            calendar_version="2025-official",
            years=(
                events.CalendarYear(
                    year=2025,
                    kind="official",
                    source="Thông báo của Bộ Nội vụ",
                    days_off=(date(2025, 9, 1), date(2025, 9, 2)),
                ),
            ),
        ),
        "TakeCase": actions.TakeCase(**_COMMAND, officer=_OFFICER),
        "SubmitAnswer": actions.SubmitAnswer(
            **_COMMAND,
            officer=_OFFICER,
            answer="Sở đã tham mưu UBND tỉnh sửa đổi hạn mức.",
            approved_by="le.thi.binh",
        ),
        "RequestTransfer": actions.RequestTransfer(
            **_COMMAND, officer=_OFFICER, reason="Không thuộc lĩnh vực của Sở.", to_agency="SXD"
        ),
        "AssignFromTriage": actions.AssignFromTriage(
            **{**_COMMAND, "agency": "VPUB"},
            officer=_OFFICER,
            to_agency="SNNMT",
            reason="Lĩnh vực đất đai.",
        ),
        "RequestInfo": actions.RequestInfo(
            **_COMMAND, officer=_OFFICER, question="Đề nghị cho biết số thửa đất."
        ),
        "RecordInfoReceived": actions.RecordInfoReceived(
            **_COMMAND, officer=_OFFICER, note="Người gửi bổ sung số thửa 12, tờ bản đồ 5."
        ),
        "ExtendDeadline": actions.ExtendDeadline(
            **_COMMAND, officer=_OFFICER, reason="Cần lấy ý kiến các sở liên quan."
        ),
    }


def _agency(**changes: Any) -> events.AgencyVersion:
    return events.AgencyVersion(
        code="SNNMT",
        level="province",
        name_vi="Sở Nông nghiệp và Môi trường",
        email="snnmt@gialai.gov.vn",
        fields_vi=("Đất đai", "Nông nghiệp"),
        predecessors=("SNN", "STNMT"),
        **changes,
    )


def payloads() -> dict[str, dict[str, Any]]:
    """Each message's example payload as JSON values, with fixed ids and times."""
    found = {}
    for number, (name, model) in enumerate(_examples().items(), start=1):
        fixed = {"event_id": f"0a1b2c3d4e5f4a5b8c9d{number:012d}", "occurred_at": AT}
        found[name] = model.model_copy(update=fixed).model_dump(mode="json")
    return found
