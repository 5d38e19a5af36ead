"""Items kept by day under their region on the list indexes: activities, outside funds, volunteer signups.

Each such item carries `<kind>#<prefix>` as ProvPK, CityPK and CountyPK (its region's province, city and
county) and ListSK=<day>#<id>…, so a region's items of a period are one Query of the index of the region's
level, BETWEEN the period's days; a township or village narrows that county Query with a filter.
"""

from __future__ import annotations

from typing import Any

from .. import regions
from .codec import to_dynamo

_INDEXES = (("province", "ByProvince", "ProvPK"), ("city", "ByCity", "CityPK"), ("county", "ByCounty", "CountyPK"))


def partition_keys(list_prefix: str, region_code: str) -> dict[str, str]:
    """The item's list index keys: `<list_prefix><prefix>` at each level its region has (a short code stops early)."""
    found: dict[str, str] = {}
    for level, _, attribute in _INDEXES:
        try:
            found[attribute] = f"{list_prefix}{regions.prefix_at(region_code, level)}"
        except regions.RegionCodeError:
            break
    return found


def by_day_query(
    list_prefix: str, region: str, first_day: str, last_day: str, narrow: str, *, to_township: bool = False
) -> dict[str, Any]:
    """Query parameters for a region's items with a day in [first_day, last_day]. Below a county the county's
    Query keeps the items whose `narrow` attribute begins with the region (its township, `to_township`)."""
    level = regions.level_of(region)
    index, attribute, index_level = next(
        ((name, key, at) for at, name, key in _INDEXES if at == level), ("ByCounty", "CountyPK", "county")
    )
    params: dict[str, Any] = {
        "IndexName": index,
        "KeyConditionExpression": f"{attribute} = :pk AND ListSK BETWEEN :first AND :last",
    }
    values: dict[str, Any] = {
        ":pk": f"{list_prefix}{regions.prefix_at(region, index_level)}",
        ":first": first_day,
        ":last": f"{last_day}#~",
    }
    if level in ("township", "village"):
        params["FilterExpression"] = f"begins_with({narrow}, :narrow)"
        values[":narrow"] = regions.prefix_at(region, "township") if to_township else regions.normalize(region)
    params["ExpressionAttributeValues"] = to_dynamo(values)
    return params
