"""Activities (圆梦活动) and the yearly quota (issue 12 §2): a unit's dated event that fulfils a set of wishes
together, and how many of them each kind of unit must hold a year."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from .base import CalendarDate, Description, Strict, Text50, no_repeats

ActivityWishIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Field(max_length=50),
    AfterValidator(no_repeats),
]


class ActivityRequest(Strict):
    title: Text50 = Field(description="e.g. 六一“爱心妈妈”进校园")
    day: CalendarDate = Field(description="The day it was held (China time)")
    wish_ids: ActivityWishIds = Field(default_factory=list, description="The wishes it fulfilled (≤ 50)")
    participants: Annotated[int, Field(ge=0, le=100_000)] = Field(default=0, description="How many people took part")
    summary: Description = Field(default="", description="What was done (public: no personal data)")
    campaign_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class Activity(BaseModel):
    id: str
    unit_id: str
    unit_name: str
    unit_kind: str
    region_code: str  # the unit's
    title: str
    day: str
    wish_ids: list[str] = Field(default_factory=list)
    participants: int = 0
    summary: str = ""
    campaign_id: str | None = None
    created_by: str
    created_at: str
    photo_keys: list[str] = Field(default_factory=list)  # attached photos (never shown: pre-signed GETs are)


class ActivityView(BaseModel):
    id: str
    unit_id: str
    unit_name: str
    region_code: str
    title: str
    day: str
    wish_ids: list[str]
    participants: int
    summary: str
    campaign_id: str | None = None
    created_at: str


class ActivityPhotoUpload(Strict):
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    size_bytes: Annotated[int, Field(ge=1, le=10 * 1024 * 1024, description="The photo's exact size")]


class ActivityPhotoKeys(Strict):
    keys: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=200)]],
        Field(min_length=1, max_length=9),
        AfterValidator(no_repeats),
    ] = Field(description="The keys of photos the caller uploaded for this activity (POST …/uploads)")


class ActivityPhoto(BaseModel):
    url: str


class ActivityPhotos(BaseModel):
    activity_id: str
    expires_in: int = Field(description="Seconds each URL stays valid")
    items: list[ActivityPhoto]


class ComplianceEntry(BaseModel):
    unit_id: str
    name: str
    kind: str
    region_code: str
    quota: int = Field(description="Activities the unit's kind must hold a year (0: none asked)")
    activities: int = Field(description="Activities it held in the year")
    status: Literal["below", "met", "no_quota"]


class Compliance(BaseModel):
    region: str
    year: int
    items: list[ComplianceEntry]
    below: int
    met: int
