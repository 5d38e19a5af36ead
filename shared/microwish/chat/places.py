"""A place named in words ("沅陵", "马底驿乡", "王家村") found in the regions registry."""

from __future__ import annotations

from ..regions import LEVELS, contains
from ..registry import Region, get_registry

_SUFFIXES = ("土家族苗族自治县", "侗族自治县", "苗族自治县", "自治县", "县", "市", "区", "镇", "乡", "村", "街道")


def _stem(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def find(name: str, within: str | None, levels: tuple[str, ...]) -> list[Region]:
    """The regions of `levels` inside `within` whose name is `name` (or `name` plus a suffix like 县/乡/村),
    highest level first; exact names win over stems."""
    wanted = name.strip()
    if not wanted:
        return []
    matches = [
        region
        for region in get_registry()
        if region.level in levels
        and (within is None or contains(within, region.code))
        and (region.name == wanted or _stem(region.name) == _stem(wanted))
    ]
    exact = [region for region in matches if region.name == wanted]
    found = exact or matches
    top = max((LEVELS.index(region.level) for region in found), default=0)
    return [region for region in found if LEVELS.index(region.level) == top]


def find_public(name: str, home_region: str) -> list[Region]:
    """A place for the public list: province down to township (the list stops there), at home first."""
    return find(name, home_region, ("province", "city", "county", "township")) or find(
        name,
        None,
        ("province", "city", "county"),  # elsewhere: the registry has townships of Huaihua only
    )


def villages(name: str, within: str) -> list[Region]:
    """Villages inside `within` by name (a worker's own region, or the deployment's home region)."""
    return find(name, within, ("village",))


def full_name(code: str) -> str:
    return get_registry().full_name(code)
