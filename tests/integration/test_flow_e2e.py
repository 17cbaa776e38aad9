"""A case travels the whole way on real Kafka, PostgreSQL and SMTP."""

from __future__ import annotations

import httpx
from sqlmodel import select

from schemas.actions import SubmitAnswer
from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import Topics
from services.notifier.models import PublicCase
from services.notifier.service import NotifierService
from tests.integration.conftest import running, three_services
from tests.support import MailSink, eventually, produce

SUBMISSION = Submission.model_validate(
    {
        "channel": "web",
        "channel_ref": "WEB-E2E-1",
        "received_at": "2023-01-18T09:30:00+07:00",
        "name": "Nguyễn Thị Hoa",
        "address": "45 Lê Lợi, phường Hội Thương, TP Pleiku, tỉnh Gia Lai",
        "phone": "0905 123 456",
        "email": "hoa.nguyen@example.com",
        "title": "Kiến nghị sửa quy định về cấp giấy chứng nhận quyền sử dụng đất",
        "content": (
            "Tôi là Nguyễn Thị Hoa, số điện thoại 0905 123 456. Quyết định số 22/2016/QĐ-UBND "
            "của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù hợp thực tế; đề nghị Sở Tài "
            "nguyên và Môi trường tham mưu sửa đổi hạn mức cho phù hợp."
        ),
        "regulation": "Quyết định số 22/2016/QĐ-UBND",
    }
)


async def test_case_goes_from_intake_topic_to_agency_mail_and_public_feed(
    kafka: str, topics: Topics, smtp: tuple[int, MailSink]
) -> None:
    smtp_port, sink = smtp
    intake, router, notifier = await three_services(kafka, topics, smtp_port=smtp_port)
    async with running(kafka, intake, router, notifier):
        event = SubmissionReceived(correlation_id="WEB-E2E-1", submission=SUBMISSION)
        await produce(kafka, topics.intake, [event.model_dump_json().encode()])

        async def agency_mail() -> list[object]:
            return [m for m in sink.received if "Chuyển xử lý" in str(m["Subject"])]

        mails = await eventually(agency_mail, what="the agency's assignment e-mail")
        assert sink.to("hoa.nguyen@example.com"), "the submitter gets a receipt"
        public = await _public_case(notifier)
        assert public is not None and public.status == "routed" and public.agency
        assert public.tracking_code in str(mails[0]["Subject"])

        answer = SubmitAnswer(
            correlation_id=public.case_id,
            case_id=public.case_id,
            agency=public.agency,
            officer="can.bo@stnmt",
            answer="Sở đã tiếp thu, sẽ tham mưu sửa đổi hạn mức trong quý III. Liên hệ 0905 123 456.",
        )
        await produce(kafka, topics.agency_actions, [answer.model_dump_json().encode()])

        async def answered() -> PublicCase | None:
            case = await _public_case(notifier)
            return case if case and case.status == "answered" else None

        await eventually(answered, what="the answer in the public feed")
        transport = httpx.ASGITransport(app=notifier.web())
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            feed = (await client.get("/api/answers.json")).text
            page = (await client.get(f"/tra-cuu/{public.tracking_code}")).text
    assert public.tracking_code in feed and "tiếp thu" in feed
    for personal in ("Nguyễn Thị Hoa", "0905 123 456", "0905123456", "hoa.nguyen@example.com"):
        assert personal not in feed and personal not in page
    assert "Quyết định số 22/2016/QĐ-UBND" in feed  # the regulation stays public


async def _public_case(notifier: NotifierService) -> PublicCase | None:
    async with notifier.db.session() as session:
        return (await session.exec(select(PublicCase))).first()
