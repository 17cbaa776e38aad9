"""Case events and a notifier on a throw-away SQLite database, for the notifier's tests."""

from __future__ import annotations

import random
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import httpx

from schemas.events import (
    CASE_EVENT_ADAPTER,
    CaseAccepted,
    CaseAnswered,
    CaseEscalated,
    CaseEvent,
    CaseFacts,
    CaseRefused,
    CaseRouted,
    CaseTaken,
    CaseTransferred,
    DeadlineExtended,
    DeadlineReminder,
    Deadlines,
    DeadlinesRecalculated,
    InfoReceived,
    InfoRequested,
    Submitter,
)
from schemas.tracking import new_tracking_code
from services.kit.consumer import ProcessedEvent
from services.kit.settings import data_dir_url
from services.notifier.outgoing import Outgoing
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from services.notifier.transports import Hook
from tests.unit.databases import models_copy
from tests.unit.notifier.reference_data import with_packaged_reference

_RNG = random.Random(20230118)
BASE = "http://pakn.test"
RECEIVED = datetime.fromisoformat("2023-01-18T09:30:00+07:00")
DEADLINES = Deadlines(
    classify=date(2023, 1, 30),
    forward=date(2023, 2, 1),
    answer=date(2023, 2, 8),
    calendar_version="test",
)


OFFICE_EMAIL = "pakn.vpub@gialai.gov.vn"  # the provincial office (VPUB), where escalations go


def code() -> str:
    return new_tracking_code(_RNG)


def facts(case_id: str, tracking_code: str, **item: Any) -> CaseFacts:
    return CaseFacts(
        case_id=case_id,
        tracking_code=tracking_code,
        channel=item.get("channel", "web"),
        received_at=item.get("received_at", RECEIVED),
        submitter=Submitter(
            submitter_type=item.get("submitter_type") or "individual",
            name=item.get("name") or "",
            organization=item.get("organization") or "",
            address=item.get("address") or "",
            phone=item.get("phone") or "",
            email=item.get("email") or "",
        ),
        title=item.get("title") or "",
        content=item.get("content") or "",
        regulation=item.get("regulation") or "",
        notify_submitter=item.get("notify_submitter", True),
    )


def accepted(case_id: str, tracking_code: str, **item: Any) -> CaseAccepted:
    return CaseAccepted(correlation_id=case_id, case=facts(case_id, tracking_code, **item))


def refused(case_id: str, tracking_code: str, reason: str, **item: Any) -> CaseRefused:
    return CaseRefused(
        correlation_id=case_id,
        case=facts(case_id, tracking_code, **item),
        reason=reason,
        message_vi="Nội dung là khiếu nại, tố cáo, không thuộc phạm vi phản ánh, kiến nghị.",
        guidance_agency="TTR" if reason == "complaint_or_denunciation" else None,
    )


def routed(case_id: str, tracking_code: str, **changes: Any) -> CaseRouted:
    fields: dict[str, Any] = {
        "correlation_id": case_id,
        "case_id": case_id,
        "tracking_code": tracking_code,
        "agency": "STNMT",
        "agency_name": "Sở Tài nguyên và Môi trường",
        "agency_email": "pakn.stnmt@gialai.gov.vn",
        "case_class": "regulation",
        "kind": "kien_nghi",
        "rule_id": "test-rule",
        "rules_version": "test",
        "confidence": 0.9,
        "deadlines": DEADLINES,
        "title": "Tiêu đề gốc",
        "content": "Nội dung gốc",
    }
    return CaseRouted(**{**fields, **changes})


def escalated(
    case_id: str, tracking_code: str, at: datetime, stage: str = "answer"
) -> CaseEscalated:
    """The scheduler's escalation of an STNMT case's deadline (2 March 2023) to the office."""
    return CaseEscalated(
        correlation_id=case_id,
        case_id=case_id,
        tracking_code=tracking_code,
        agency="STNMT",
        stage=stage,  # type: ignore[arg-type]
        due=date(2023, 3, 2),
        escalated_to_email=OFFICE_EMAIL,
        occurred_at=at,
    )


def answered(case_id: str, tracking_code: str, answer: str, **changes: Any) -> CaseAnswered:
    fields: dict[str, Any] = {
        "correlation_id": case_id,
        "case_id": case_id,
        "tracking_code": tracking_code,
        "agency": "STNMT",
        "agency_name": "Sở Tài nguyên và Môi trường",
        "answer": answer,
        "legal_basis": "Luật Đất đai 2013",
        "answered_by": "can.bo@stnmt",
        "answered_on": date(2023, 2, 6),
        "due_answer": DEADLINES.answer,
        "on_time": True,
    }
    return CaseAnswered(**{**fields, **changes})


async def migrated_notifier(tmp_path: Path, **settings: Any) -> NotifierService:
    """A notifier on a fresh SQLite file whose tables come from the models (a copy of one
    built once per test session: tests.unit.databases)."""
    url = data_dir_url(tmp_path, "notifier")
    service = NotifierService(
        NotifierSettings(
            database_url=url, public_base_url=BASE, mail_dir=tmp_path / "mail", **settings
        )
    )
    models_copy(tmp_path, "notifier")  # before the service's first connection
    return await with_packaged_reference(service)  # as if the router had published


async def apply(service: NotifierService, *events: CaseEvent) -> None:
    """Handle events as the consumer pipeline does: decoded from JSON, once per event id."""
    for event in events:
        decoded = CASE_EVENT_ADAPTER.validate_json(event.model_dump_json())
        async with service.db.transaction() as session:
            if await session.get(ProcessedEvent, ("notifier", decoded.event_id)):
                continue
            await service._on_case_event(session, decoded)
            session.add(ProcessedEvent(service="notifier", event_id=decoded.event_id))


async def feed_codes(http: httpx.AsyncClient, url: str) -> set[str]:
    """Every case of a JSON feed, following its pages."""
    found: set[str] = set()
    while url:
        response = await http.get(url)
        assert response.status_code == 200, (url, response.text)
        body = response.json()
        found |= {item["_pakn"]["tracking_code"] for item in body["items"]}
        url = body.get("next_url", "")
    return found


def client(service: NotifierService) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=service.web())
    return httpx.AsyncClient(transport=transport, base_url=BASE)


class RecordingTransport:
    """Records what it is given, read back from its bytes as a receiver would (`sent`), and
    the envelope (`envelopes`); fails as told (a list of exceptions, one per attempt)."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self.envelopes: list[Outgoing] = []
        self.failures = list(failures or [])

    async def send(self, message: Outgoing, *, point_of_no_return: Hook) -> None:
        if self.failures:
            raise self.failures.pop(0)
        await point_of_no_return()
        self.envelopes.append(message)
        parsed = message_from_bytes(message.data, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.sent.append(parsed)


HOA = {
    "name": "Nguyễn Thị Hoa",
    "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku",
    "phone": "0905 123 456",
    "email": "hoa.nguyen@example.com",
    "title": "Kiến nghị sửa hạn mức đất ở",
    "content": "Tôi là Nguyễn Thị Hoa, số 0905 123 456. Quyết định số 22/2016/QĐ-UBND chưa phù hợp.",
    "regulation": "Quyết định số 22/2016/QĐ-UBND",
}


def lifecycle(case_id: str, tc: str) -> list[CaseEvent]:
    """One event of every kind, in an order a real case can take (refusal aside)."""
    ids = {"correlation_id": case_id, "case_id": case_id, "tracking_code": tc}
    later = DEADLINES.model_copy(update={"answer": date(2023, 2, 15)})
    return [
        accepted(case_id, tc, **HOA),
        routed(case_id, tc),
        CaseTaken(**ids, agency="STNMT", by="can.bo"),
        InfoRequested(
            **ids,
            agency="STNMT",
            agency_name="Sở Tài nguyên và Môi trường",
            question="Xin cho biết số thửa đất.",
            by="can.bo",
            requested_on=date(2023, 1, 20),
        ),
        InfoReceived(
            **ids, agency="STNMT", by="can.bo", received_on=date(2023, 1, 25), deadlines=later
        ),
        DeadlineExtended(
            **ids,
            agency="STNMT",
            reason="Cần lấy ý kiến Sở Xây dựng; gọi chị Hoa 0905 123 456 để báo.",
            by="can.bo",
            previous_due=date(2023, 2, 15),
            due_answer=date(2023, 3, 1),
        ),
        DeadlinesRecalculated(
            **ids,
            previous=later,
            deadlines=later.model_copy(update={"answer": date(2023, 3, 2)}),
            reason="lịch nghỉ thay đổi",
        ),
        DeadlineReminder(
            **ids,
            agency="STNMT",
            agency_email="pakn.stnmt@gialai.gov.vn",
            stage="answer",
            due=date(2023, 3, 2),
            working_days_left=2,
        ),
        CaseEscalated(
            **ids,
            agency="STNMT",
            stage="answer",
            due=date(2023, 3, 2),
            escalated_to_email="pakn.vpub@gialai.gov.vn",
        ),
        CaseTransferred(
            **ids,
            from_agency="STNMT",
            to_agency="SXD",
            reason="Thuộc lĩnh vực xây dựng; bà Nguyễn Thị Hoa đã được báo.",
            by="can.bo",
            hop=2,
        ),
        routed(
            case_id,
            tc,
            agency="SXD",
            agency_name="Sở Xây dựng",
            agency_email="pakn.sxd@gialai.gov.vn",
            hop=2,
        ),
        answered(
            case_id,
            tc,
            "Sở Xây dựng trả lời bà Nguyễn Thị Hoa (0905 123 456): sẽ sửa quy định.",
            agency="SXD",
            agency_name="Sở Xây dựng",
            on_time=False,
        ),
    ]
