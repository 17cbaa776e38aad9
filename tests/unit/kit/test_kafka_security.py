"""Kafka security settings: incomplete ones stop the start, complete ones give the clients
SCRAM over TLS with the CA given."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from faststream.security import SASLScram512

from services.kit.kafka_security import KafkaSecurity, KafkaSecurityError


def test_plaintext_needs_nothing() -> None:
    assert KafkaSecurity().aiokafka() == {} and KafkaSecurity().faststream() is None


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"protocol": "SASL_SSL", "password_file": "x"}, "KAFKA_USERNAME"),
        ({"protocol": "SASL_SSL", "username": "pakn-router"}, "KAFKA_PASSWORD_FILE"),
        ({"protocol": "SSL", "cert_file": "c.pem"}, "KAFKA_KEY_FILE"),
    ],
)
def test_incomplete_settings_name_what_is_missing(settings: dict, named: str) -> None:
    with pytest.raises(KafkaSecurityError, match=named):
        KafkaSecurity(**settings).check()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    absent = tmp_path / "router.password"
    with pytest.raises(KafkaSecurityError, match=r"router\.password"):
        KafkaSecurity("SASL_SSL", "pakn-router", str(absent)).aiokafka()


def test_scram_over_tls_reads_the_password_from_its_file(tmp_path: Path) -> None:
    (tmp_path / "router.password").write_text("s3cret-from-file\n")
    security = KafkaSecurity("SASL_SSL", "pakn-router", str(tmp_path / "router.password"))
    client = security.aiokafka()
    assert client["sasl_mechanism"] == "SCRAM-SHA-512"
    assert client["sasl_plain_password"] == "s3cret-from-file"
    assert isinstance(client["ssl_context"], ssl.SSLContext)
    assert client["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    broker = security.faststream()
    assert isinstance(broker, SASLScram512) and broker.username == "pakn-router"
