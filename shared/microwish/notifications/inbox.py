"""The caller's in-app inbox and notification preferences (the /me/notifications routes).

A person's own inbox is user#<sub>. Officers are reached through their unit: an officer also sees
the inbox of their region (region#<code>, exactly their unit, not the units below it), and an
admin the admins' inbox of the deployment's home region. A unit's inbox is shared by its officers,
and so is its read state: "read" means someone in the unit has read it.
"""

from __future__ import annotations

from typing import Any

from .. import clock
from ..auth import Caller, require_role
from ..errors import InvalidInput, NotFound
from ..models import NotificationView, Preferences, PreferencesUpdate, VerificationRequest
from ..personal_data import mask
from ..repository import InboxStore
from ..settings import Settings
from . import verification
from .config import NotifyConfig


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


def mark_read(caller: Caller, store: InboxStore, settings: Settings, notification_id: str) -> NotificationView:
    item = store.mark_read(owners_of(caller, settings), notification_id)
    if item is None:
        raise NotFound("no such notification in your inbox")
    return _view(item)


def mark_many_read(caller: Caller, store: InboxStore, settings: Settings, ids: list[str]) -> list[NotificationView]:
    """Marks those of `ids` the caller can see; ids they cannot see are left out of the answer."""
    owners = owners_of(caller, settings)
    marked = (store.mark_read(owners, notification_id) for notification_id in dict.fromkeys(ids))
    return [_view(item) for item in marked if item is not None]


def _preferences(item: dict[str, Any]) -> Preferences:
    return Preferences.model_validate({key: item[key] for key in Preferences.model_fields if key in item})


def get_preferences(caller: Caller, store: InboxStore) -> Preferences:
    require_role(caller, "resident", "officer", "donor", "admin")
    return _preferences(store.get_preferences(caller.sub or "") or {})


def put_preferences(
    caller: Caller, store: InboxStore, update: PreferencesUpdate, config: NotifyConfig | None = None
) -> Preferences:
    """Stores the choice; a number/address not yet verified gets a code (and is not used until
    POST /me/preferences/verification)."""
    require_role(caller, "resident", "officer", "donor", "admin")
    if update.sms and not update.phone:
        raise InvalidInput("phone", "SMS need a phone number")
    if update.email and not update.email_address:
        raise InvalidInput("email_address", "e-mails need an address")
    config = config or NotifyConfig.from_env()
    now = clock.now_iso()
    current = store.get_preferences(caller.sub or "") or {}
    values: dict[str, Any] = {**update.model_dump(), "updated_at": now}
    codes: list[tuple[str, str, str]] = []
    for channel, (address_field, _) in verification.CHANNELS.items():
        address = values[address_field]
        fields, code = verification.plan_code(current, channel, address, now)
        values.update(fields)
        if code is not None:
            codes.append((channel, address, code))
    for channel, address, _ in codes:  # every code counts against its address's daily cap, first
        verification.check_cap_for_code(store, config, channel, address)
    store.put_preferences(caller.sub or "", values)
    for channel, address, code in codes:
        verification.send_code(store, config, channel, address, code)
    return _preferences(values)


def verify_contact(caller: Caller, store: InboxStore, request: VerificationRequest) -> Preferences:
    require_role(caller, "resident", "officer", "donor", "admin")
    return _preferences(verification.verify(store, caller.sub or "", request.channel, request.code))
