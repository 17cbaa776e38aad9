"""Whatever people type or machines send, the channels answer 2xx or a Vietnamese 4xx,
never a 500, and every body is archived first."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from services.intake.service import IntakeService
from tests.support import office_pass
from tests.unit.intake.http_support import GOOD, PDF, intake_settings, migrated_db

__all__ = ["migrated_db"]
T = TypeVar("T")
FIELDS = (
    "submitter_type", "name", "organization", "address", "phone", "email", "title", "content",
    "regulation",
)  # fmt: skip
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text a browser can send: every code point except unpaired surrogates.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


class Channels:
    """The app served on an event loop of its own thread: hypothesis calls it synchronously."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.service = IntakeService(intake_settings(folder))
        transport = httpx.ASGITransport(app=self.service.web(), raise_app_exceptions=False)
        self.client = httpx.AsyncClient(
            transport=transport, base_url="http://intake", cookies=office_pass()
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        self.call(self.client.aclose())
        self.call(self.service.db.dispose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def raw_count(self) -> int:
        engine = create_engine(f"sqlite:///{self.folder / 'intake.db'}")
        with engine.connect() as connection:
            count = connection.execute(text("select count(*) from intake_raw_payload")).scalar()
        engine.dispose()
        return int(count or 0)

    def post(self, path: str, **kwargs: Any) -> int:
        before = self.raw_count()
        response = self.call(self.client.post(path, **kwargs))
        assert response.status_code in {200, 201, 303, 400, 403, 413, 422}, response.text[:500]
        if response.status_code >= 400:  # explained in Vietnamese (so not plain ASCII)
            assert not response.text.isascii(), response.text[:500]
        assert self.raw_count() == before + 1, "every body is archived"
        return response.status_code


@pytest.fixture
def channels(tmp_path: Path, migrated_db: Path) -> Iterator[Channels]:
    shutil.copyfile(migrated_db, tmp_path / "intake.db")
    channels = Channels(tmp_path)
    yield channels
    channels.close()


@EXAMPLES
@given(values=st.fixed_dictionaries({}, optional={f: TEXT for f in FIELDS}))
def test_any_text_in_the_web_form_gets_a_page_not_a_crash(
    channels: Channels, values: dict[str, str]
) -> None:
    status = channels.post("/gui-phan-anh", data={**GOOD, **values})
    assert status in {303, 422}


@EXAMPLES
@given(name=TEXT, data=st.binary(max_size=200))
def test_any_file_gets_a_page_not_a_crash(channels: Channels, name: str, data: bytes) -> None:
    files = [("attachments", (name, data, "application/octet-stream"))]
    channels.post("/gui-phan-anh", data=GOOD, files=files)


@EXAMPLES
@given(body=st.binary(max_size=500), kind=st.sampled_from(["multipart", "urlencoded", "json"]))
def test_any_bytes_get_an_answer_not_a_crash(channels: Channels, body: bytes, kind: str) -> None:
    content_type = {
        "multipart": "multipart/form-data; boundary=xyz",
        "urlencoded": "application/x-www-form-urlencoded",
        "json": "application/json",
    }[kind]
    for path in ("/gui-phan-anh", "/api/submissions", "/open311/v2/requests.json"):
        channels.post(path, content=body, headers={"content-type": content_type})


@EXAMPLES
@given(value=JSON, extra=st.dictionaries(TEXT, JSON, max_size=3))
def test_any_json_gets_an_answer_not_a_crash(channels: Channels, value: Any, extra: Any) -> None:
    base = {**GOOD, "channel": "portal", "received_at": "2023-01-18T09:30:00+07:00"}
    for body in (value, {**base, **extra}, {**base, "name": value}):
        channels.post("/api/submissions", content=json.dumps(body).encode())


@EXAMPLES
@given(values=st.dictionaries(TEXT, TEXT, max_size=6))
def test_any_open311_form_gets_an_answer_not_a_crash(
    channels: Channels, values: dict[str, str]
) -> None:
    form = {"service_code": "regulation", "description": GOOD["content"], "api_key": "secret"}
    form |= values
    channels.post("/open311/v2/requests.json", data=form)


def test_the_properties_can_fail(channels: Channels) -> None:
    """A file the size of the limit plus one is refused: the checks above do run."""
    files = [("attachments", ("a.pdf", PDF + b"\0" * 4096, "application/pdf"))]
    assert channels.post("/gui-phan-anh", data=GOOD, files=files) == 422
