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

    # The agency console (/can-bo/) and the agencies' API (/api/v1/): see
    # docs/decisions/0004-console-access.md.
    console_cookie_secure: bool = Field(
        default=True, description="send the session cookie over HTTPS only (off for plain HTTP)"
    )
    console_session_hours: float = Field(
        default=8.0, gt=0, le=24, description="a login lasts at most this long"
    )
    console_idle_minutes: float = Field(
        default=60.0, gt=0, description="a login ends after this long without a request"
    )
    console_max_failures: int = Field(
        default=5, ge=1, description="failed logins within the window that lock the account"
    )
    console_failure_window_minutes: float = Field(default=15.0, gt=0)
    console_lock_minutes: float = Field(default=15.0, gt=0, description="how long a lock lasts")
    console_due_soon_days: int = Field(
        default=2, ge=0, le=30, description="mark a deadline this many working days ahead"
    )
    console_page_size: int = Field(default=50, ge=5, le=500)
