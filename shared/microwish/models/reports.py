"""Reports: the figures of GET /stats and the leaderboard's entries."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from .base import Model


class TagFigures(Model):
    submitted: int = 0
    approved: int = 0
    fulfilled: int = 0
    value_fen: int = 0


class Figures(Model):
    submitted: int = Field(0, description="Wishes submitted in the period")
    approved: int = 0
    in_review: int = Field(0, description="Waiting for review at the end of the period")
    open: int = Field(0, description="On the open list at the end of the period")
    assigned: int = 0
    claimed: int = 0
    delivered: int = 0
    fulfilled: int = Field(0, description="Fulfilled (圆梦) in the period")
    rejected: int = 0
    cancelled: int = 0
    fulfilment_rate: float = Field(0.0, ge=0, le=1, description="fulfilled / approved in the period (0–1)")
    value_fen: int = Field(0, description="What the wishes fulfilled in the period were worth")
    donors: int = Field(0, description="Distinct donors of the wishes fulfilled in the period")
    median_days_to_fulfil: float | None = Field(None, description="Median whole days from approval to fulfilment")


class RegionFigures(Figures):
    code: str
    name: str


class MonthFigures(Model):
    month: str = Field(description="YYYY-MM (China time); the period's first and last months only in part")
    submitted: int = 0
    approved: int = 0
    fulfilled: int = 0
    rejected: int = 0
    cancelled: int = 0
    value_fen: int = 0


class Stats(Figures):
    region: str
    region_name: str | None
    campaign: str | None = None
    from_: date | None = Field(None, alias="from", serialization_alias="from")
    to: date | None = None
    by_category: dict[str, TagFigures]
    by_group: dict[str, TagFigures]
    by_region: list[RegionFigures]
    by_month: list[MonthFigures] = Field(
        default_factory=list,
        description=(
            "The region's trend: each month of the period (from the first month anything was counted), what "
            "happened in it; the months add up to the period's submitted, approved, fulfilled and value_fen"
        ),
    )

    model_config = ConfigDict(populate_by_name=True)


class LeaderboardEntry(Model):
    rank: int
    donor_ref: str = Field(description="Opaque and stable per donor (never a login id)")
    display_name: str = Field(
        description="The name the donor chose (PUT /me/profile); else a unit's name; else 爱心人士"
    )
    kind: Literal["individual", "unit"]
    wishes: int = Field(description="Wishes fulfilled with this donor in the months counted")
    value_fen: int


class Leaderboard(Model):
    region: str
    months: list[str] = Field(description="The months counted (the leaderboard is kept by month)")
    individuals: list[LeaderboardEntry]
    units: list[LeaderboardEntry]


class KnownUnit(Model):
    """A unit of the registry (issue 12), as GET /units lists it (the first three fields as before)."""

    donor_id: str = Field(description="The unit's donor id (unit:<id>): what POST /wishes/{id}/assignment takes")
    name: str = Field(description="The unit's own name")
    wishes: int = Field(description="Wishes it fulfilled in the listed region (a village's: its township's)")
    id: str | None = Field(default=None, description="The unit's registry id (GET /units/{id})")
    kind: str | None = Field(default=None, description="The unit's kind (federation, party_branch, …)")
    region_code: str | None = Field(default=None, description="The unit's region")
    level: str | None = Field(default=None, description="Its region's level")
    honours: list[str] = Field(default_factory=list)


class KnownUnits(Model):
    region: str = Field(description="The region listed (the caller's by default)")
    items: list[KnownUnit]
    next_cursor: str | None = None
