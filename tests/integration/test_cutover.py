"""A cut-over on the real broker, PostgreSQL and SMTP: 2023 open cases pass to today's
agencies, each once (two runs at once, then a third), and each submitter gets one mail."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from sqlmodel import col, select

from schemas.events import SubmissionReceived
from schemas.submission import Submission
from schemas.topics import Topics
from services.notifier.models import Delivery
from services.notifier.service import NotifierService
from services.provision import create_topics
from services.router import cutover
from services.router.models import RoutedCase
from services.router.service import RouterService
from tests.integration.conftest import running, three_services
from tests.support import MailSink, events_of, eventually, produce, read_topic

TODAY = date(2026, 12, 2)
LAND = {
    "title": "Kiến nghị sửa quy định về hạn mức đất ở",
    "content": (
        "Quyết định số 22/2016/QĐ-UBND của UBND tỉnh quy định hạn mức công nhận đất ở chưa phù "
        "hợp thực tế; đề nghị Sở Tài nguyên và Môi trường tham mưu sửa đổi hạn mức."
    ),
}
DISTRICT = {
    "title": "Chậm cấp giấy chứng nhận quyền sử dụng đất",
    "content": (
        "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại bộ phận một cửa UBND huyện "
        "Ia Grai từ tháng 12/2022, quá hạn đã lâu nhưng chưa được giải quyết, đề nghị kiểm tra."
    ),
}
HOUSEHOLD = {
    "title": "Chậm xác nhận hồ sơ hộ kinh doanh",
    "content": (
        "Tôi đăng ký hộ kinh doanh tại bộ phận một cửa UBND huyện Ia Grai từ tháng 01/2023 "
        "nhưng đến nay chưa được cấp giấy chứng nhận, đề nghị huyện xem xét giải quyết."
    ),
}
# (channel ref, submitter's mail, address, item, the agency it must end at)
CASES = [
    ("CUT-1", "an@example.com", "thôn 2, xã Ia Kha, huyện Ia Grai", LAND, "SNNMT"),
    ("CUT-2", "binh@example.com", "thôn 5, xã Ia Kha, huyện Ia Grai", DISTRICT, "X23764"),
    ("CUT-3", "chi@example.com", "thôn 3, làng Đê Kôp, huyện Ia Grai", HOUSEHOLD, "TRIAGE"),
]


def _submission(ref: str, mail: str, address: str, item: dict[str, str]) -> bytes:
    submission = Submission.model_validate(
        {
            "channel": "web",
            "channel_ref": ref,
            "received_at": "2023-03-06T09:30:00+07:00",
            "name": "Người gửi thử",
            "address": address,
            "email": mail,
            **item,
        }
    )
    event = SubmissionReceived(correlation_id=ref, submission=submission)
    return event.model_dump_json().encode()


async def _cases(router: RouterService) -> dict[str, RoutedCase] | None:
    async with router.db.session() as session:
        found = (await session.exec(select(RoutedCase))).all()
    return {c.tracking_code: c for c in found} if len(found) == len(CASES) else None


async def _deliveries(notifier: NotifierService, template: str) -> list[Delivery]:
    async with notifier.db.session() as session:
        query = select(Delivery).where(Delivery.template == template)
        return list((await session.exec(query.order_by(col(Delivery.id)))).all())


async def test_a_cut_over_moves_each_open_case_once_and_tells_each_submitter_once(
    kafka: str, topics: Topics, smtp: tuple[int, MailSink]
) -> None:
    smtp_port, sink = smtp
    intake, router, notifier = await three_services(kafka, topics, smtp_port=smtp_port)
    queues = [topics.agency_queue(code) for code in ("SNNMT", "X23764", "VPUB")]
    await create_topics(kafka, queues, partitions=3, replication=1)
    async with running(kafka, intake, router, notifier):
        await produce(kafka, topics.intake, [_submission(*case[:4]) for case in CASES])
        routed = await eventually(lambda: _cases(router), what="the three 2023 cases routed")
        assert sorted(c.agency for c in routed.values()) == ["IGR", "IGR", "STNMT"]
        await eventually(
            lambda: _deliveries(notifier, "forwarding"), what="the submitters' forwarding mails"
        )
        before = {code: c.due_answer for code, c in routed.items()}

        plan = await cutover.plan(router.db, day=TODAY)
        assert len(plan) == 3
        async with router.db.session() as session:
            core = await router.current_core(session)
        runs = await asyncio.gather(
            *(cutover.apply(router.db, core=core, day=TODAY, by="admin") for _ in range(2))
        )
        assert sorted(m.case_id for run in runs for m in run.moved) == sorted(
            c.case_id for c in routed.values()
        ), "two runs at once move each case once"
        third = await cutover.apply(router.db, core=core, day=TODAY, by="admin")
        assert third.moved == ()  # the cut-over's commits woke the relay (kit.outbox)

        mails = await eventually(
            lambda: _transfer_mails(sink), what="one cut-over mail per submitter"
        )
        await asyncio.sleep(2)  # anything doubled would arrive by now
        moved = await _cases(router)
        assert moved is not None

    for ref, mail, _, _, agency in CASES:
        case = next(c for c in moved.values() if c.agency == agency and c.submitter_email == mail)
        assert case.due_answer == before[case.tracking_code], "deadlines unchanged"
        assert case.hop == 2
        received = [m for m in sink.to(mail) if "được chuyển sang" in str(m["Subject"])]
        assert len(received) == 1, f"{ref}: exactly one cut-over mail"
        body = received[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
        assert "Sắp xếp tổ chức bộ máy" in body and cutover.name_of(agency) in body
        assert "Thời hạn trả lời không thay đổi" in body and "tính lại" not in body
    assert len(mails) == len(CASES)
    events = await read_topic(kafka, topics.case_events)
    transferred = events_of(events, "case.transferred")
    assert sorted(e["tracking_code"] for e in transferred) == sorted(routed)
    assert {e["to_agency"] for e in transferred} == {"SNNMT", "X23764", "TRIAGE"}
    assert len(await _deliveries(notifier, "transfer")) == len(CASES)


async def _transfer_mails(sink: MailSink) -> list[Any] | None:
    found = [m for m in sink.received if "được chuyển sang" in str(m["Subject"])]
    return found if len(found) >= len(CASES) else None
