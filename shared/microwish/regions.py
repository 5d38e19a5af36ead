"""Chinese statistical division codes (统计用区划代码) as pure functions.

A region is named by the significant prefix of its 12-digit code: province 2 digits, city 4,
county 6, township 9, village 12. Trailing all-zero groups are dropped, so "431200",
"431200000000" and "4312" all name 怀化市. Every function here accepts any of those forms and
returns the short form. Nothing here knows which codes exist: see `registry.py` for that.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

Level: TypeAlias = Literal["province", "city", "county", "township", "village"]
LEVELS: tuple[Level, ...] = ("village", "township", "county", "city", "province")  # bottom-up
LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}

# Digit groups of the padded code, top-down: province, city, county, township, village.
_GROUPS = ((0, 2), (2, 4), (4, 6), (6, 9), (9, 12))
_LEVEL_BY_DIGITS = {digits: level for level, digits in LEVEL_DIGITS.items()}
_TOP_DOWN = tuple(reversed(LEVELS))
_COUNTY_GROUP = 2


class RegionCodeError(ValueError):
    """A string that is not a valid division code (or a level that does not fit it)."""


def _fail(code: object, why: str) -> RegionCodeError:
    return RegionCodeError(f"invalid region code {code!r}: {why}")


def _groups(code: object) -> list[str]:
    """Validate the raw input and split its 12-digit padded form into the five groups."""
    if not isinstance(code, str):
        raise _fail(code, "expected a string of digits")
    text = code.strip()
    # isdigit() alone would let through full-width and other Unicode digits ("４３").
    if not (text.isascii() and text.isdigit()):
        raise _fail(code, "only the digits 0-9 are allowed")
    if len(text) not in _LEVEL_BY_DIGITS:
        raise _fail(code, "expected 2, 4, 6, 9 or 12 digits")
    full = text.ljust(12, "0")
    return [full[start:end] for start, end in _GROUPS]


def _significant(code: object, groups: list[str]) -> int:
    """How many groups are significant, after checking the zero groups are where they may be."""
    count = len(groups)
    while count and not groups[count - 1].strip("0"):
        count -= 1
    if count == 0:
        raise _fail(code, "all zeros")
    for index in range(count - 1):
        # A zero group above a significant one names nothing, except a zero county group:
        # cities without counties (东莞 4419, 中山 4420, 儋州 4604) number townships 441900xxx.
        if not groups[index].strip("0") and index != _COUNTY_GROUP:
            raise _fail(code, f"zero {_TOP_DOWN[index]} group above a lower level")
    return count


def normalize(code: str) -> str:
    """The short form of any accepted spelling of a code; raises RegionCodeError otherwise."""
    groups = _groups(code)
    return "".join(groups[: _significant(code, groups)])


def padded(code: str) -> str:
    """The 12-digit form, e.g. "4312" -> "431200000000"."""
    return normalize(code).ljust(12, "0")


def level_of(code: str) -> str:
    """The level name ("province" ... "village") of the code, by its significant length."""
    return _LEVEL_BY_DIGITS[len(normalize(code))]


def _check_level(level: str) -> int:
    try:
        return LEVEL_DIGITS[level]
    except KeyError:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}") from None


def level_above(level: str) -> Level | None:
    """The next level up ("village" -> "township"); None above a province."""
    _check_level(level)
    index = LEVELS.index(level) + 1
    return LEVELS[index] if index < len(LEVELS) else None


def ancestors(code: str) -> list[str]:
    """Short forms of the regions above the code, province first, excluding the code itself.

    A zero county group (东莞's townships 441900xxx) has no county of its own: the city
    stands in for it, so it is listed once.
    """
    short = normalize(code)
    full = short.ljust(12, "0")
    result: list[str] = []
    for level in _TOP_DOWN:
        digits = LEVEL_DIGITS[level]
        if digits >= len(short):
            break
        prefix = normalize(full[:digits])
        if prefix not in result:
            result.append(prefix)
    return result


def parent(code: str) -> str | None:
    """The short form of the region one level up; None for a province."""
    above = ancestors(code)
    return above[-1] if above else None


def prefix_at(code: str, level: str) -> str:
    """The code's ancestor-or-self at `level`, e.g. ("431222250201", "county") -> "431222".

    Raises RegionCodeError when `level` is below the code's own level. For a code with a zero
    county group, the county-level prefix is the city that stands in for the county.
    """
    digits = _check_level(level)
    short = normalize(code)
    if digits > len(short):
        raise RegionCodeError(f"region {short} is a {level_of(short)}; it has no {level} above it")
    return normalize(short[:digits])


def contains(region: str, code: str) -> bool:
    """True when `region` is `code` itself or one of its ancestors."""
    # Short forms end on a group boundary, so a plain prefix test cannot match mid-group.
    return normalize(code).startswith(normalize(region))
