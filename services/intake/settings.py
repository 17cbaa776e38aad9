from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

from services.kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Intake: environment variables prefixed `PAKN_INTAKE_`."""

    model_config = SettingsConfigDict(env_prefix="PAKN_INTAKE_", env_file=".env", extra="ignore")

    http_port: int = 8001
    province_name: str = Field(
        default="Gia Lai",
        description="the province the forms and receipts speak of (since 1 Jul 2025 Gia Lai "
        "and Bình Định are one province, Gia Lai, centre Quy Nhơn)",
    )
    office_name: str = Field(
        default="Văn phòng UBND tỉnh Gia Lai",
        description="the office that receives PAKN (heads receipts and letters)",
    )
    hotline_number: str = Field(
        default="0269 3 822 333",
        description="PLACEHOLDER to confirm: the PAKN hotline of the merged province",
    )
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
        description="where the public status pages live (printed on receipts); "
        "empty: the address the request came to",
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
