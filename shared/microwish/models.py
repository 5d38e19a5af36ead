"""Pydantic models: what clients send, what the table holds, and the views clients get.

The beneficiary's personal data lives only in `Beneficiary`, stored apart from the wish and shown
only in the private view; the public and donor views carry the alias instead.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

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

from . import regions
from .catalog import CategoryCode, GroupCode
from .lifecycle import Action, Status
from .registry import get_registry

Mode = Literal["sole", "pooled"]
Level = Literal["village", "township", "county", "city", "province"]
Title = Literal["女士", "先生", "同学", "老人"]
MAX_TARGET_FEN = 10_000_000  # ¥100,000

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


def _no_repeats(values: list[str]) -> list[str]:
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


class Strict(BaseModel):
    """Every request body: unknown fields refused, text checked (check_text), money strict.

    Money fields (`*_fen`) take whole JSON integers only: not "100", not true, not 1.0.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _strict_fen(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name and info.field_name.endswith("_fen") and value is not None and (
                isinstance(value, bool) or not isinstance(value, int)):
            raise PydanticCustomError("int_type", "must be a whole number of fen (a JSON integer)")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return _check_texts(value)


# ---------------------------------------------------------------- requests
class Beneficiary(Strict):
    # repr=False: personal data must never reach a log line through a model's repr.
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)] = Field(
        repr=False
    )
    phone: Phone = Field(repr=False)
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        repr=False
    )
    title: Title | None = Field(default=None, description="How the public list addresses them.")


class WishSubmission(Strict):
    title: Text50
    description: Description = ""
    category: CategoryCode
    groups: Annotated[list[GroupCode], AfterValidator(_no_repeats)] = Field(default_factory=list, max_length=4)
    region_code: VillageCode = Field(description="12-digit division code of the beneficiary's village.")
    beneficiary: Beneficiary
    target_fen: Fen | None = None
    needed_by: CalendarDate | None = None
    campaign_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class ReviewDecision(Strict):
    decision: Literal["approve", "reject"]
    reason: Text500 | None = None
    mode: Mode | None = None
    target_fen: Fen | None = None
    campaign_id: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Join a running campaign (专场) whose region and targets fit the wish.")


# ---------------------------------------------------------------- stored
class Wish(BaseModel):
    """A wish as the table holds it (without the beneficiary's personal data)."""

    id: str
    title: str
    description: str
    category: str
    groups: list[str]
    region_code: str
    level: Level = "village"
    status: Status
    at_risk: bool = False
    mode: Mode = "sole"
    target_fen: int | None = None
    pledged_fen: int = 0
    beneficiary_alias: str
    campaign_id: str | None = None
    needed_by: CalendarDate | None = None
    submitted_by: str
    created_at: str
    updated_at: str
    due_at: str | None = None
    review_reason: str | None = None
    approved_at: str | None = None
    # Claiming: who a dispatched wish waits on, and the escalation due time paused meanwhile.
    assignee_id: str | None = None
    paused_due_at: str | None = None
    pledge_count: int = 0
    delivery_note: str | None = None
    photo_keys: list[str] = Field(default_factory=list)
    feedback: str | None = None  # the beneficiary's thanks, as an officer wrote it down
    value_fen: int | None = None  # what the fulfilled wish was worth (target, or what was pledged)
    fulfilled_at: str | None = None
    version: int = 1

    @property
    def township_code(self) -> str:
        return regions.prefix_at(self.region_code, "township")

    @property
    def handling_region_code(self) -> str:
        """The federation unit whose queue holds the wish: its village's ancestor at its level."""
        return regions.prefix_at(self.region_code, self.level)


class AuditEvent(BaseModel):
    at: str
    actor: str
    actor_role: str
    action: Action
    from_status: Status | None = None
    to_status: Status | None = None
    from_level: Level | None = None
    to_level: Level | None = None
    note: str | None = None
    # Whom the event concerns besides the wish's officers and resident (notifications use them).
    donor_id: str | None = None
    claim_id: str | None = None
    amount_fen: int | None = None
    donor_ids: list[str] = Field(default_factory=list)  # every donor of the wish (fulfilled, cancelled)
    campaign_joined: str | None = None  # the campaign the wish joined with this change (at review)


# ---------------------------------------------------------------- views
class WishPublicView(BaseModel):
    view: Literal["public"] = "public"  # tells front ends (and the OpenAPI union) which view this is
    id: str
    title: str
    description: str
    category: str
    groups: list[str]
    township_code: str
    region_name: str
    level: Level
    status: Status
    at_risk: bool
    mode: Mode
    target_fen: int | None
    pledged_fen: int
    beneficiary_alias: str
    campaign_id: str | None
    created_at: str
    updated_at: str
    due_at: str | None
    feedback: str | None = None
    value_fen: int | None = None


class BeneficiaryView(BaseModel):
    name: str = Field(repr=False)
    phone: str = Field(repr=False)
    address: str = Field(repr=False)


class WishPrivateView(WishPublicView):
    view: Literal["private"] = "private"  # type: ignore[assignment]
    region_code: str
    handling_region_code: str
    beneficiary: BeneficiaryView | None = Field(
        description="The beneficiary's name, phone and address; null once they were erased.")
    personal_data_erased: bool = Field(
        default=False, description="The beneficiary's personal data was erased (on request, or by retention).")
    review_reason: str | None = None
    claims: list[dict] = Field(default_factory=list)


class MyWishView(WishPrivateView):
    """A wish on GET /me/wishes: the private view without its claims (GET /wishes/{id} has them), so a
    page is two calls however many wishes it holds."""

    claims: list[dict] | None = Field(default=None, description="Not listed here: GET /wishes/{id}")


T = TypeVar("T")


WishView = Annotated[WishPrivateView | WishPublicView, Field(discriminator="view")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


# ---------------------------------------------------------------- claiming
ClaimKind = Literal["sole", "pledge", "assignment"]
ClaimStatus = Literal["offered", "active", "delivered", "fulfilled", "withdrawn", "lapsed", "declined",
                      "cancelled", "refund_due"]
WishIds = Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
                    Field(min_length=1, max_length=25), AfterValidator(_no_repeats)]
# Keys handed out by POST /uploads, nothing else: deliveries/<wish id>/<uploader hash>/<uuid>.<ext>
PhotoKey = Annotated[
    str, StringConstraints(pattern=r"^deliveries/[0-9a-f]{32}/[0-9a-f]{24}/[0-9a-f]{32}\.(jpg|png|webp|heic)$")
]


class ClaimRequest(Strict):
    amount_fen: Annotated[int, Field(ge=1, le=MAX_TARGET_FEN)] | None = Field(
        default=None, description="A pledge's amount; leave out to claim a sole wish whole.")


class BatchClaimRequest(Strict):
    wish_ids: WishIds
    all_or_nothing: bool = True


class AssignmentRequest(Strict):
    donor_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
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


class CancellationRequest(Strict):
    reason: Text500


class EscalationRequest(Strict):
    reason: Text500


class ErasureRequest(Strict):
    reason: Text500 = Field(description="Why (e.g. the beneficiary asked); the audit trail keeps it, with any "
                                        "of the erased name, phone or address masked.")


class AccessEntry(BaseModel):
    """One read of a wish's private view by an officer or admin: who, when, which wish, by which route."""

    at: str
    wish_id: str
    actor: str
    actor_role: str
    actor_region: str | None = None
    route: str


class Claim(BaseModel):
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


class ClaimView(BaseModel):
    id: str
    wish_id: str
    donor_id: str
    kind: ClaimKind
    amount_fen: int | None
    status: ClaimStatus
    created_at: str
    deadline: str | None = None
    wish_title: str = ""


class BatchResult(BaseModel):
    wish_id: str
    ok: bool
    status: int
    claim: ClaimView | None = None
    detail: str | None = None
    state: str | None = None


class BatchClaimResponse(BaseModel):
    claimed: int
    results: list[BatchResult]


class DonorRecord(BaseModel):
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
        description="The wish the photo is of: one the caller holds an active claim on, or an officer's of its region")
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    size_bytes: Annotated[int, Field(ge=1, le=10 * 1024 * 1024, description="The photo's exact size")]


class UploadTicket(BaseModel):
    upload_url: str
    key: str
    headers: dict[str, str]
    expires_in: int
