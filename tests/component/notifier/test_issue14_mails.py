"""Issue 14: officers' words in mails, the hand-off to the national system, no mail to the
office for its own triage queue, the daily digest, backlogs imported without notices, one
form of address."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, func, select

from schemas.events import DeadlineReminder
from services.kit.columns import utc_now
from services.notifier.digest import digest_day
from services.notifier.mail import _FOLDER
from services.notifier.mailer import Mailer
from services.notifier.models import Delivery, DigestEntry
from services.notifier.service import NotifierService
from tests.unit.notifier.builders import (
    HOA,
    OFFICE_EMAIL,
    RecordingTransport,
    accepted,
    apply,
    code,
    escalated,
    migrated_notifier,
    routed,
)

VPUB = OFFICE_EMAIL  # where the escalations of `escalated` go
STNMT = "pakn.stnmt@gialai.gov.vn"
SERVICES = Path(__file__).resolve().parents[3] / "services"


async def _deliveries(service: NotifierService) -> list[Delivery]:
    async with service.db.session() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


async def _mail_digests(service: NotifierService) -> list[Delivery]:
    """The digest hour comes: the mailer claims (and so renders) and sends every digest."""
    async with service.db.transaction() as session:
        await session.execute(
            update(Delivery)
            .where(col(Delivery.template) == "digest", col(Delivery.status) == "pending")
            .values(next_attempt_at=utc_now())
        )
    mailer = Mailer(db=service.db, transport=RecordingTransport(), settings=service.settings)
    await mailer.run_once()
    return [d for d in await _deliveries(service) if d.template == "digest"]


async def _line_count(service: NotifierService, digest: Delivery) -> int:
    async with service.db.session() as session:
        query = select(func.count()).where(col(DigestEntry.digest_id) == digest.id)
        return (await session.exec(query)).one()


async def test_the_assignment_mail_gives_the_plain_reason_and_no_figures(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    reason = "Nội dung thuộc lĩnh vực quản lý của Sở Tài nguyên và Môi trường."
    await apply(
        service,
        accepted("c1", tc, **HOA),
        routed(
            "c1", tc, confidence=0.83, reasons=["class behaviour 11: x 'cham'"], reason_vi=reason
        ),
    )
    (mail,) = [d for d in await _deliveries(service) if d.template == "assignment"]
    for part in (mail.body_text, mail.body_html or ""):
        assert reason in part
        assert "độ tin cậy" not in part and "0.83" not in part and "test-rule" not in part
        assert "class behaviour" not in part
    await service.db.dispose()


async def test_no_assignment_mail_to_the_office_for_its_triage_queue(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    triage = routed("c2", tc, agency="TRIAGE", agency_name="Văn phòng UBND tỉnh", agency_email=VPUB)
    await apply(service, accepted("c2", tc, **HOA), triage)
    assert [d.recipient for d in await _deliveries(service) if d.recipient == VPUB] == []
    await service.db.dispose()


async def test_the_national_system_gets_what_it_needs_to_answer(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    qg = routed(
        "c3",
        tc,
        agency="QG",
        agency_name="Hệ thống tiếp nhận, trả lời PAKN quốc gia",
        agency_email="pakn@chinhphu.vn",
        reason_vi="Nội dung thuộc thẩm quyền của bộ, ngành trung ương.",
    )
    await apply(service, accepted("c3", tc, **HOA), qg)
    (mail,) = [d for d in await _deliveries(service) if d.recipient == "pakn@chinhphu.vn"]
    assert mail.template == "national" and tc in mail.subject
    for part in (mail.body_text, mail.body_html or ""):
        for given in (HOA["name"], HOA["phone"], HOA["email"], HOA["address"], tc):
            assert given in part, given
        assert "Quyết định số 22/2016/QĐ-UBND" in part  # the regulation
        assert "Hệ thống tiếp nhận" in part and "bộ, ngành trung ương" in part
        assert "trên hệ thống PAKN của tỉnh" not in part
    await service.db.dispose()


async def test_overdue_cases_come_in_one_digest_a_day(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    night = datetime.fromisoformat("2023-03-03T00:05:00+07:00")
    events: list = []
    codes = [code() for _ in range(3)]
    for n, tc in enumerate(codes):
        events += [accepted(f"d{n}", tc, **HOA), routed(f"d{n}", tc)]
        events += [escalated(f"d{n}", tc, night, "forward"), escalated(f"d{n}", tc, night)]
    await apply(service, *events)
    digests = [d for d in await _deliveries(service) if d.recipient == VPUB]
    assert len(digests) == 1
    (digest,) = digests
    assert digest.template == "digest"
    assert await _line_count(service, digest) == 6  # two stages of three cases
    assert digest.next_attempt_at > night  # leaves at the digest hour, not at once
    # A replayed escalation adds nothing.
    await apply(service, events[3])
    (again,) = [d for d in await _deliveries(service) if d.recipient == VPUB]
    assert again.id == digest.id and await _line_count(service, again) == 6
    (sent,) = [d for d in await _mail_digests(service) if d.recipient == VPUB]
    assert sent.status == "sent" and "quá hạn" in sent.subject
    assert all(tc in sent.body_text for tc in codes)
    assert "(6 mục, tổng hợp ngày 03/03/2023)" in sent.body_text
    await service.db.dispose()


async def test_a_digest_already_sent_is_never_changed(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    night = datetime.fromisoformat("2023-03-03T00:05:00+07:00")
    first, second = code(), code()
    await apply(service, accepted("e1", first), routed("e1", first), escalated("e1", first, night))
    (sent,) = [d for d in await _mail_digests(service) if d.recipient == VPUB]
    assert sent.status == "sent" and first in sent.body_text
    await apply(
        service, accepted("e2", second), routed("e2", second), escalated("e2", second, night)
    )
    digests = [d for d in await _deliveries(service) if d.recipient == VPUB]
    assert [d.status for d in digests] == ["sent", "pending"]
    assert digests[0].body_text == sent.body_text and second not in sent.body_text
    assert digests[1].event_id.endswith("20230304")  # the next day's digest
    (_, following) = [d for d in await _mail_digests(service) if d.recipient == VPUB]
    assert second in following.body_text and first not in following.body_text
    await service.db.dispose()


async def test_reminders_are_grouped_per_agency(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    at = datetime.fromisoformat("2023-03-01T06:00:00+07:00")
    events: list = []
    for n in range(2):
        tc = code()
        events += [accepted(f"r{n}", tc), routed(f"r{n}", tc)]
        events.append(
            DeadlineReminder(
                correlation_id=f"r{n}",
                case_id=f"r{n}",
                tracking_code=tc,
                agency="STNMT",
                agency_email=STNMT,
                stage="answer",
                due=date(2023, 3, 2),
                working_days_left=1,
                occurred_at=at,
            )
        )
    await apply(service, *events)
    reminders = [d for d in await _deliveries(service) if d.template == "digest"]
    assert [(d.recipient, await _line_count(service, d)) for d in reminders] == [(STNMT, 2)]
    assert digest_day(at, send_at=time(7, 30)) == date(2023, 3, 1)
    nine = datetime.fromisoformat("2023-03-01T09:00:00+07:00")
    assert digest_day(nine, send_at=time(7, 30)) == date(2023, 3, 2)
    await service.db.dispose()


async def test_an_imported_backlog_mails_no_submitter(tmp_path: Path) -> None:
    service = await migrated_notifier(tmp_path)
    tc = code()
    await apply(service, accepted("b1", tc, notify_submitter=False, **HOA), routed("b1", tc))
    recipients = [d.recipient for d in await _deliveries(service)]
    assert HOA["email"] not in recipients
    assert STNMT in recipients  # the agency still gets its case
    await service.db.dispose()


def test_one_form_of_address_in_every_citizen_text() -> None:
    other = re.compile(r"(?<!Quý )\b[ôÔ]ng/[bB]à\b")
    found = [
        str(path.relative_to(SERVICES))
        for path in SERVICES.rglob("*")
        if path.suffix in {".py", ".html", ".txt"}
        and other.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert "Quý ông/bà" in (_FOLDER / "receipt.txt").read_text(encoding="utf-8")
