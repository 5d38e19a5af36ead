"""Notification texts: data in data/notifications.json, one per event and audience.

Rendering sees only what an audit event carries about a wish (title, category, region code,
level, money): never the beneficiary's name, phone or address.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import regions
from ..catalog import categories
from ..personal_data import mask
from ..registry import get_registry

TEMPLATES_FILE = Path(__file__).resolve().parent.parent / "data" / "notifications.json"
AUDIENCES = ("resident", "officer", "donor", "admin", "unit")
PLACEHOLDERS = frozenset(
    {"title", "category", "township", "level", "note", "thanks", "amount_yuan", "pledged_yuan", "target_yuan"}
    | {"activity", "day"}  # an activity held (issue 12): its public title and day
)
# Events told that are no wish's audit action (recognition events; a unit's members hear them): an activity
# recorded, a work wish the unit holds filled up.
UNIT_EVENTS = frozenset({"activity_held", "volunteers_full"})
LEVEL_NAMES = {"village": "村级", "township": "乡镇级", "county": "县级", "city": "市级", "province": "省级"}
DEFAULT_THANKS = "谢谢您的爱心！"


@dataclass(frozen=True)
class Text:
    title: str
    body: str


@cache
def all_templates() -> dict[str, dict[str, dict[str, str]]]:
    data: dict[str, dict[str, dict[str, str]]] = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


def audiences_of(event: str) -> set[str]:
    return set(all_templates().get(event, {}))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def mask_phones(text: str) -> str:
    """Defence in depth for free text (a title, a note) going to donors and chat groups: phone and ID
    numbers masked, even though they are refused when written (personal_data)."""
    return mask(text) or ""


def _yuan(fen: Any) -> str:
    if fen is None:
        return "0"
    yuan, cents = divmod(int(fen), 100)
    return f"{yuan}" if not cents else f"{yuan}.{cents:02d}"


def variables(event: dict[str, Any]) -> dict[str, str]:
    """What a template may say, from an audit event (its `wish` snapshot and fields)."""
    wish = event.get("wish") or {}
    region_code = str(wish.get("region_code") or "")
    township = ""
    if region_code:
        try:
            township = get_registry().full_name(regions.prefix_at(region_code, "township"))
        except (KeyError, regions.RegionCodeError):
            township = ""
    category = categories().get(str(wish.get("category")), {}).get("name", "")
    note = mask_phones(str(event.get("note") or "").strip())
    return {
        "title": mask_phones(str(wish.get("title") or "")),
        "category": category,
        "township": township,
        "level": LEVEL_NAMES.get(str(wish.get("level") or event.get("to_level") or ""), ""),
        "note": note or "（无）",
        # Donors hear only the feedback meant for them, never an officer's internal note (issue 14).
        "thanks": mask_phones(str(wish.get("feedback") or "").strip()) or DEFAULT_THANKS,
        "amount_yuan": _yuan(event.get("amount_fen")),
        "pledged_yuan": _yuan(wish.get("pledged_fen")),
        "target_yuan": _yuan(wish.get("target_fen")),
        # an activity held (a recognition event, no wish): its own public title and day
        "activity": mask_phones(str(event.get("title") or "")) if not wish else "",
        "day": str(event.get("day") or ""),
    }


def render(event_name: str, audience: str, values: dict[str, str]) -> Text | None:
    """The text for this event and audience, or None when that audience is not told."""
    template = all_templates().get(event_name, {}).get(audience)
    if template is None:
        return None
    return Text(title=template["title"].format_map(values), body=template["body"].format_map(values))
