"""Claims: the claim, pledge and assignment as stored, what donors and officers send to move them, and views."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from .base import MAX_TARGET_FEN, Model, Strict, Text500, no_repeats


class ClaimKind(StrEnum):
    SOLE = "sole"  # 1+1: a sole wish claimed whole
    PLEDGE = "pledge"  # N+1: part of a pooled wish's target
    ASSIGNMENT = "assignment"  # 派单: an officer's offer to a unit


class ClaimStatus(StrEnum):
    OFFERED = "offered"
    ACTIVE = "active"
    DELIVERED = "delivered"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    REFUND_DUE = "refund_due"


UnitId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
WishIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Field(min_length=1, max_length=25),
    AfterValidator(no_repeats),
]
# Keys handed out by POST /uploads, nothing else: deliveries/<wish id>/<uploader hash>/<uuid>.<ext>
PhotoKey = Annotated[
    str, StringConstraints(pattern=r"^deliveries/[0-9a-f]{32}/[0-9a-f]{24}/[0-9a-f]{32}\.(jpg|png|webp|heic)$")
]


class ClaimRequest(Strict):
    amount_fen: Annotated[int, Field(ge=1, le=MAX_TARGET_FEN)] | None = Field(
        default=None, description="A pledge's amount; leave out to claim a sole wish whole."
    )
    unit_id: UnitId | None = Field(
        default=None, description="Claim or pledge on behalf of this unit of the registry (the caller must be a member)"
    )


class BatchClaimRequest(Strict):
    wish_ids: WishIds
    all_or_nothing: bool = True


class AssignmentRequest(Strict):
    donor_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] | None = Field(
        default=None, description="The unit's donor id: a registry unit's `unit:<id>`, or a unit's own account"
    )
    unit_id: UnitId | None = Field(default=None, description="A unit of the registry (GET /units): its members accept")
    note: Text500 | None = None


class DeclineRequest(Strict):
    reason: Text500 | None = None


class DeliveryReport(Strict):
    note: Text500
    photo_keys: list[PhotoKey] = Field(default_factory=list, max_length=9)


class ConfirmationRequest(Strict):
    accepted: bool
    note: Text500 | None = None
    feedback: Text500 | None = Field(default=None, description="The beneficiary's thanks, without personal data.")


class Claim(Model):
    """A claim, a pledge or an assignment offer, stored beside its wish."""

    id: str
    wish_id: str
    donor_id: str
    donor_name: str | None = None
    kind: ClaimKind
    amount_fen: int | None = None
    status: ClaimStatus
    created_at: str
    updated_at: str
    deadline: str | None = None  # deliver by (active) or accept by (offered)
    reminded: bool = False
    note: str | None = None
    wish_title: str = ""
    donor_kind: Literal["individual", "unit"] | None = None  # custom:donor_type; an assignment's donor is a unit
    matched: bool = False  # a campaign sponsor's matching pledge (配捐)
    matched_claim_id: str | None = None  # the donor's pledge it matches
    acted_by: str | None = None  # a unit's claim (donor_id unit:<id>): the member who made it


# A view spells the same values as Literals: its OpenAPI schema (and the web app's types generated from it)
# stays as it was; tests/unit/test_models.py keeps them equal to the enums.
ClaimKindName = Literal["sole", "pledge", "assignment"]
ClaimStatusName = Literal[
    "offered", "active", "delivered", "fulfilled", "withdrawn", "lapsed", "declined", "cancelled", "refund_due"
]


class ClaimView(Model):
    id: str
    wish_id: str
    donor_id: str
    kind: ClaimKindName
    amount_fen: int | None
    status: ClaimStatusName
    created_at: str
    deadline: str | None = None
    wish_title: str = ""


class BatchResult(Model):
    wish_id: str
    ok: bool
    status: int
    claim: ClaimView | None = None
    detail: str | None = None
    state: str | None = None


class BatchClaimResponse(Model):
    claimed: int
    results: list[BatchResult]


class DonorRecord(Model):
    donor_id: str
    active: int = 0
    claimed: int = 0
    delivered: int = 0
    fulfilled: int = 0
    withdrawn: int = 0
    lapsed: int = 0
    declined: int = 0


class UploadRequest(Strict):
    wish_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The wish the photo is of: one the caller holds an active claim on, or an officer's of its region"
    )
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    size_bytes: Annotated[int, Field(ge=1, le=10 * 1024 * 1024, description="The photo's exact size")]


class UploadTicket(Model):
    upload_url: str
    key: str
    headers: dict[str, str]
    expires_in: int
