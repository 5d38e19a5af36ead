"""Campaigns (专场活动): the request that creates one, the campaign as stored with its matching terms, its view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from ..catalog import CategoryCode, GroupCode
from ..registry import get_registry
from .base import MAX_TARGET_FEN, CalendarDateTime, Description, Model, RegionPrefix, Strict, Text50

MAX_CAP_FEN = 1_000 * MAX_TARGET_FEN  # ¥100,000,000: a sponsor's whole matching budget
CampaignId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class MatchingOffer(Strict):
    sponsor_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    sponsor_name: Text50
    cap_fen: Annotated[int, Field(ge=1, le=MAX_CAP_FEN, description="The most the sponsor matches, in fen.")]


class MatchingTerms(Model):
    """The stored offer: it binds the sponsor only once they accepted it (status active)."""

    sponsor_id: str
    sponsor_name: str
    cap_fen: int
    status: Literal["offered", "active"] = "offered"  # items from before acceptance existed: not binding
    accepted_at: str | None = None


class MatchingView(Model):
    """What anyone sees of a matching offer: a display name, never the sponsor's login id."""

    sponsor_name: str = Field(description="The sponsor's display name (their own, once they accepted)")
    cap_fen: int
    status: Literal["offered", "active"] = Field(
        description="offered: named by the officer, binds nobody yet; active: the sponsor accepted, pledges are matched"
    )


class CampaignRequest(Strict):
    name: Text50
    description: Description = ""
    region_code: RegionPrefix = Field(description="The campaign's region (province to township), e.g. 4312.")
    starts_at: CalendarDateTime
    ends_at: CalendarDateTime
    groups: list[GroupCode] = Field(
        default_factory=list, max_length=8, description="Target groups: a wish joins if it names one of them."
    )
    categories: list[CategoryCode] = Field(
        default_factory=list, max_length=5, description="Target categories: a wish joins if it is one of them."
    )
    matching: MatchingOffer | None = None

    @field_validator("region_code")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = get_registry().get(value)
        if region is None:
            raise ValueError("is not a known region code")
        if region.level == "village":
            raise ValueError("a campaign covers a township or more, not one village")
        return value

    @field_validator("groups", "categories")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("must not repeat")
        return value

    @field_validator("ends_at")
    @classmethod
    def _period(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("starts_at")
        if starts is not None and value <= starts:
            raise ValueError("must be after starts_at")
        return value


class Campaign(Model):
    id: str
    name: str
    description: str = ""
    region_code: str
    starts_at: str
    ends_at: str
    groups: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    matching: MatchingTerms | None = None
    matched_fen: int = 0
    created_by: str
    created_at: str

    def running(self, now: str) -> bool:
        return self.starts_at <= now < self.ends_at


class CampaignProgress(Model):
    wishes: int = Field(0, description="Wishes submitted into the campaign (or joined at review)")
    open: int = 0
    fulfilled: int = 0
    value_fen: int = Field(0, description="What the fulfilled wishes were worth")
    donors: int = Field(0, description="Distinct donors of the fulfilled wishes")
    matched_fen: int = Field(0, description="What the sponsor matched so far (never above the cap)")
    cap_fen: int | None = None


class CampaignView(Model):
    id: str
    name: str
    description: str
    region_code: str
    region_name: str
    starts_at: str
    ends_at: str
    groups: list[str]
    categories: list[str]
    matching: MatchingView | None
    active: bool
    created_at: str
    progress: CampaignProgress | None = None
