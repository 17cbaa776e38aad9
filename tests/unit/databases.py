"""SQLite databases for the component and fuzz tiers (the unit tier opens none), built once
per test session and copied per test.

Migrating a database with Alembic takes about a second, creating the tables from the models
a tenth of that: a suite that did it per test spent minutes on it. Each kind of database is
built once per process (so once per pytest-xdist worker too) in a temporary folder removed
at exit, and every test gets a copy of the file, as fresh as one built for it.

There is one migration history for the whole schema (`services/migrations`): every
service's migrated database is the same file, so one migrated template serves them all.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import SQLModel

from services.kit.migrate import upgrade
from services.kit.settings import data_dir_url

_LOCK = threading.Lock()
_TEMPLATES: dict[object, Path] = {}
_FOLDER: list[Path] = []


def _folder() -> Path:
    if not _FOLDER:
        folder = Path(tempfile.mkdtemp(prefix="pakn-test-databases-"))
        atexit.register(shutil.rmtree, folder, True)
        _FOLDER.append(folder)
    return _FOLDER[0]


def migrated_template() -> Path:
    """The file of a database migrated to the latest revision, built on first use.

    Synchronous, and safe to call from a running event loop (the test's): Alembic's env
    runs an event loop of its own, so the migration runs in a thread of its own."""
    with _LOCK:
        if "migrated" not in _TEMPLATES:
            folder = _folder()
            with ThreadPoolExecutor(1) as pool:
                pool.submit(upgrade, data_dir_url(folder, "migrated")).result()
            _TEMPLATES["migrated"] = folder / "migrated.db"
        return _TEMPLATES["migrated"]


def models_template() -> Path:
    """The file of a database whose tables come from the models registered on
    `SQLModel.metadata` (`create_all`), built once for each set of registered tables."""
    key = ("models", frozenset(SQLModel.metadata.tables))
    with _LOCK:
        if key not in _TEMPLATES:
            path = _folder() / f"models-{len(_TEMPLATES)}.db"
            engine = create_engine(f"sqlite:///{path}")
            try:
                SQLModel.metadata.create_all(engine)
            finally:
                engine.dispose()
            _TEMPLATES[key] = path
        return _TEMPLATES[key]


def _copy(template: Path, folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, folder / f"{name}.db")
    return data_dir_url(folder, name)


def migrated_copy(folder: Path, name: str) -> str:
    """`folder/<name>.db`, a migrated database as `services.kit.migrate.upgrade` leaves a new
    one: its URL (`data_dir_url(folder, name)`)."""
    return _copy(migrated_template(), folder, name)


def models_copy(folder: Path, name: str) -> str:
    """`folder/<name>.db` with the tables of the registered models (`create_all`): its URL."""
    return _copy(models_template(), folder, name)
