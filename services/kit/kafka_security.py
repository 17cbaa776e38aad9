"""How a service authenticates to Kafka: nothing (the local single broker), or SCRAM over TLS
(the secured cluster of deploy/kafka-cluster.sh and production), or mutual TLS.

Every service reads the same four settings (`PAKN_<SERVICE>_KAFKA_SECURITY_PROTOCOL`,
`..._KAFKA_USERNAME`, `..._KAFKA_PASSWORD_FILE`, `..._KAFKA_CA_FILE`, and for mutual TLS
`..._KAFKA_CERT_FILE` / `..._KAFKA_KEY_FILE`); the password is read from a file so that it
never appears in the environment of the process list or in a log.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from faststream.security import BaseSecurity, SASLScram512

from services.kit.errors import PaknError

Protocol = Literal["PLAINTEXT", "SASL_SSL", "SSL"]


class KafkaSecurityError(PaknError, ValueError):
    """The Kafka security settings are incomplete or unreadable: the service does not start."""


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: Protocol = "PLAINTEXT"
    username: str = ""
    password_file: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    def check(self) -> None:
        """Fail at start, naming the setting, rather than at the first connection."""
        needed: dict[str, str] = {}
        if self.protocol == "SASL_SSL":
            needed = {"KAFKA_USERNAME": self.username, "KAFKA_PASSWORD_FILE": self.password_file}
        elif self.protocol == "SSL":
            needed = {"KAFKA_CERT_FILE": self.cert_file, "KAFKA_KEY_FILE": self.key_file}
        missing = [name for name, value in needed.items() if not value]
        if missing:
            raise KafkaSecurityError(f"{self.protocol} needs " + ", ".join(missing))
        for name in ("password_file", "ca_file", "cert_file", "key_file"):
            path = getattr(self, name)
            if path and not Path(path).is_file():
                raise KafkaSecurityError(f"KAFKA_{name.upper()}: no such file: {path}")

    def _password(self) -> str:
        return Path(self.password_file).read_text("utf-8").strip()

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.cert_file:
            context.load_cert_chain(self.cert_file, self.key_file or None)
        return context

    def faststream(self) -> BaseSecurity | None:
        """The `security=` of FastStream's KafkaBroker."""
        self.check()
        if self.protocol == "SASL_SSL":
            return SASLScram512(self.username, self._password(), ssl_context=self._context())
        if self.protocol == "SSL":
            return BaseSecurity(ssl_context=self._context(), use_ssl=True)
        return None

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's clients (admin, producer, consumer)."""
        self.check()
        if self.protocol == "SASL_SSL":
            return {
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_plain_username": self.username,
                "sasl_plain_password": self._password(),
                "ssl_context": self._context(),
            }
        if self.protocol == "SSL":
            return {"security_protocol": "SSL", "ssl_context": self._context()}
        return {}
