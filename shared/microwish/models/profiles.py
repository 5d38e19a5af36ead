"""A donor's public face: the display name they choose and what the public is shown."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from .base import Model


def _visible(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError("must not hold control or formatting (bidi, invisible) characters")
    if not any(ch.isprintable() and not ch.isspace() for ch in value):
        raise ValueError("needs a visible character")
    return value


DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), AfterValidator(_visible)
]


class ProfileUpdate(Model):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = Field(
        description="The name the leaderboard and campaigns show; null to go back to the default "
        "(爱心人士 for individuals, the unit's name for units)."
    )


class Profile(Model):
    display_name: str | None = Field(description="The name the donor chose, or null")
    shown_as: str = Field(description="What the public sees: the chosen name, a unit's name, or 爱心人士")
