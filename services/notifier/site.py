"""What the notifier's pages need of the service: its settings, its database and the
router's reference data as last received. The route modules take a `Site`, not the
service, so that the service may build them without an import cycle."""

from __future__ import annotations

from typing import Protocol

from services.kit.db import Database
from services.notifier.directory import Directory
from services.notifier.reference import ReferenceStore, WorkingCalendar
from services.notifier.settings import NotifierSettings


class Site(Protocol):
    @property
    def settings(self) -> NotifierSettings: ...

    @property
    def db(self) -> Database: ...

    @property
    def reference(self) -> ReferenceStore: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def calendar(self) -> WorkingCalendar: ...
