"""Notification settings, read from the environment the template sets."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class NotifyConfig:
    queue_url: str = ""
    contacts_parameter: str = ""  # SSM parameter with the regions' contacts (JSON); "" for none
    email_sender: str = ""
    outbox_file: str = ""  # local runtime: append what would be sent here instead of sending
    sent_ttl_days: float = 15  # how long "sent" markers live (longer than the DLQ keeps a message)
    contacts_cache_seconds: float = 300
    daily_cap: int = 20  # SMS / e-mails one address may get a day (codes and notifications together)

    @classmethod
    def from_env(cls) -> NotifyConfig:
        env = os.environ
        return cls(
            queue_url=env.get("NOTIFICATION_QUEUE_URL", ""),
            contacts_parameter=env.get("NOTIFY_CONTACTS_PARAMETER", ""),
            email_sender=env.get("NOTIFY_EMAIL_SENDER", ""),
            outbox_file=env.get("MICROWISH_OUTBOX_FILE", ""),
            sent_ttl_days=float(env.get("NOTIFY_SENT_TTL_DAYS", "15")),
            daily_cap=int(env.get("NOTIFY_DAILY_CAP", "20")),
        )
