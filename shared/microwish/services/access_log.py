"""Officers' and admins' reads of a private view, audited (PIPL): who saw whose data, when.

Every answer that gives an officer or admin a wish's private view (GET /wishes/{id}, and any action
that answers with it) writes one access entry: the wish id, the actor, their role and region, the
route and the time; no personal data. One unconditional put, not a transaction; the item's type is
"access", which the stream filters of the event router and the stats consumer do not let through.
The resident's reads of their own wishes are not logged. Admins read the log by wish or by actor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .. import clock
from ..auth import Caller, require_role
from ..errors import InvalidInput, NotFound
from ..models import AccessEntry, Page
from ..repository import WishRepository

AUDITED_ROLES = ("officer", "admin")


def entry(caller: Caller, wish_id: str | None, route: str) -> AccessEntry | None:
    """The entry that `caller` was shown `wish_id`'s private view; None when the caller's reads are not audited.

    A state change whose answer is that view writes it in its own transaction (once.answering); any
    other answer writes it alone (`record`)."""
    if caller.role not in AUDITED_ROLES or not caller.sub or not wish_id:
        return None
    return AccessEntry(
        at=clock.now_iso(),
        wish_id=wish_id,
        actor=caller.sub,
        actor_role=caller.role,
        actor_region=caller.region,
        route=route,
    )


def record(repo: WishRepository, caller: Caller, wish_id: str, route: str) -> bool:
    """Record that `caller` was shown `wish_id`'s private view; False when the caller's reads are not audited."""
    found = entry(caller, wish_id, route)
    if found is None:
        return False
    repo.put_access(found)
    return True


def _entries(items: list[dict[str, Any]]) -> list[AccessEntry]:
    fields = set(AccessEntry.model_fields)
    return [AccessEntry.model_validate({k: v for k, v in item.items() if k in fields}) for item in items]


def wish_log(caller: Caller, wish_id: str, repo: WishRepository, limit: int, cursor: str | None) -> Page[AccessEntry]:
    require_role(caller, "admin")
    if repo.get_wish(wish_id) is None:
        raise NotFound("no such wish")
    items, next_cursor = repo.wish_access_log(wish_id, limit, cursor)
    return Page[AccessEntry](items=_entries(items), next_cursor=next_cursor)


def _moment(field: str, value: datetime | None, default: str) -> str:
    if value is None:
        return default
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # a time without an offset is read as UTC
    try:
        return clock.iso(value)
    except (OverflowError, ValueError):
        raise InvalidInput(field, "is out of range") from None


def actor_log(
    caller: Caller,
    actor: str,
    start: datetime | None,
    end: datetime | None,
    repo: WishRepository,
    limit: int,
    cursor: str | None,
) -> Page[AccessEntry]:
    require_role(caller, "admin")
    since, until = _moment("from", start, "0000"), _moment("to", end, "9999")
    if since > until:
        raise InvalidInput("to", "must not be before from")
    items, next_cursor = repo.actor_access_log(actor, since, until, limit, cursor)
    return Page[AccessEntry](items=_entries(items), next_cursor=next_cursor)
