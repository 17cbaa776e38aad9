"""The router's reference data reaches the notifier as events (issue 11): the directory and
the calendar are published at start when they changed and after `pakn holidays load`; the
notifier keeps the latest of each in its own table and reads only that; case events that
come first are handled all the same."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from sqlmodel import SQLModel, select

from schemas.events import (
    AgencyVersion,
    CalendarPublished,
    DeadlineReminder,
    DirectoryPublished,
)
from schemas.timezone import VIETNAM
from services.kit.settings import data_dir_url
from services.kit.transport import InMemoryBus, Message
from services.notifier.models import Delivery, PublicCase, ReferenceData
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings
from services.router.holidays_admin import load_year_tables, read_tables
from services.router.reference import fingerprint
from tests.unit.notifier.builders import BASE, accepted, apply, client, code, migrated_notifier
from tests.unit.notifier.builders import routed as routed_event
from tests.unit.notifier.reference_data import (
    TODAY,
    calendar_published,
    packaged_directory_event,
    receive,
)
from tests.unit.router.lifecycle_support import RouterHarness

EXTRA_DAY_OFF = date(2023, 3, 15)  # a Wednesday


@pytest.fixture
async def router(tmp_path: Path) -> AsyncIterator[RouterHarness]:
    harness = await RouterHarness.start(tmp_path)
    yield harness
    await harness.close()


async def fresh_notifier(tmp_path: Path) -> NotifierService:
    """A notifier that has received nothing yet (its first start)."""
    url = data_dir_url(tmp_path, "notifier")
    service = NotifierService(
        NotifierSettings(
            database_url=url, public_base_url=BASE, mail_dir=tmp_path / "mail", topic_namespace="u"
        )
    )
    async with service.db.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    return service


async def relay_reference(router: RouterHarness, notifier: NotifierService, done: int = 0) -> int:
    """What the bus does: the router's relay publishes, the notifier's consumer handles the
    reference messages from offset `done`; returns the next offset."""
    topic = router.topics.reference_data
    await router.published(topic)
    [_, reference] = notifier.subscriptions(publisher=InMemoryBus())
    assert reference.topic == topic
    messages: list[Message] = router.bus.topics.get(topic, [])
    for message in messages[done:]:
        await reference.handler(message)
    return len(messages)


def _schedule_2023(router: RouterHarness, path: Path, *extra_days: date) -> Path:
    table = router.service.core.calendar.table_for(2023).model_dump(mode="json")
    table["source"] = "Thông báo thử nghiệm"
    table["days_off"] += [{"date": d.isoformat(), "name": "Nghỉ đột xuất"} for d in extra_days]
    path.write_text(yaml.safe_dump({"years": [table]}, allow_unicode=True), encoding="utf-8")
    return path


async def test_the_router_publishes_at_start_only_what_changed(
    router: RouterHarness, tmp_path: Path
) -> None:
    assert await router.service.publish_reference() == 2
    assert await router.service.publish_reference() == 0  # a restart with the same data
    await router.published(router.topics.reference_data)
    kinds = [m.key for m in router.bus.topics[router.topics.reference_data]]
    assert sorted(kinds) == [b"calendar", b"directory"]
    await load_year_tables(
        router.service.db,
        core=router.service.core,
        store=router.service.calendars,
        tables=read_tables(_schedule_2023(router, tmp_path / "h.yaml", EXTRA_DAY_OFF)),
        changed_by="admin.vpub",
        source="h.yaml",
    )
    assert await router.service.publish_reference() == 0  # already staged with the load
    await router.published(router.topics.reference_data)
    kinds = [m.key for m in router.bus.topics[router.topics.reference_data]]
    assert kinds.count(b"calendar") == 2 and kinds.count(b"directory") == 1


async def test_a_loaded_schedule_changes_the_notifiers_working_days(
    router: RouterHarness, tmp_path: Path
) -> None:
    notifier = await fresh_notifier(tmp_path)
    await router.service.publish_reference()  # the router's start
    done = await relay_reference(router, notifier)
    assert notifier.calendar.is_working_day(EXTRA_DAY_OFF)
    assert notifier.calendar.is_working_day(date(2023, 5, 2)) is False  # 30/4–1/5 bridge
    assert notifier.calendar.working_days_between(date(2023, 3, 14), date(2023, 3, 16)) == 2

    # `pakn holidays load`: a new day off, in the router's database only.
    await load_year_tables(
        router.service.db,
        core=router.service.core,
        store=router.service.calendars,
        tables=read_tables(_schedule_2023(router, tmp_path / "h.yaml", EXTRA_DAY_OFF)),
        changed_by="admin.vpub",
        source="h.yaml",
    )
    await relay_reference(router, notifier, done)
    assert not notifier.calendar.is_working_day(EXTRA_DAY_OFF)
    assert notifier.calendar.working_days_between(date(2023, 3, 14), date(2023, 3, 16)) == 1
    async with router.service.db.session() as session:
        in_force = await router.service.calendars.current(session)
    assert notifier.calendar.version == in_force.version
    for day in (date(2023, 1, 1) + timedelta(days=n) for n in range(365)):
        assert notifier.calendar.is_working_day(day) == in_force.is_working_day(day), day

    # Another replica of the notifier reads the same from the notifier's table.
    replica = NotifierService(notifier.settings)
    await replica.reference.refresh()
    assert not replica.calendar.is_working_day(EXTRA_DAY_OFF)
    await replica.db.dispose()

    # The statistics page counts with it: received on 14 Mar, answered on 16 Mar.
    tc = code()
    received = datetime.combine(date(2023, 3, 14), time(9), tzinfo=VIETNAM)
    await apply(notifier, accepted("c", tc, received_at=received), routed_event("c", tc))
    async with notifier.db.transaction() as session:
        case = await session.get(PublicCase, "c")
        assert case is not None
        case.status, case.answered_on, case.on_time = "answered", date(2023, 3, 16), True
        session.add(case)
    async with client(notifier) as http:
        stats = (await http.get("/thong-ke")).text
    assert re.search(r"<td[^>]*>1,0</td>", stats)  # 2,0 before the load
    assert not re.search(r"<td[^>]*>2,0</td>", stats)
    await notifier.db.dispose()


def _renamed(event: DirectoryPublished, code: str, **changes: str) -> DirectoryPublished:
    registry = tuple(
        agency.model_copy(update=changes) if agency.code == code else agency
        for agency in event.registry
    )
    changed = event.model_copy(update={"registry": registry, "event_id": "renamed-" + code})
    content = changed.model_dump(
        mode="json", exclude={"event_id", "occurred_at", "correlation_id", "version"}
    )
    return changed.model_copy(update={"version": fingerprint(content)})


async def test_the_directory_event_updates_the_notifiers_agencies(tmp_path: Path) -> None:
    notifier = await migrated_notifier(tmp_path)  # has the packaged directory
    assert notifier.directory.email("STNMT") == "pakn.stnmt@gialai.gov.vn"
    newer = _renamed(
        packaged_directory_event().model_copy(
            update={"occurred_at": packaged_directory_event().occurred_at + timedelta(days=1)}
        ),
        "STNMT",
        email="hop.thu.moi@gialai.gov.vn",
        name_vi="Sở Tài nguyên và Môi trường (tên thử)",
    )
    await receive(notifier, newer)
    assert notifier.directory.email("STNMT") == "hop.thu.moi@gialai.gov.vn"
    assert notifier.directory.name("STNMT") == "Sở Tài nguyên và Môi trường (tên thử)"
    async with notifier.db.session() as session:
        row = await session.get(ReferenceData, "directory")
    assert row is not None and row.version == newer.version

    # A reminder that names no address goes to the address the directory now gives.
    tc = code()
    await apply(
        notifier,
        accepted("c", tc),
        routed_event("c", tc),
        DeadlineReminder(
            correlation_id="c",
            case_id="c",
            tracking_code=tc,
            agency="STNMT",
            stage="answer",
            due=date(2023, 2, 8),
            working_days_left=2,
        ),
    )
    async with notifier.db.session() as session:
        recipients = {d.recipient for d in (await session.exec(select(Delivery))).all()}
    assert "hop.thu.moi@gialai.gov.vn" in recipients

    # An older directory delivered again does not undo the newer one.
    older = _renamed(packaged_directory_event(), "STNMT", email="cu@gialai.gov.vn")
    await receive(notifier, older)
    assert notifier.directory.email("STNMT") == "hop.thu.moi@gialai.gov.vn"
    await notifier.db.dispose()


async def test_case_events_before_any_reference_data_are_handled(tmp_path: Path) -> None:
    """First start: the case events come first. Nothing waits or is dead-lettered: names
    and addresses come from the events, each code stands alone, working days are Monday to
    Friday; once the directory arrives, the pages group old and new agencies."""
    notifier = await fresh_notifier(tmp_path)
    bus = InMemoryBus()
    [cases, _] = notifier.subscriptions(publisher=bus)
    old, new = code(), code()
    events = [
        accepted("old", old, title="Đất đai"),
        routed_event("old", old),  # STNMT, a former department since 2025
        accepted("new", new, title="Nông nghiệp"),
        routed_event("new", new, agency="SNNMT", agency_name="Sở Nông nghiệp và Môi trường"),
    ]
    for event in events:
        await cases.handler(Message(topic=cases.topic, value=event.model_dump_json().encode()))
    assert not bus.topics  # nothing parked
    assert notifier.directory.empty and notifier.calendar.years == ()
    async with client(notifier) as http:
        before = (await http.get("/tra-loi", params={"co_quan": "SNNMT"})).text
        assert (await http.get("/thong-ke")).status_code == 200
    assert new in before and old not in before  # no lineage yet
    assert "Sở Tài nguyên và Môi trường (cũ)" not in before

    await receive(notifier, packaged_directory_event())
    async with client(notifier) as http:
        after = (await http.get("/tra-loi", params={"co_quan": "SNNMT"})).text
    assert new in after and old in after
    assert "Sở Tài nguyên và Môi trường (cũ)" in after
    await notifier.db.dispose()


def test_the_calendar_event_lists_every_year_from_2020_on() -> None:
    event: CalendarPublished = calendar_published()
    years = [y.year for y in event.years]
    assert years == list(range(years[0], years[-1] + 1))
    assert years[0] == 2020 and years[-1] >= max(2050, TODAY.year + 10)
    assert all(isinstance(a, AgencyVersion) for a in packaged_directory_event().registry)
