from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Intake: environment variables prefixed `PAKN_INTAKE_`."""

    model_config = SettingsConfigDict(env_prefix="PAKN_INTAKE_", env_file=".env", extra="ignore")

    http_port: int = 8001
    hotline_number: str = "0269 3 822 333"
    pakn_email: str = "pakn@gialai.gov.vn"
    pakn_postal_address: str = "Văn phòng UBND tỉnh Gia Lai, 02 Trần Phú, TP. Pleiku, Gia Lai"
