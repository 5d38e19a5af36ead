"""What the public may know of a beneficiary: a family name and a title (谢桂云 → 谢女士)."""

from __future__ import annotations

from . import regions
from .catalog import groups as catalog_groups
from .errors import InvalidInput

# Two-character family names, so 欧阳娜 becomes 欧阳女士 and not 欧女士.
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
    ]
)
_DEFAULT_TITLE = "女士"  # a women's federation's program: most beneficiaries are women


def family_name(full_name: str) -> str:
    name = full_name.strip()
    if name[:2] in _COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def title_for(groups: list[str], chosen: str | None = None) -> str:
    """The title the submitter chose, else the one the first titled group implies."""
    if chosen:
        return chosen
    catalog = catalog_groups()
    for code in groups:
        title = catalog.get(code, {}).get("title")
        if title:
            return str(title)
    return _DEFAULT_TITLE


def alias(full_name: str, groups: list[str], chosen_title: str | None = None) -> str:
    return family_name(full_name) + title_for(groups, chosen_title)


def refuse_village(region: str, reason: str) -> str:
    """A region the public may name: a township or above (a village plus a wish or a category can name a
    person). The list and the figures both ask it; officers of the village are let through before."""
    if regions.level_of(region) == "village":
        raise InvalidInput("region", reason)
    return region
