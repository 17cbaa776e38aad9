from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

from schemas.timezone import VIETNAM
from services.kit.settings import ProvinceSettings, ServiceSettings, refuse_placeholder

# The first day the province's PAKN register covers (the 2023 agencies' structure).
RECEIVED_EARLIEST = datetime(2023, 1, 1, tzinfo=VIETNAM)
RECEIVED_MAX_SKEW_S = 300
KEYED_CHANNELS = ("portal", "hotline", "post", "email")  # machine channels: not "web"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CLIENT = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")


class IntakeSettings(ServiceSettings, ProvinceSettings):
    """Intake: environment variables prefixed `PAKN_INTAKE_`."""

    model_config = SettingsConfigDict(env_prefix="PAKN_INTAKE_", env_file=".env", extra="ignore")

    http_port: int = 8001
    pakn_email: str = "pakn@gialai.gov.vn"
    pakn_postal_address: str = Field(
        default="Văn phòng UBND tỉnh Gia Lai, 35 Lê Lợi, phường Quy Nhơn, tỉnh Gia Lai",
        description="PLACEHOLDER to confirm: where letters go (the office in Quy Nhơn since "
        "1 Jul 2025; street address not confirmed)",
    )
    address_examples: str = Field(
        default="phường Quy Nhơn Nam, xã Ia Grai, phường Pleiku",
        description="today's communes and wards named as examples in the address hint",
    )
    public_base_url: str = Field(
        default="",
        description="where the public status pages live (printed on receipts), e.g. "
        "https://pakn.gialai.gov.vn; required by the web app (the embedded default sets it); "
        "links are never built from the request's Host header",
    )
    attachment_dir: Path | None = Field(
        default=None,
        description="folder of the attachment store (files named by their SHA-256); unset: "
        "`attachments/` beside a SQLite database, else var/data/attachments",
    )
    attachment_max_files: int = Field(default=5, ge=0, le=20)
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    mailbox_host: str = Field(default="127.0.0.1", description="inbound SMTP listener address")
    mailbox_port: int | None = Field(
        default=None, ge=0, le=65535, description="inbound SMTP listener port; unset: no listener"
    )

    channel_keys: str = Field(
        default="",
        description="machine channels' keys: comma-separated `channel:sha256`, channel one of "
        "portal, hotline, post, email and sha256 the hex SHA-256 of its key (sha256sum of "
        "the key without newline); the caller sends `Authorization: Bearer <key>` to POST "
        "/api/submissions and may then set channel_ref and received_at (within bounds); "
        "empty: every caller is public",
    )
    open311_keys: str = Field(
        default="",
        description="Open311 clients' api_key values: comma-separated `client:sha256`, client "
        "a short name of the application (a-z, 0-9, . _ -; it is recorded with each request) "
        "and sha256 the hex SHA-256 of its key; POST /open311/v2/requests.json (.xml) needs "
        "one of them in `api_key` (403 otherwise); empty: Open311 POST refuses every caller",
    )
    received_at_earliest: datetime = Field(
        default=RECEIVED_EARLIEST,
        description="no item is received before this moment (keyed channels, staff entries, "
        "imports, the intake topic): an earlier received_at is refused",
    )
    received_at_max_skew_s: int = Field(
        default=RECEIVED_MAX_SKEW_S,
        ge=0,
        le=86_400,
        description="how far a given received_at may lie in the future (clock skew), seconds",
    )
    client_address_header: str = Field(
        default="",
        description="header in which a trusted reverse proxy passes the client's address "
        "(e.g. X-Forwarded-For: its last entry is used); empty: the connection's address",
    )
    submissions_per_client: int = Field(
        default=30,
        ge=1,
        description="public submissions (web form, Open311, the JSON API without a key) one "
        "client address may send per rate_window_s; counted in memory, per process",
    )
    submissions_per_recipient: int = Field(
        default=5,
        ge=1,
        description="public submissions per e-mail address (each one mails a receipt to it) "
        "per rate_window_s; counted in memory, per process",
    )
    rate_window_s: int = Field(default=3600, ge=1, description="sliding window of the limits")
    invalid_body_keep_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="of a body that cannot be registered, at most this many bytes are archived "
        "(the size of the rest is noted)",
    )
    invalid_bodies_per_client: int = Field(
        default=50,
        ge=0,
        description="invalid bodies archived per client address per invalid_window_s; beyond, "
        "they are counted (log) and dropped",
    )
    invalid_window_s: int = Field(default=86_400, ge=1)
    receipt_proof_attempts: int = Field(
        default=5,
        ge=1,
        description="attempts per tracking code and per client address to open the full "
        "receipt with the phone number or e-mail address, per receipt_proof_window_s",
    )
    receipt_proof_window_s: int = Field(default=900, ge=1)

    @field_validator("channel_keys")
    @classmethod
    def _known_channels(cls, value: str) -> str:
        parse_channel_keys(refuse_placeholder(value))
        return value

    @field_validator("open311_keys")
    @classmethod
    def _known_clients(cls, value: str) -> str:
        parse_open311_keys(refuse_placeholder(value))
        return value

    @property
    def open311_key_hashes(self) -> dict[str, str]:
        """SHA-256 (hex) of each Open311 client's api_key → the client's name."""
        return parse_open311_keys(self.open311_keys)

    @property
    def channel_key_hashes(self) -> dict[str, str]:
        """SHA-256 (hex) of each machine channel's key → the channel."""
        return parse_channel_keys(self.channel_keys)

    @field_validator("received_at_earliest")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("received_at_earliest needs a UTC offset, e.g. +07:00")
        return value

    @property
    def attachment_folder(self) -> Path:
        if self.attachment_dir is not None:
            return self.attachment_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(str(url.database)).parent / "attachments"
        return Path("var/data/attachments")

    @property
    def max_request_bytes(self) -> int:
        """The largest HTTP body a channel accepts: every attachment at its limit, plus text."""
        return self.attachment_max_files * self.attachment_max_bytes + 512 * 1024


def parse_channel_keys(text: str) -> dict[str, str]:
    """`portal:<sha256>,hotline:<sha256>` → {sha256: channel}; ValueError if malformed."""
    keys: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        channel, _, digest = part.partition(":")
        channel, digest = channel.strip(), digest.strip().lower()
        if channel not in KEYED_CHANNELS:
            raise ValueError(f"channel_keys: {channel!r} is not one of {', '.join(KEYED_CHANNELS)}")
        if not _SHA256.fullmatch(digest):
            raise ValueError(
                f"channel_keys: the key of {channel} must be given as its SHA-256 (hex)"
            )
        keys[digest] = channel
    return keys


def parse_open311_keys(text: str) -> dict[str, str]:
    """`app-a:<sha256>,app-b:<sha256>` → {sha256: client}; ValueError if malformed."""
    keys: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        client, _, digest = part.partition(":")
        client, digest = client.strip(), digest.strip().lower()
        if not _CLIENT.fullmatch(client):
            raise ValueError(
                f"open311_keys: {client[:40]!r} is not a client name (a-z, 0-9, . _ -, at most 40)"
            )
        if not _SHA256.fullmatch(digest):
            raise ValueError(
                f"open311_keys: the key of {client} must be given as its SHA-256 (hex)"
            )
        keys[digest] = client
    return keys
