"""The three-node secured cluster of deploy/kafka-cluster.sh, for the tests that need it."""

from __future__ import annotations

import os
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "kafka-cluster.sh"


@dataclass(frozen=True)
class SecuredCluster:
    settings: dict[str, str]  # what `deploy/kafka-cluster.sh env` prints

    @property
    def bootstrap(self) -> str:
        return self.settings["PAKN_CLUSTER_BOOTSTRAP"]

    def client(self, username: str, password: str) -> dict[str, Any]:
        """aiokafka keyword arguments for `username` over SASL_SSL."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": username,
            "sasl_plain_password": password,
            "ssl_context": ssl.create_default_context(cafile=self.settings["PAKN_CLUSTER_CA_FILE"]),
        }

    def admin(self) -> dict[str, Any]:
        password = Path(self.settings["PAKN_CLUSTER_ADMIN_PASSWORD_FILE"]).read_text().strip()
        return self.client("admin", password)


def _run(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), command], capture_output=True, text=True, timeout=400, check=False
    )


def running_cluster() -> Iterator[SecuredCluster]:
    """Start the cluster unless it runs; stop it afterwards only if this started it."""
    was_running = _run("status").returncode == 0
    started = _run("start")
    assert started.returncode == 0, started.stderr[-3000:]
    settings = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    try:
        yield SecuredCluster(settings)
    finally:
        if not was_running and not os.environ.get("PAKN_KEEP_CLUSTER"):
            _run("stop")
