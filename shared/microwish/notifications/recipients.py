"""Who hears what: an audit event → one notification job per recipient (pure, no I/O).

- resident: the wish's `submitted_by`;
- officer: their unit, the handling region of the wish after the event
  (`regions.prefix_at(region_code, level)`; after an escalation that is the new level's region);
- donor: the event's `donor_id`, or every one of `donor_ids` (fulfilled, cancelled);
- admin: the admins' inbox of the deployment's home region, and the top region's chat group;
- unit: a registry unit the event names as its donor (`unit:<id>`, e.g. a dispatch): the notifier tells each of
  its members in their own inbox (issue 12 §1).
Which audiences an event reaches is the template data: an audience without a template for the
event is not told.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel

from .. import regions
from ..settings import Settings
from .templates import render, variables

Audience = Literal["resident", "officer", "donor", "admin", "unit"]
RecipientKind = Literal["person", "region", "admins", "unit"]
UNIT_DONOR_PREFIX = "unit:"  # models.units.UNIT_DONOR_PREFIX: a registry unit's donor id


class Recipient(BaseModel):
    kind: RecipientKind
    id: str  # a person's sub, a region code, or a registry unit's id
    chat_region: str | None = None  # whose chat group also hears it (regions: their own)

    @property
    def inbox_owner(self) -> str:
        return {"person": "user", "region": "region", "admins": "admins", "unit": "unit"}[self.kind] + "#" + self.id


class Job(BaseModel):
    """One notification for one recipient: what the queue carries (already rendered)."""

    v: int = 1
    event_key: str  # the audit item's key: stable across every redelivery of the event
    event: str
    wish_id: str
    at: str
    audience: Audience
    recipient: Recipient
    title: str
    body: str


def event_key(item: dict[str, Any]) -> str:
    return f"{item['PK']}/{item['SK']}"


def handling_region(wish: dict[str, Any]) -> str | None:
    try:
        return regions.prefix_at(str(wish["region_code"]), str(wish.get("level") or "village"))
    except (KeyError, regions.RegionCodeError, ValueError):
        return None


def top_region(wish: dict[str, Any], settings: Settings) -> str:
    try:
        return regions.prefix_at(str(wish["region_code"]), settings.top_level)
    except (KeyError, regions.RegionCodeError, ValueError):
        return settings.home_region


def _recipients(audience: str, item: dict[str, Any], settings: Settings) -> list[Recipient]:
    wish = item.get("wish") or {}
    if audience == "resident":
        sub = wish.get("submitted_by")
        return [Recipient(kind="person", id=sub)] if sub else []
    if audience == "officer":
        region = handling_region(wish)
        return [Recipient(kind="region", id=region, chat_region=region)] if region else []
    if audience == "donor":
        donors = list(item.get("donor_ids") or [])
        if item.get("donor_id"):
            donors.insert(0, item["donor_id"])
        # A registry unit (`unit:<id>`) is no person with an inbox: its members hear it as the "unit" audience.
        return [Recipient(kind="person", id=donor) for donor in dict.fromkeys(donors) if donor and not _is_unit(donor)]
    if audience == "admin":
        return [Recipient(kind="admins", id=settings.home_region, chat_region=top_region(wish, settings))]
    if audience == "unit":  # the notifier reads its members (one Query of the unit's partition)
        named = [item.get("donor_id"), *(item.get("donor_ids") or [])]
        units = [str(donor).removeprefix(UNIT_DONOR_PREFIX) for donor in named if _is_unit(donor)]
        return [Recipient(kind="unit", id=unit_id) for unit_id in dict.fromkeys(units) if unit_id]
    return []


def _is_unit(donor_id: Any) -> bool:
    return isinstance(donor_id, str) and donor_id.startswith(UNIT_DONOR_PREFIX)


def jobs_for(item: dict[str, Any], settings: Settings) -> list[Job]:
    """The jobs an audit item (as stored) gives, one per (audience, recipient), no duplicates."""
    action = str(item.get("action") or "")
    values = variables(item)
    jobs: list[Job] = []
    seen: set[str] = set()
    for audience in ("resident", "officer", "donor", "admin", "unit"):
        text = render(action, audience, values)
        if text is None:
            continue
        for recipient in _recipients(audience, item, settings):
            if recipient.inbox_owner in seen:
                continue  # e.g. a resident who is also the donor hears it once, as the first audience
            seen.add(recipient.inbox_owner)
            jobs.append(
                Job(
                    event_key=event_key(item),
                    event=action,
                    wish_id=str(item.get("wish_id") or ""),
                    at=str(item.get("at") or ""),
                    audience=audience,
                    recipient=recipient,
                    title=text.title,
                    body=text.body,
                )
            )
    return jobs


def notification_id(at: str, event_key_: str, inbox_owner: str) -> str:
    """A notification's id: its time (so its inbox sort key can be rebuilt) and a digest."""
    digits = "".join(char for char in at if char.isdigit())[:17].ljust(17, "0")
    digest = hashlib.sha256(f"{event_key_}|{inbox_owner}".encode()).hexdigest()[:16]
    return f"{digits}-{digest}"
