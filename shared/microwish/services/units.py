"""The units (爱心单位) an officer can dispatch to: the ones the platform knows in her region.

The platform keeps no registry of units: what it knows is the units that fulfilled wishes, kept by
the stats consumer in the leaderboard partitions (PK=LB#<region>#<month>, SK=unit#<donor id>, with
the unit's own name). So the list is those partitions' unit items, for the officer's region (a village
officer's township: figures stop there), every month counted — one Query per month, never a Scan —
most wishes first. A unit not yet in it is still dispatched to by its id. Officers see donor ids of
claims already; a unit's name is its own organisation's, shown on the leaderboard too.
"""

from __future__ import annotations

from typing import Any

from .. import regions
from ..auth import Caller, require_role
from ..models import KnownUnit, KnownUnits
from ..repository import WishRepository
from ..settings import Settings
from .stats import TOTAL, dim


def known_units(caller: Caller, repo: WishRepository, settings: Settings, limit: int = 100) -> KnownUnits:
    require_role(caller, "officer", "admin")
    region = regions.normalize(caller.region or settings.home_region)
    if regions.level_of(region) == "village":
        region = regions.prefix_at(region, "township")
    total = repo.stats.counters([(dim(region), TOTAL)]).get((dim(region), TOTAL)) or {}
    units: dict[str, dict[str, Any]] = {}
    for month in sorted(total.get("months") or []):
        for item in repo.stats.leaderboard(region, month):
            if item.get("kind") != "unit":
                continue
            donor_id = item["donor_id"]
            entry = units.setdefault(donor_id, {"donor_id": donor_id, "name": "", "wishes": 0})
            entry["wishes"] += int(item.get("fulfilled", 0))
            entry["name"] = item.get("name") or entry["name"]
    ranked = sorted(units.values(), key=lambda e: (-e["wishes"], e["name"], e["donor_id"]))[:limit]
    return KnownUnits(region=region, items=[KnownUnit(**{**e, "name": e["name"] or "爱心单位"}) for e in ranked])
