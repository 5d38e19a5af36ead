"""The in-app inbox and notification preferences: what a person reads and sends."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .base import Model, Phone, Strict

EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
NotificationId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class NotificationView(Model):
    id: str
    wish_id: str
    event: str = Field(description="The event, in the audit vocabulary (submitted, approved, claimed, ...)")
    title: str
    body: str
    created_at: str
    read: bool


class NotificationList(Model):
    items: list[NotificationView]


class MarkRead(Strict):
    ids: list[NotificationId] = Field(min_length=1, max_length=100)


class PreferencesUpdate(Strict):
    sms: bool = False
    email: bool = False
    phone: Phone | None = Field(default=None, description="Where SMS go; needed when sms is true")
    email_address: EmailAddress | None = Field(default=None, description="Where e-mails go; needed when email is true")


class Preferences(Model):
    sms: bool = False
    email: bool = False
    phone: str | None = None
    phone_verified: bool = Field(default=False, description="SMS go out only once the number is verified")
    email_address: str | None = None
    email_verified: bool = Field(default=False, description="E-mails go out only once the address is verified")
    inbox: bool = Field(default=True, description="The in-app inbox always works")
    updated_at: str | None = None


class VerificationRequest(Strict):
    channel: Literal["sms", "email"] = Field(description="Which address the code was sent to")
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")] = Field(
        description="The 6-digit code sent to the number or address"
    )
