"""The shared vocabulary of request and stored models: money, text, codes and dates, checked once."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .. import regions
from ..registry import get_registry

Mode = Literal["sole", "pooled"]
Level = Literal["village", "township", "county", "city", "province"]
Title = Literal["女士", "先生", "同学", "老人"]
MAX_TARGET_FEN = 10_000_000  # ¥100,000
UNIT_DONOR_PREFIX = "unit:"  # a registry unit's donor id on claims, offers and the leaderboard

Text50 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text500 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Fen = Annotated[int, Field(ge=0, le=MAX_TARGET_FEN, description="Money in fen (分).")]
# Mainland mobile (13x–19x) or landline with area code (010-12345678, 0745 2345678).
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^(1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8})$"),
]


def _known_village(code: str) -> str:
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        raise ValueError("must be the 12-digit division code of a village")
    if not get_registry().is_known_village(code):
        raise ValueError("is not a known village code")
    return code


def _region_prefix(code: str) -> str:
    try:
        short = regions.normalize(code)
    except regions.RegionCodeError as error:
        raise ValueError(str(error)) from None
    if short not in get_registry():  # a well-formed code of no region (99, 4399) names nothing to filter by
        raise ValueError("is not a known region code")
    return short


def no_repeats(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat an entry")
    return values


# Dates a client sends: within years the service can compute with (a day's end, China time,
# UTC) — year 1 or 9999 would overflow datetime arithmetic.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _within_calendar(moment: date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return moment


CalendarDate = Annotated[date, AfterValidator(_within_calendar)]
CalendarDateTime = Annotated[AwareDatetime, AfterValidator(_within_calendar)]
VillageCode = Annotated[str, AfterValidator(_known_village)]
RegionPrefix = Annotated[str, AfterValidator(_region_prefix)]


# Text a client sends: no control characters (but line breaks and tabs), no bidi overrides or
# isolates (they reorder what a reader sees), and at least one visible character when not empty.
_ALLOWED_CONTROLS = frozenset("\n\r\t")
_BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def check_text(text: str) -> str:
    for char in text:
        if char in _BIDI_CONTROLS:
            raise PydanticCustomError("text_bidi", "must not contain bidirectional overrides or isolates")
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise PydanticCustomError("text_control", "must not contain control characters")
    if text and all(unicodedata.category(char) in _INVISIBLE_CATEGORIES or char.isspace() for char in text):
        raise PydanticCustomError("text_invisible", "must contain a visible character")
    return text


def _check_texts(value: Any) -> Any:
    if isinstance(value, str):
        return check_text(value)
    if isinstance(value, list | tuple | set | frozenset):
        for entry in value:
            _check_texts(entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _check_texts(key)
            _check_texts(entry)
    return value


class Model(BaseModel):
    """The base of every model: its validator and schema are built on first use, not when the class is
    defined (defer_build), so a function builds only the models it uses: its cold start does not pay for
    the others (every function imports `microwish.models` whole; README "Performance")."""

    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """Every request body: unknown fields refused, text checked (check_text), money strict.

    Money fields (`*_fen`) take whole JSON integers only: not "100", not true, not 1.0.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _strict_fen(cls, value: Any, info: ValidationInfo) -> Any:
        if (
            info.field_name
            and info.field_name.endswith("_fen")
            and value is not None
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            raise PydanticCustomError("int_type", "must be a whole number of fen (a JSON integer)")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return _check_texts(value)
