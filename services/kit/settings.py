"""The settings every service shares; each service subclasses it with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.kit.kafka_security import KafkaSecurity


class ProvinceSettings(BaseSettings):
    """What the citizen-facing services say of the province and its office (one place for
    the defaults; each service still reads them under its own prefix)."""

    province_name: str = Field(
        default="Gia Lai",
        description="the province the pages, forms, feeds and e-mails speak of (since 1 Jul "
        "2025 Gia Lai and Bình Định are one province, Gia Lai, centre Quy Nhơn)",
    )
    office_name: str = Field(
        default="Văn phòng UBND tỉnh Gia Lai",
        description="the office that receives PAKN, signs the e-mails and publishes the feeds",
    )
    hotline_number: str = Field(
        default="0269 3 822 333",
        description="PLACEHOLDER to confirm: the PAKN hotline of the merged province",
    )
    hotline_hours: str = Field(
        default="7 giờ 30 đến 11 giờ 30 và 13 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu "
        "(trừ ngày nghỉ lễ, Tết)",
        description="PLACEHOLDER to confirm: when the hotline answers (shown to citizens with "
        "the number: the published channels page, receipts)",
    )
    pakn_email: str = Field(
        default="pakn@gialai.gov.vn",
        description="the published PAKN mailbox citizens write to (channels page, receipts)",
    )


class ServiceSettings(BaseSettings):
    """Read from the environment (and `.env`); nothing else in the code reads `os.environ`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///var/data/pakn.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…",
    )
    kafka_bootstrap: str = Field(default="127.0.0.1:19092", description="host:port[,host:port]")
    topic_namespace: str = Field(default="pakn", description="prefix of every topic and group")
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_SSL", "SSL"] = Field(
        default="PLAINTEXT",
        description="PLAINTEXT (the local broker), SASL_SSL (SCRAM-SHA-512 over TLS: the secured "
        "cluster, production) or SSL (mutual TLS)",
    )
    kafka_username: str = Field(
        default="", description="SASL_SSL: this service's principal, e.g. pakn-router (pakn acls)"
    )
    kafka_password_file: str = Field(
        default="", description="SASL_SSL: a file holding the principal's password (mode 600)"
    )
    kafka_ca_file: str = Field(
        default="", description="PEM file of the CA that signed the brokers' certificates"
    )
    kafka_cert_file: str = Field(default="", description="SSL: this client's certificate (PEM)")
    kafka_key_file: str = Field(default="", description="SSL: this client's private key (PEM)")
    topic_partitions: int = Field(
        default=3, ge=1, le=1000, description="partitions of each topic `pakn topics` creates"
    )
    topic_replication: int = Field(
        default=1,
        ge=1,
        le=10,
        description="replication factor of each topic `pakn topics` creates (3 on a cluster)",
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    relay_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="outbox safety-net poll when idle (a commit that stores events wakes the "
        "relay at once: in process, and through LISTEN/NOTIFY on PostgreSQL)",
    )
    outbox_keep_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        description="days a published outbox row is kept for inspection before it is deleted "
        "(the newest of each key on the compacted reference-data topic always stays)",
    )
    dedupe_days: int = Field(
        default=30,
        ge=15,
        le=3650,
        description="days a consumer remembers an event it applied, so that a second delivery "
        "does nothing: longer than a topic can deliver a record again (retention.ms + "
        "segment.ms, 7 + 7 days by default; `pakn topics` checks it)",
    )
    retention_interval_s: float = Field(
        default=3600.0,
        gt=0,
        description="how often expired outbox rows and processed-event records are deleted",
    )
    consumer_retries: int = Field(default=3, ge=0, description="transient-error retries")
    consumer_batch: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="messages a consumer takes per poll and applies in one database "
        "transaction (1: one at a time)",
    )
    consumer_workers: int = Field(
        default=3, ge=1, le=64, description="consumers per subscription in this process"
    )

    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text (development) or json (production: one object per line with the "
        "case and event ids, for the log collector)",
    )
    metrics_allow: str = Field(
        default="127.0.0.1/32,::1/128",
        description="addresses or networks allowed to read /metrics, comma-separated (the "
        "Prometheus server); requests through a proxy are refused; empty: nobody",
    )
    ready_max_lag: int = Field(
        default=10_000,
        ge=0,
        description="/readyz answers 503 while a partition's consumer lag is above this many "
        "records (0: lag never makes the service unready)",
    )
    lag_sample_s: float = Field(
        default=10.0,
        gt=0,
        description="how often consumer lag and the broker's reachability are sampled",
    )

    staff_secret: str | None = Field(
        default=None,
        description="shared by all services: signs the staff pass of the internal pages",
    )

    def kafka_security(self) -> KafkaSecurity:
        """How this service authenticates to the broker (services/kit/kafka_security.py)."""
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            username=self.kafka_username,
            password_file=self.kafka_password_file,
            ca_file=self.kafka_ca_file,
            cert_file=self.kafka_cert_file,
            key_file=self.kafka_key_file,
        )

    @field_validator("database_url")
    @classmethod
    def _no_placeholder(cls, value: str) -> str:
        return refuse_placeholder(value)


def refuse_placeholder(value: str) -> str:
    """Refuse the `.env.example` placeholder: a copied example must not run in production."""
    if "CHANGE-ME" in value:
        raise ValueError("replace the CHANGE-ME placeholder from .env.example with a real secret")
    return value


def data_dir_url(data_dir: Path, name: str) -> str:
    """The SQLite URL of one service's database in the embedded data folder."""
    return f"sqlite+aiosqlite:///{(data_dir / f'{name}.db').resolve()}"
