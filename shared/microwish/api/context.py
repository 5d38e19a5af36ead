"""Per-process dependencies the routes share: settings, the repository, the caller of this request."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from ..auth import Caller, caller_from_event
from ..photo_store import s3_client
from ..repository import WishRepository, dynamodb_client
from ..settings import Settings, get_settings

# What else holds per-process state, registered by the composition root (api/app.py): this module
# is imported by those parts, so it does not import them.
_RESET_HOOKS: list[Callable[[], None]] = []


def settings() -> Settings:
    return get_settings()


@cache
def repository() -> WishRepository:
    return WishRepository(get_settings().wish_table_name)


def request_caller(request_context: dict[str, Any], raw_event: dict[str, Any]) -> Caller:
    """The request's caller, parsed once per request and kept in the resolver's per-request context
    (where the access-log middleware finds it)."""
    if "caller" not in request_context:
        request_context["caller"] = caller_from_event(raw_event)
    known: Caller = request_context["caller"]  # only this function puts it there
    return known


def caller(app: APIGatewayHttpResolver) -> Caller:
    return request_caller(app.context, app.current_event.raw_event)


def on_reset(hook: Callable[[], None]) -> None:
    """Have `reset()` also forget another part's per-process state (once per hook)."""
    if hook not in _RESET_HOOKS:
        _RESET_HOOKS.append(hook)


def reset() -> None:
    """Forget per-process state: settings, clients, stores (tests run many stacks in one process)."""
    s3_client.cache_clear()
    repository.cache_clear()
    get_settings.cache_clear()
    dynamodb_client.cache_clear()
    for hook in _RESET_HOOKS:
        hook()
