"""Recognition (issue 12 §4): a region's year — people and units ranked — and funds raised outside the
platform, recorded by an officer with their source and always shown apart from the platform's own flows."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from .base import MAX_TARGET_FEN, CalendarDate, RegionPrefix, Strict, Text50


class ExternalFundsRequest(Strict):
    region_code: RegionPrefix = Field(description="The region that raised them (the officer's or below)")
    source: Text50 = Field(description="Where: e.g. 腾讯公益“99公益日”")
    day: CalendarDate
    amount_fen: Annotated[int, Field(ge=1, le=100 * MAX_TARGET_FEN)] = Field(description="Raised, in fen")
    donors: Annotated[int, Field(ge=0, le=100_000_000)] = Field(default=0, description="How many gave")
    campaign_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class ExternalFunds(BaseModel):
    id: str
    region_code: str
    source: str
    day: str
    amount_fen: int
    donors: int
    campaign_id: str | None = None
    note: str = ""
    recorded_by: str
    recorded_at: str


class RankedPerson(BaseModel):
    rank: int
    name: str = Field(description="The donor's display name, or the volunteer's own name")
    ref: str = Field(description="The person's platform id (officers only see this list)")
    wishes: int
    value_fen: int
    volunteer_hours: float


class RankedUnit(BaseModel):
    rank: int
    unit_id: str | None
    donor_id: str
    name: str
    kind: str | None
    wishes: int = Field(description="Wishes fulfilled: by its claims, and in its activities (each wish once)")
    value_fen: int
    activities: int
    volunteer_hours: float = Field(default=0, description="Its volunteers' hours on the work wishes it held")
    honours: list[str]


class ExternalFundsTotal(BaseModel):
    amount_fen: int
    donors: int
    items: list[ExternalFunds]


class Recognition(BaseModel):
    region: str
    year: int
    people: list[RankedPerson]
    units: list[RankedUnit]
    external_funds: ExternalFundsTotal = Field(description="Raised outside the platform: never in wishes or value")
