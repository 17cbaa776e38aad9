from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.kit.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    """Router: environment variables prefixed `PAKN_ROUTER_`."""

    model_config = SettingsConfigDict(env_prefix="PAKN_ROUTER_", env_file=".env", extra="ignore")

    http_port: int = 8002
    rules_file: Path | None = None  # default: the packaged services/router/data/rules.yaml
    agencies_file: Path | None = None
    holidays_file: Path | None = None
    reminder_days_before: int = Field(
        default=2, ge=0, le=30, description="remind the agency this many working days before"
    )
    scheduler_interval_s: float = Field(
        default=300.0, gt=0, description="how often the deadline scheduler looks at open cases"
    )
