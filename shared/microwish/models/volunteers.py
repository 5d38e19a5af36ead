"""Volunteer work (issue 12 §3): a labour or service wish's needs (扫一院, 送一技, a clinic) and the
volunteers who sign up for its places, are checked in by the organizer, and get their hours (志愿时长)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from .base import CalendarDate, Strict

MAX_PLACES = 100
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Hours = Annotated[float, Field(gt=0, le=24, multiple_of=0.5, description="Hours, in half hours (0.5–24)")]
# The categories whose wishes are work, not goods or money: labour (扫一院), a skill (送一技), care (暖一心).
VOLUNTEER_CATEGORIES = frozenset({"yard", "skill", "care"})


class VolunteerNeeds(Strict):
    places: Annotated[int, Field(ge=1, le=MAX_PLACES, description="How many people are needed")]
    day: CalendarDate = Field(description="The day of the work (China time)")
    place: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] = Field(
        description="Where to meet, public: township level (a village committee, a school), never a home address"
    )
    skills: list[Skill] = Field(default_factory=list, max_length=10)
    hours: Hours = Field(default=4, description="Hours each volunteer is expected to give (the default check-in)")


class CheckIn(Strict):
    hours: Hours | None = Field(default=None, description="The hours given; default the needs' hours")


class Volunteering(BaseModel):
    """A work wish's needs as stored, with the counter of places taken (`signed_up`)."""

    wish_id: str
    places: int
    signed_up: int = 0
    day: str
    place: str
    township_code: str
    region_code: str
    skills: list[str] = Field(default_factory=list)
    minutes: int
    wish_title: str = ""
    updated_at: str


class VolunteeringView(BaseModel):
    wish_id: str
    places: int
    signed_up: int
    remaining: int
    day: str
    place: str
    township_code: str
    skills: list[str]
    hours: float
    updated_at: str


class Signup(BaseModel):
    wish_id: str
    volunteer_id: str
    name: str | None = None  # the volunteer's own name (their token's), for the organizer's list
    status: Literal["signed_up", "checked_in"] = "signed_up"
    signed_up_at: str
    checked_in_at: str | None = None
    checked_in_by: str | None = None
    minutes: int | None = None  # stored whole (DynamoDB numbers here are integers); shown as hours
    day: str
    township_code: str
    wish_title: str = ""


class SignupView(BaseModel):
    wish_id: str
    volunteer_id: str
    name: str | None = None
    status: Literal["signed_up", "checked_in"]
    signed_up_at: str
    checked_in_at: str | None = None
    hours: float | None = Field(default=None, description="志愿时长, recorded at check-in")
    day: str
    township_code: str
    wish_title: str = ""


class SignupList(BaseModel):
    wish_id: str
    items: list[SignupView]
