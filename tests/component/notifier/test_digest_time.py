"""The daily digest leaves at the notifier's setting `PAKN_NOTIFIER_DIGEST_AT` (Vietnam
time, 07:30 by default), not at a time written in the code."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import col, select

from schemas.timezone import VIETNAM
from services.kit.columns import utc_now
from services.notifier.models import Delivery
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from tests.unit.notifier.builders import (
    OFFICE_EMAIL,
    accepted,
    apply,
    code,
    escalated,
    migrated_notifier,
    routed,
)

VPUB = OFFICE_EMAIL  # where the escalations of `escalated` go


async def _overdue_digest(service: NotifierService, at: datetime) -> Delivery:
    """The office's digest after one case escalated at `at`."""
    tc = code()
    await apply(service, accepted("c1", tc), routed("c1", tc), escalated("c1", tc, at))
    async with service.db.session() as session:
        query = select(Delivery).where(
            col(Delivery.template) == "digest", col(Delivery.recipient) == VPUB
        )
        (digest,) = (await session.exec(query)).all()
    return digest


async def test_a_later_digest_time_sends_the_same_day_s_digest_that_evening(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    nine = datetime(2023, 3, 3, 9, 0, tzinfo=VIETNAM)  # after 07:30, before 18:00
    default = await migrated_notifier(tmp_path_factory.mktemp("mac-dinh"))
    evening = await migrated_notifier(tmp_path_factory.mktemp("buoi-chieu"), digest_at="18:00")
    try:
        morning_digest = await _overdue_digest(default, nine)
        evening_digest = await _overdue_digest(evening, nine)
    finally:
        await default.db.dispose()
        await evening.db.dispose()
    # By default the escalation waits for the next morning's digest …
    assert morning_digest.next_attempt_at == datetime(2023, 3, 4, 7, 30, tzinfo=VIETNAM)
    assert morning_digest.event_id.endswith("20230304")
    # … with the digest at 18:00, it leaves the same day.
    assert evening_digest.next_attempt_at == datetime(2023, 3, 3, 18, 0, tzinfo=VIETNAM)
    assert evening_digest.event_id.endswith("20230303")


async def test_the_mailer_keeps_the_digest_until_its_time(tmp_path: Path) -> None:
    now = utc_now()
    later = (now + timedelta(hours=2)).astimezone(VIETNAM)  # tomorrow's date near midnight
    service = await migrated_notifier(tmp_path, digest_at=f"{later:%H:%M}")
    try:
        digest = await _overdue_digest(service, now)
        await service.mailer.run_once()  # sends what is due: the case's other mails
        async with service.db.session() as session:
            kept = await session.get(Delivery, digest.id)
    finally:
        await service.db.dispose()
    assert kept is not None and kept.status == "pending"
    leaves = later.replace(second=0, microsecond=0)
    assert kept.next_attempt_at == leaves


def test_the_digest_time_is_read_from_the_environment_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert NotifierSettings().digest_at == time(7, 30)
    monkeypatch.setenv("PAKN_NOTIFIER_DIGEST_AT", "17:45")
    assert NotifierSettings().digest_at == time(17, 45)
    for bad in ("25:00", "7 giờ", "07:30:15", "07:30+07:00"):
        monkeypatch.setenv("PAKN_NOTIFIER_DIGEST_AT", bad)
        with pytest.raises(ValidationError, match="digest_at"):
            NotifierSettings()
