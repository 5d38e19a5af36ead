"""Units (爱心单位, issue 12 §1): the registry of organizations that take part, and their members.

A unit's public part (name, kind, region, honours) is the `Unit` item; its contact person is personal
data, stored apart like a beneficiary's (`UnitContact`, its own item) and shown only to the officers
of its region, admins and the unit's own admins. A member is a platform person (their `sub`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from .base import UNIT_DONOR_PREFIX, Phone, RegionPrefix, Strict


class UnitKind(StrEnum):
    FEDERATION = "federation"  # 妇联 (village … city), by its region's level
    PARTY_BRANCH = "party_branch"  # 党支部
    PARTY_ORGAN = "party_organ"  # 机关党组织
    VOLUNTEER_ASSOCIATION = "volunteer_association"  # 志愿者协会
    CHARITY_ASSOCIATION = "charity_association"  # 义工协会
    WOMEN_ENTREPRENEURS = "women_entrepreneurs"  # 女企业家协会
    COMPANY = "company"  # 企业 (a housekeeping firm …)
    HOSPITAL = "hospital"  # 医院 (a private hospital)
    CIVILISED_POST = "civilised_post"  # 巾帼文明岗
    RED_BANNER_COLLECTIVE = "red_banner_collective"  # 三八红旗集体


UnitKindName = Literal[
    "federation",
    "party_branch",
    "party_organ",
    "volunteer_association",
    "charity_association",
    "women_entrepreneurs",
    "company",
    "hospital",
    "civilised_post",
    "red_banner_collective",
]
PARTNER_KINDS = frozenset(
    {
        UnitKind.VOLUNTEER_ASSOCIATION,
        UnitKind.CHARITY_ASSOCIATION,
        UnitKind.WOMEN_ENTREPRENEURS,
        UnitKind.COMPANY,
        UnitKind.HOSPITAL,
        UnitKind.CIVILISED_POST,
        UnitKind.RED_BANNER_COLLECTIVE,
    }
)

UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
Honour = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Sub = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
MemberRole = Literal["admin", "member"]


class UnitContact(Strict):
    # repr=False: personal data never reaches a log line through a model's repr.
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)] = Field(repr=False)
    phone: Phone = Field(repr=False)


class UnitRequest(Strict):
    name: UnitName
    kind: UnitKindName = Field(description="federation (妇联 of its region's level), party_branch 党支部, …")
    region_code: RegionPrefix = Field(description="The region the unit belongs to (any level, short or padded)")
    contact: UnitContact | None = Field(default=None, description="Private: officers of its region and its admins")
    honours: list[Honour] = Field(default_factory=list, max_length=20, description="e.g. 三八红旗集体 (2025)")
    admins: list[Sub] = Field(
        default_factory=list, max_length=10, description="Platform people (sub) who manage its members"
    )


class UnitUpdate(Strict):
    name: UnitName | None = None
    contact: UnitContact | None = None
    honours: list[Honour] | None = Field(default=None, max_length=20)


class MemberRequest(Strict):
    sub: Sub = Field(description="The platform person to add (their login id)")
    role: MemberRole = "member"


class Unit(BaseModel):
    """A unit as stored (public fields only)."""

    id: str
    name: str
    kind: UnitKind
    region_code: str  # short form
    level: str
    honours: list[str] = Field(default_factory=list)
    created_at: str
    updated_at: str
    created_by: str
    version: int = 1

    @property
    def donor_id(self) -> str:
        return f"{UNIT_DONOR_PREFIX}{self.id}"


class Member(BaseModel):
    unit_id: str
    sub: str
    role: MemberRole
    added_at: str
    added_by: str


class UnitView(BaseModel):
    id: str
    donor_id: str = Field(description="What claims, offers and POST /wishes/{id}/assignment name the unit by")
    name: str
    kind: UnitKindName
    region_code: str
    level: str
    honours: list[str]
    created_at: str
    updated_at: str
    wishes: int = Field(default=0, description="Wishes it fulfilled in the listed region (GET /units)")
    contact: UnitContact | None = Field(
        default=None, description="Only for officers of its region, admins and the unit's admins"
    )
    my_role: MemberRole | None = Field(default=None, description="The caller's role in the unit, if a member")


class UnitList(BaseModel):
    region: str = Field(description="The region listed (the caller's by default)")
    items: list[UnitView]
    next_cursor: str | None = None


class MemberView(BaseModel):
    sub: str
    role: MemberRole
    added_at: str


class MemberList(BaseModel):
    unit_id: str
    items: list[MemberView]
