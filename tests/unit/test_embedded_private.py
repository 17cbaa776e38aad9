"""The embedded default keeps its data to its owner (#10 item 8): the folder 0700, the
SQLite files 0600; and the notifier, like intake, needs its public address to serve pages."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from services.embedded import Embedded
from services.kit.web import MissingSetting
from services.notifier.service import NotifierService
from services.notifier.settings import NotifierSettings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_and_databases_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "embedded"
    folder.mkdir(mode=0o755)
    (folder / "router.db").write_bytes(b"")
    (folder / "router.db").chmod(0o644)  # an older install: tightened
    system = Embedded(folder, base_url="http://127.0.0.1:8000")
    system.make_private()
    assert _mode(folder) == 0o700
    for name in ("intake", "router", "notifier"):
        assert _mode(folder / f"{name}.db") == 0o600


def test_the_notifier_refuses_to_serve_without_its_public_address(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"
    service = NotifierService(NotifierSettings(database_url=url))
    with pytest.raises(MissingSetting, match="PAKN_NOTIFIER_PUBLIC_BASE_URL"):
        service.web()
