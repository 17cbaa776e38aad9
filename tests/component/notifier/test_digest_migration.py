"""A digest staged before its lines had a table of their own (every line in `meta`, the body
rendered with each line) goes out whole after the upgrade, and the downgrade gives the lines
back to `meta`."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from services.kit.db import Database
from services.kit.migrate import alembic_config, upgrade
from services.kit.settings import data_dir_url
from services.notifier.digest import _digest
from services.notifier.mail import render
from services.notifier.mailer import Mailer
from services.notifier.models import Delivery
from services.notifier.settings import NotifierSettings
from tests.unit.notifier.builders import RecordingTransport

BEFORE = "0004_notifier_notify"
NAME = "Văn phòng UBND tỉnh Gia Lai"
LINES = [
    f"GL-0000000{n} «Đất ở» — Sở Tài nguyên và Môi trường — hạn trả lời 02/03/2023" for n in (1, 2)
]


def _stage_the_old_way(url: str) -> str:
    """A pending overdue digest as the code before 0005 left it; returns its body."""
    mail = render(_digest("overdue", date(2023, 3, 3), NAME, LINES))
    meta = {"events": json.dumps(["e1", "e2"]), "lines": json.dumps(LINES, ensure_ascii=False)}
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO notifier_delivery (event_id, case_id, recipient, template, subject,"
                " body_text, body_html, status, attempts, next_attempt_at, created_at, meta)"
                " VALUES ('digest-overdue-20230303', 'c1', 'pakn.vpub@gialai.gov.vn', 'digest',"
                " :subject, :text, :html, 'pending', 0, '2023-03-03 00:30:00.000000',"
                " '2023-03-02 17:05:00.000000', :meta)"
            ),
            {
                "subject": mail.subject,
                "text": mail.text,
                "html": mail.html,
                "meta": json.dumps(meta),
            },
        )
    engine.dispose()
    return mail.text


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(query)).all()]
    engine.dispose()
    return rows


async def _claim(url: str) -> Delivery | None:
    db = Database(url)
    settings = NotifierSettings(database_url=url, public_base_url="http://pakn.test")
    try:
        return await Mailer(db=db, transport=RecordingTransport(), settings=settings)._claim(1)
    finally:
        await db.dispose()


def test_a_digest_pending_at_the_upgrade_goes_out_whole(tmp_path: Path) -> None:
    url = data_dir_url(tmp_path, "notifier")
    upgrade(url, BEFORE)
    old_body = _stage_the_old_way(url)
    upgrade(url)
    query = "SELECT digest_id, event_id, case_id, recipient_name, text FROM notifier_digest_line"
    lines = _rows(url, f"{query} ORDER BY id")
    assert lines == [(1, "e1", "c1", NAME, LINES[0]), (1, "e2", "c1", NAME, LINES[1])]
    assert _rows(url, "SELECT meta FROM notifier_delivery") == [("{}",)]
    claimed = asyncio.run(_claim(url))
    assert claimed is not None and claimed.body_text == old_body


def test_the_downgrade_gives_the_lines_back_to_meta(tmp_path: Path) -> None:
    url = data_dir_url(tmp_path, "notifier")
    upgrade(url, BEFORE)
    _stage_the_old_way(url)
    upgrade(url)
    command.downgrade(alembic_config(url), BEFORE)
    ((meta,),) = _rows(url, "SELECT meta FROM notifier_delivery")
    assert isinstance(meta, str)
    restored = json.loads(meta)
    assert json.loads(restored["events"]) == ["e1", "e2"]
    assert json.loads(restored["lines"]) == LINES
    tables = _rows(url, "SELECT name FROM sqlite_master WHERE name = 'notifier_digest_line'")
    assert tables == []
