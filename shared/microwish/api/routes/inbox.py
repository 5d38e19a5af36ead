"""GET /me/notifications, marking them read, and GET/PUT /me/preferences (the inbox function)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...inbox_store import InboxStore
from ...models import Page
from ...notifications import inbox
from ...notifications.inbox import (
    MarkRead,
    NotificationList,
    NotificationView,
    Preferences,
    PreferencesUpdate,
    VerificationRequest,
)
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller
from ..idempotency import idempotent_replaying, still_in_progress

router = Router()
_idempotent = idempotent_replaying(still_in_progress)  # one write each: no transaction to carry a record


@cache
def _store(table_name: str) -> InboxStore:
    return InboxStore(table_name)


def current_inbox(settings: AppSettings) -> InboxStore:
    return _store(settings.wish_table_name)


Inbox = Annotated[InboxStore, Depends(current_inbox)]


@router.get(
    "/me/notifications",
    summary="My in-app inbox, newest first",
    tags=["me"],
    security=BEARER,
    description="An officer sees their own notifications and their unit's (the inbox of their "
    "region); an admin also the admins' inbox. A unit's read state is shared.",
)
def list_notifications(
    inbox_store: Inbox,
    caller: CurrentCaller,
    settings: AppSettings,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[NotificationView]:
    items, next_cursor = inbox.list_notifications(caller, inbox_store, settings, limit, cursor)
    return Page[NotificationView](items=items, next_cursor=next_cursor)


@router.post(
    "/me/notifications/<id>/read",
    summary="Mark one notification read",
    tags=["me"],
    security=BEARER,
    responses={
        200: {"description": "The notification, read"},
        404: {"description": "Not in any of my inboxes"},
    },
    middlewares=[_idempotent],
)
def mark_read(inbox_store: Inbox, id: str, caller: CurrentCaller, settings: AppSettings) -> Response[NotificationView]:
    view = inbox.mark_read(caller, inbox_store, settings, id)
    return Response(200, "application/json", view)


@router.post(
    "/me/notifications/read",
    summary="Mark several notifications read",
    tags=["me"],
    security=BEARER,
    responses={200: {"description": "The notifications marked read; ids not in my inboxes are left out"}},
    middlewares=[_idempotent],
)
def mark_many_read(
    inbox_store: Inbox, request: MarkRead, caller: CurrentCaller, settings: AppSettings
) -> Response[NotificationList]:
    items = inbox.mark_many_read(caller, inbox_store, settings, request.ids)
    return Response(200, "application/json", NotificationList(items=items))


@router.get("/me/preferences", summary="My notification channels", tags=["me"], security=BEARER)
def get_preferences(inbox_store: Inbox, caller: CurrentCaller) -> Preferences:
    return inbox.get_preferences(caller, inbox_store)


@router.put(
    "/me/preferences",
    summary="Choose my notification channels (SMS, e-mail; the inbox always works)",
    tags=["me"],
    security=BEARER,
    description="A new phone number or e-mail address is stored unverified and a 6-digit code is sent to it "
    "(valid 10 minutes); it is used only after POST /me/preferences/verification. Putting the same "
    "address again sends no new code while one is pending; a verified address stays verified. Every "
    "address gets at most a capped number of messages a day.",
    responses={
        200: {"description": "The preferences; phone_verified / email_verified say which addresses are in use"},
        422: {"description": "phone / email_address missing or malformed"},
        429: {"description": "The address had the most messages it may get today; no code was sent"},
    },
)
def put_preferences(inbox_store: Inbox, update: PreferencesUpdate, caller: CurrentCaller) -> Preferences:
    return inbox.put_preferences(caller, inbox_store, update)


@router.post(
    "/me/preferences/verification",
    summary="Verify my phone number or e-mail address with the code sent to it",
    tags=["me"],
    security=BEARER,
    responses={
        200: {"description": "The preferences, with the channel verified"},
        409: {"description": "No code is pending for this channel (or it is verified already)"},
        422: {"description": "code: not the code sent, or expired (field `code`)"},
        429: {"description": "Too many wrong codes: put the address again for a new code"},
    },
    middlewares=[_idempotent],
)
def verify_preferences(
    inbox_store: Inbox, request: VerificationRequest, caller: CurrentCaller
) -> Response[Preferences]:
    preferences = inbox.verify_contact(caller, inbox_store, request)
    return Response(200, "application/json", preferences)
