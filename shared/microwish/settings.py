"""Configuration from the environment the template sets, as one typed model."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import cache

from pydantic import BaseModel, Field, field_validator

from . import clock
from .lifecycle import Status

# Levels bottom-up; a wish climbs this ladder until the deployment's top level.
_DEFAULT_WINDOWS = "village=7,township=7,county=14,city=14,province=14"


class Settings(BaseModel):
    wish_table_name: str = "wishes"
    idempotency_table_name: str = "idempotency"
    jwt_issuer: str = ""
    jwt_audience: str = ""
    jwks_url: str = ""
    jwt_token_use: str = "id"  # token_use values public routes accept, comma-separated ("id,access")
    top_level: str = Field(default="city", pattern="^(city|province)$")
    home_region: str = "4312"
    review_window_days: float = 7
    escalation_windows: dict[str, float] = Field(default_factory=dict)
    claim_lease_days: float = 14
    assignment_accept_days: float = 3
    lease_reminder_days: float = 2
    max_active_claims: int = 10
    retention_days: float = Field(default=365, ge=0)  # a finished wish's private part is erased after this
    max_body_bytes: int = 64 * 1024
    upload_bucket_name: str = "photos"
    # Chat (microwish.chat): where replies link to (the web app's root, WEB.md), how long a binding
    # code is valid, how long a binding lasts before the person binds again.
    web_base_url: str = "http://localhost:3000/app"
    chat_code_minutes: float = Field(default=10, gt=0)
    chat_binding_days: float = Field(default=180, gt=0)

    @field_validator("escalation_windows", mode="before")
    @classmethod
    def _parse_windows(cls, value: object) -> object:
        # "village=7,township=7" is what a CloudFormation parameter can carry.
        if isinstance(value, str):
            pairs = (part.split("=", 1) for part in value.split(",") if part.strip())
            return {level.strip(): float(days) for level, days in pairs}
        return value

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {"escalation_windows": _DEFAULT_WINDOWS}
        for name in cls.model_fields:
            if name.upper() in env:
                values[name] = env[name.upper()]
        return cls.model_validate(values)

    @property
    def token_uses(self) -> set[str]:
        return {use.strip() for use in self.jwt_token_use.split(",") if use.strip()}

    def window_days(self, level: str) -> float:
        return self.escalation_windows.get(level, 7)

    # ------------------------------------------------------------ due times
    def due_for(self, status: Status, level: str) -> str:
        """When a wish that waits from now in `status` (for review, or to be claimed at `level`) falls due."""
        days = self.review_window_days if status is Status.SUBMITTED else self.window_days(level)
        return clock.iso(clock.now() + timedelta(days=days))

    def days_from_now(self, days: float) -> str:
        """A deadline `days` from now (a claim's lease, an assignment's answer)."""
        return clock.iso(clock.now() + timedelta(days=days))

    def lease_due(self, deadline: str) -> str:
        """When the lease sweep should first look at a claim: at reminder time, or at the deadline."""
        remind_at = clock.iso(clock.parse(deadline) - timedelta(days=self.lease_reminder_days))
        return remind_at if remind_at > clock.now_iso() else deadline

    def erasure_due(self, ended_at: str) -> str:
        """When a wish that ended at `ended_at` has its private part erased (the RetentionDays parameter)."""
        return clock.iso(clock.parse(ended_at) + timedelta(days=self.retention_days))


@cache
def get_settings() -> Settings:
    return Settings.from_env()
