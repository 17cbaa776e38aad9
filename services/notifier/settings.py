from __future__ import annotations

from datetime import time
from email.utils import getaddresses
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.kit.settings import ProvinceSettings, ServiceSettings, refuse_placeholder


class NotifierSettings(ServiceSettings, ProvinceSettings):
    """Notifier: environment variables prefixed `PAKN_NOTIFIER_`."""

    model_config = SettingsConfigDict(env_prefix="PAKN_NOTIFIER_", env_file=".env", extra="ignore")

    http_port: int = 8003
    public_base_url: str = Field(
        default="",
        description="where the public pages live, e.g. https://pakn.gialai.gov.vn: the links in "
        "e-mails, feeds and Open311; required by the web app (the embedded default sets it)",
    )
    office_address: str = Field(
        default="35 Lê Lợi, phường Quy Nhơn, tỉnh Gia Lai",
        description="PLACEHOLDER to confirm: the office's address (Quy Nhơn since 1 Jul 2025; "
        "street address not confirmed)",
    )
    mail_from: str = "PAKN Gia Lai <pakn@gialai.gov.vn>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    smtp_validate_certs: bool = True
    smtp_ca_file: Path | None = Field(
        default=None, description="CA bundle that signs the SMTP server's certificate"
    )
    smtp_connections: int = Field(
        default=4,
        ge=1,
        le=64,
        description="SMTP connections kept open at most, each reused for several messages; "
        "also how many deliveries the mailer sends at once",
    )
    smtp_messages_per_connection: int = Field(
        default=100, ge=1, description="messages sent over one SMTP connection before a new one"
    )
    smtp_idle_s: float = Field(
        default=30.0, gt=0, description="an SMTP connection unused this long is closed (QUIT)"
    )
    mail_dir: Path | None = Field(
        default=None, description="write .eml files here instead of SMTP (embedded default)"
    )
    mail_max_attempts: int = Field(default=8, ge=1)
    mail_backoff_s: float = Field(default=5.0, gt=0)
    mail_backoff_max_s: float = Field(default=3600.0, gt=0)
    mail_poll_s: float = Field(default=0.5, gt=0)
    mail_lease_s: float = Field(
        default=300.0,
        gt=0,
        description="a claimed or in-flight delivery older than this was abandoned by a crash",
    )
    agencies_file: Path | None = Field(default=None, description="agency names (router's file)")
    holidays_file: Path | None = Field(default=None, description="working days (router's file)")
    page_size: int = Field(default=20, ge=1, le=200)
    digest_at: time = Field(
        default=time(7, 30),
        description="HH:MM, Vietnam time: when the day's digest of reminders and of overdue "
        "cases leaves (one mail a day per agency and for the office); before the working day",
    )

    def office_text(self) -> dict[str, str]:
        """What pages and e-mails say of the province and its office (template values)."""
        return {
            "hotline": self.hotline_number,
            "province": self.province_name,
            "office_name": self.office_name,
            "office_address": self.office_address,
        }

    @field_validator("digest_at")
    @classmethod
    def _whole_minute_local_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("the digest time is Vietnam time: give HH:MM without a zone")
        if value.second or value.microsecond:
            raise ValueError("the digest time is HH:MM, whole minutes")
        return value

    @field_validator("mail_from")
    @classmethod
    def _a_sender_address(cls, value: str) -> str:
        found = getaddresses([value])
        address = found[0][1] if len(found) == 1 else ""
        if not address.isascii() or "@" not in address or " " in address:
            raise ValueError('the sender is one "Name <address>" or address, ASCII, with an @')
        return value

    @field_validator("smtp_password")
    @classmethod
    def _no_placeholder_password(cls, value: str | None) -> str | None:
        return refuse_placeholder(value) if value else value
