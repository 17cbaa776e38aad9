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
        default=20,
        ge=1,
        description="failed logins of one account (from any address) within the window that "
        "lock it for addresses it has not logged in from lately (the per-address back-off "
        "below slows a single attacker long before)",
    )
    console_failure_window_minutes: float = Field(default=15.0, gt=0)
    console_lock_minutes: float = Field(default=15.0, gt=0, description="how long a lock lasts")
    console_login_burst: int = Field(
        default=20,
        ge=1,
        description="login attempts one client address may make at once (token bucket, "
        "checked before any password is hashed; in memory, per process)",
    )
    console_login_refill_s: float = Field(
        default=3.0, gt=0, description="one more login attempt per address every this many s"
    )
    console_login_free_failures: int = Field(
        default=3,
        ge=0,
        description="failures of one account from one address before the back-off starts",
    )
    console_login_backoff_s: float = Field(
        default=2.0,
        gt=0,
        description="first wait after the free failures (same address and account); doubles "
        "with every further failure",
    )
    console_login_backoff_max_s: float = Field(
        default=900.0, gt=0, description="longest wait of the back-off"
    )
    console_key_derivations: int = Field(
        default=2,
        ge=1,
        le=64,
        description="password checks (scrypt, 32 MiB each) running at once; more logins wait",
    )
    console_key_derivation_queue: int = Field(
        default=32,
        ge=0,
        description="logins that may wait for a password check; beyond, 503 at once",
    )
    staff_pass_minutes: float = Field(
        default=10.0,
        gt=0,
        le=30,
        description="lifetime of the staff pass of the internal pages (/noi-bo/, /van-phong/); "
        "renewed through the console while its login lasts: after logout, a password change "
        "or a disabled account, the pass ends within this time",
    )
    console_due_soon_days: int = Field(
        default=2, ge=0, le=30, description="mark a deadline this many working days ahead"
    )
    console_page_size: int = Field(default=50, ge=5, le=500)
    console_self_approval_agencies: str = Field(
        default="",
        description="separation of duties: agencies (codes, comma-separated, e.g. "
        "'XIAPAGRAI,XDAKDOA') whose heads may approve an answer draft they wrote themselves; "
        "everywhere else the approver of a draft is not its drafter",
    )

    @property
    def self_approval(self) -> frozenset[str]:
        """The agencies of `console_self_approval_agencies`."""
        codes = self.console_self_approval_agencies.replace(";", ",").split(",")
        return frozenset(code.strip().upper() for code in codes if code.strip())
