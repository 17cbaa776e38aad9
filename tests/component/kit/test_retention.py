"""The router's retention: the records of its console's commands stay (the scenarios of
retention itself run with the batch pipeline's, tests/component/kit/test_batches.py)."""

from __future__ import annotations

from pathlib import Path

from services.kit.db import Database
from services.router.models import AuditEntry
from services.router.service import RouterService
from services.router.settings import RouterSettings
from tests.unit.databases import migrated_copy
from tests.unit.kit.retention_scenarios import NOW, ago, processed_left, processed_rows


async def test_the_router_keeps_the_records_of_its_consoles_commands(tmp_path: Path) -> None:
    db = Database(migrated_copy(tmp_path, "kit"))
    router = RouterService(RouterSettings(database_url=db.url), db=db)
    await processed_rows(db, ("a-transfer", ago(90)), ("a-case-event", ago(90)))
    async with db.transaction() as session:
        session.add(AuditEntry(actor="cb", agency="STP", action="transfer", event_id="a-transfer"))
    try:
        assert await router.retention().run_once(now=NOW) == (0, 1)
        assert await processed_left(db) == {("router", "a-transfer")}
    finally:
        await db.dispose()
