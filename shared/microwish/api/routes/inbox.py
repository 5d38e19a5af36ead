"""GET /me/notifications, marking them read, and GET/PUT /me/preferences (the inbox function)."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
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
from .. import context
from ..app import BEARER
from ..idempotency import idempotent

router = Router()


@cache
def _store(table_name: str) -> InboxStore:
    return InboxStore(table_name)


def store() -> InboxStore:
    return _store(context.settings().wish_table_name)


@router.get(
    "/me/notifications",
    summary="My in-app inbox, newest first",
    tags=["me"],
    security=BEARER,
    description="An officer sees their own notifications and their unit's (the inbox of their "
    "region); an admin also the admins' inbox. A unit's read state is shared.",
)
def list_notifications(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[NotificationView]:
    items, next_cursor = inbox.list_notifications(
        context.caller(router), store(), context.settings(), limit, cursor
    )
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
)
def mark_read(id: str) -> Response[NotificationView]:
    def act() -> Response[NotificationView]:
        view = inbox.mark_read(context.caller(router), store(), context.settings(), id)
        return Response(200, "application/json", view)

    return idempotent(router, act)


@router.post(
    "/me/notifications/read",
    summary="Mark several notifications read",
    tags=["me"],
    security=BEARER,
    responses={200: {"description": "The notifications marked read; ids not in my inboxes are left out"}},
)
def mark_many_read(request: MarkRead) -> Response[NotificationList]:
    def act() -> Response[NotificationList]:
        items = inbox.mark_many_read(context.caller(router), store(), context.settings(), request.ids)
        return Response(200, "application/json", NotificationList(items=items))

    return idempotent(router, act)


@router.get("/me/preferences", summary="My notification channels", tags=["me"], security=BEARER)
def get_preferences() -> Preferences:
    return inbox.get_preferences(context.caller(router), store())


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
def put_preferences(update: PreferencesUpdate) -> Preferences:
    return inbox.put_preferences(context.caller(router), store(), update)


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
)
def verify_preferences(request: VerificationRequest) -> Response[Preferences]:
    def act() -> Response[Preferences]:
        preferences = inbox.verify_contact(context.caller(router), store(), request)
        return Response(200, "application/json", preferences)

    return idempotent(router, act)
