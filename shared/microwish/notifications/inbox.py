"""The caller's in-app inbox and notification preferences (the /me/notifications routes).

A person's own inbox is user#<sub>. Officers are reached through their unit: an officer also sees
the inbox of their region (region#<code>, exactly their unit, not the units below it), and an
admin the admins' inbox of the deployment's home region. A unit's inbox is shared by its officers,
and so is its read state: "read" means someone in the unit has read it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from .. import clock
from ..auth import Caller, require_role
from ..errors import InvalidInput, NotFound
from ..inbox_store import InboxStore
from ..models import Phone, Strict
from ..personal_data import mask
from ..settings import Settings

EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
NotificationId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class NotificationView(BaseModel):
    id: str
    wish_id: str
    event: str = Field(description="The event, in the audit vocabulary (submitted, approved, claimed, ...)")
    title: str
    body: str
    created_at: str
    read: bool


class NotificationList(BaseModel):
    items: list[NotificationView]


class MarkRead(Strict):
    ids: list[NotificationId] = Field(min_length=1, max_length=100)


class PreferencesUpdate(Strict):
    sms: bool = False
    email: bool = False
    phone: Phone | None = Field(default=None, description="Where SMS go; needed when sms is true")
    email_address: EmailAddress | None = Field(
        default=None, description="Where e-mails go; needed when email is true"
    )


class Preferences(BaseModel):
    sms: bool = False
    email: bool = False
    phone: str | None = None
    email_address: str | None = None
    inbox: bool = Field(default=True, description="The in-app inbox always works")
    updated_at: str | None = None


def owners_of(caller: Caller, settings: Settings) -> list[str]:
    require_role(caller, "resident", "officer", "donor", "admin")
    owners = [f"user#{caller.sub}"]
    if caller.role == "officer" and caller.region:
        owners.append(f"region#{caller.region}")
    if caller.role == "admin":
        owners.append(f"admins#{settings.home_region}")
    return owners


def _view(item: dict[str, Any]) -> NotificationView:
    fields = {key: item.get(key) for key in NotificationView.model_fields}
    for key in ("title", "body"):  # texts stored before phone and ID numbers were refused: masked on the way out
        fields[key] = mask(fields[key])
    return NotificationView.model_validate(fields)


def list_notifications(
    caller: Caller, store: InboxStore, settings: Settings, limit: int, cursor: str | None
) -> tuple[list[NotificationView], str | None]:
    items, next_cursor = store.list_notifications(owners_of(caller, settings), limit, cursor)
    return [_view(item) for item in items], next_cursor


def mark_read(
    caller: Caller, store: InboxStore, settings: Settings, notification_id: str
) -> NotificationView:
    item = store.mark_read(owners_of(caller, settings), notification_id)
    if item is None:
        raise NotFound("no such notification in your inbox")
    return _view(item)


def mark_many_read(
    caller: Caller, store: InboxStore, settings: Settings, ids: list[str]
) -> list[NotificationView]:
    """Marks those of `ids` the caller can see; ids they cannot see are left out of the answer."""
    owners = owners_of(caller, settings)
    marked = (store.mark_read(owners, notification_id) for notification_id in dict.fromkeys(ids))
    return [_view(item) for item in marked if item is not None]


def get_preferences(caller: Caller, store: InboxStore) -> Preferences:
    require_role(caller, "resident", "officer", "donor", "admin")
    item = store.get_preferences(caller.sub or "") or {}
    return Preferences.model_validate({key: item[key] for key in Preferences.model_fields if key in item})


def put_preferences(caller: Caller, store: InboxStore, update: PreferencesUpdate) -> Preferences:
    require_role(caller, "resident", "officer", "donor", "admin")
    if update.sms and not update.phone:
        raise InvalidInput("phone", "SMS need a phone number")
    if update.email and not update.email_address:
        raise InvalidInput("email_address", "e-mails need an address")
    values = {**update.model_dump(), "updated_at": clock.now_iso()}
    store.put_preferences(caller.sub or "", values)
    return Preferences.model_validate(values)
