"""The router's reference data as the notifier receives it, for the notifier's tests: the
packaged directory and calendar, published the way the router publishes them."""

from __future__ import annotations

from datetime import date
from functools import cache

from schemas.events import REFERENCE_EVENT_ADAPTER, CalendarPublished, DirectoryPublished
from services.kit.consumer import ProcessedEvent
from services.notifier.directory import Directory
from services.notifier.service import NotifierService
from services.router.domain.agencies import load_agencies
from services.router.domain.calendar import HolidayCalendar, load_calendar
from services.router.reference import calendar_event, directory_event
from services.router.structure import structure

TODAY = date(2026, 11, 20)


@cache
def packaged_directory_event() -> DirectoryPublished:
    return directory_event(registry=load_agencies(), structure=structure())


def calendar_published(calendar: HolidayCalendar | None = None) -> CalendarPublished:
    return calendar_event(calendar or load_calendar(), today=TODAY)


@cache
def packaged_directory() -> Directory:
    return Directory(packaged_directory_event())


async def receive(
    service: NotifierService, *events: DirectoryPublished | CalendarPublished
) -> None:
    """Handle reference events as the consumer pipeline does: decoded, once per event id."""
    for event in events:
        decoded = REFERENCE_EVENT_ADAPTER.validate_json(event.model_dump_json())
        async with service.db.transaction() as session:
            if await session.get(ProcessedEvent, ("notifier", decoded.event_id)):
                continue
            await service._on_reference(session, decoded)
            session.add(ProcessedEvent(service="notifier", event_id=decoded.event_id))


async def with_packaged_reference(service: NotifierService) -> NotifierService:
    """`service` once it has received the router's packaged directory and calendar."""
    await receive(service, packaged_directory_event(), calendar_published())
    return service
