"""A PostgreSQL server of the test's own, which the test may stop and start at will.

Started by the project's `deploy/postgres.sh` on a free port with its own state folder, so
restarting it disturbs no other test's database.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import asyncpg

from services.kit.migrate import upgrade
from tests.conftest import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres.sh"


class RestartablePostgres:
    def __init__(self) -> None:
        self.port = free_port()
        # Under /tmp (world-traversable), so the `postgres` OS user can reach the cluster.
        self.var = Path(tempfile.mkdtemp(prefix="pakn-pg-", dir="/tmp"))
        self.var.chmod(0o755)
        self.dsn = f"postgresql://pakn:pakn@127.0.0.1:{self.port}"

    async def _script(self, command: str) -> None:
        env = {**os.environ, "PAKN_PG_PORT": str(self.port), "PAKN_VAR": str(self.var)}
        process = await asyncio.create_subprocess_exec(
            str(SCRIPT),
            command,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise AssertionError(f"deploy/postgres.sh {command} failed:\n{output.decode()}")

    async def start(self) -> None:
        await self._script("start")

    async def stop(self) -> None:
        """A fast shutdown, as an administrator or a failover does it."""
        await self._script("stop")

    async def database(self) -> str:
        """A new migrated database on this server, as a SQLAlchemy URL."""
        return await migrated_database(self.dsn, f"pakn_{uuid.uuid4().hex[:12]}")

    async def remove(self) -> None:
        await self._script("stop")
        shutil.rmtree(self.var, ignore_errors=True)


async def migrated_database(dsn: str, name: str) -> str:
    """Create database `name` on the server at `dsn`, migrate it, return its URL."""
    conn = await asyncpg.connect(f"{dsn}/postgres", timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = f"{dsn.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    await asyncio.to_thread(upgrade, url)
    return url
