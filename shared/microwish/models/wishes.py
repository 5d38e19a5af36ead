"""Wishes: what a resident submits and an officer decides, the wish as stored, its audit event, its views.

The beneficiary's personal data lives only in `Beneficiary`, stored apart from the wish and shown
only in the private view; the public and donor views carry the alias instead.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypedDict, TypeVar, Unpack

from pydantic import AfterValidator, Field, StringConstraints

from .. import regions
from ..auth import Caller
from ..catalog import CategoryCode, GroupCode
from ..lifecycle import Action, Status
from .base import (
    CalendarDate,
    Description,
    Fen,
    Level,
    Mode,
    Model,
    Phone,
    Strict,
    Text50,
    Text500,
    Title,
    VillageCode,
    no_repeats,
)


# ---------------------------------------------------------------- requests
class Beneficiary(Strict):
    # repr=False: personal data must never reach a log line through a model's repr.
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)] = Field(repr=False)
    phone: Phone = Field(repr=False)
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(repr=False)
    title: Title | None = Field(default=None, description="How the public list addresses them.")


class WishSubmission(Strict):
    title: Text50
    description: Description = ""
    category: CategoryCode
    groups: Annotated[list[GroupCode], AfterValidator(no_repeats)] = Field(default_factory=list, max_length=4)
    region_code: VillageCode = Field(description="12-digit division code of the beneficiary's village.")
    beneficiary: Beneficiary
    target_fen: Fen | None = None
    needed_by: CalendarDate | None = None
    campaign_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    unit_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = Field(
        default=None,
        description="Collected (征集) by this partner organization of the registry, on the resident's behalf: the "
        "caller must be its member, and the village inside its region.",
    )


class ReviewDecision(Strict):
    decision: Literal["approve", "reject"]
    reason: Text500 | None = None
    mode: Mode | None = None
    target_fen: Fen | None = None
    campaign_id: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Join a running campaign (专场) whose region and targets fit the wish."
    )


# ---------------------------------------------------------------- stored
class CollectedBy(Model):
    """The partner organization that collected (征集) a wish on a resident's behalf (issue 12 §1)."""

    unit_id: str
    name: str


class Wish(Model):
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
    collected_by: CollectedBy | None = None  # shown to officers (the private view), never to the public
    version: int = 1

    @property
    def township_code(self) -> str:
        return regions.prefix_at(self.region_code, "township")

    @property
    def handling_region_code(self) -> str:
        """The federation unit whose queue holds the wish: its village's ancestor at its level."""
        return regions.prefix_at(self.region_code, self.level)


class AuditEvent(Model):
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


class EventSubject(TypedDict, total=False):
    """Whom an audit event concerns (the matching fields of AuditEvent)."""

    donor_id: str | None
    claim_id: str | None
    amount_fen: int | None
    donor_ids: list[str]
    campaign_joined: str | None


def event_for(
    caller: Caller,
    action: Action,
    before: Wish | None,
    after: Wish,
    note: str | None = None,
    at: str | None = None,
    **subject: Unpack[EventSubject],
) -> AuditEvent:
    """The audit event of a change; `subject` names whom it concerns (donor_id, claim_id, amount_fen, donor_ids)."""
    return AuditEvent(
        at=at or after.updated_at,
        actor=caller.sub or "system",
        actor_role=caller.role or "system",
        action=action,
        from_status=before.status if before else None,
        to_status=after.status,
        from_level=before.level if before else None,
        to_level=after.level,
        note=note,
        **subject,
    )


# ---------------------------------------------------------------- requests on a wish's life
class CancellationRequest(Strict):
    reason: Text500


class EscalationRequest(Strict):
    reason: Text500


class ErasureRequest(Strict):
    reason: Text500 = Field(
        description="Why (e.g. the beneficiary asked); the audit trail keeps it, with any "
        "of the erased name, phone or address masked."
    )


class AccessEntry(Model):
    """One read of a wish's private view by an officer or admin: who, when, which wish, by which route."""

    at: str
    wish_id: str
    actor: str
    actor_role: str
    actor_region: str | None = None
    route: str


# ---------------------------------------------------------------- views
class WishPublicView(Model):
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


class BeneficiaryView(Model):
    name: str = Field(repr=False)
    phone: str = Field(repr=False)
    address: str = Field(repr=False)


# The private view's fields but its claims: the wish's own (WishPrivateView) lists them, a page of the
# caller's wishes (MyWishView) does not. Not a view itself.
class _PrivateFields(WishPublicView):
    view: Literal["private"] = "private"  # type: ignore[assignment]
    region_code: str
    handling_region_code: str
    beneficiary: BeneficiaryView | None = Field(
        description="The beneficiary's name, phone and address; null once they were erased."
    )
    personal_data_erased: bool = Field(
        default=False, description="The beneficiary's personal data was erased (on request, or by retention)."
    )
    review_reason: str | None = None
    collected_by: CollectedBy | None = Field(
        default=None, description="The partner organization that collected the wish (征集), if one did."
    )


class WishPrivateView(_PrivateFields):
    claims: list[dict[str, Any]] = Field(default_factory=list)


class MyWishView(_PrivateFields):
    """A wish on GET /me/wishes: the private view without its claims (GET /wishes/{id} has them), so a
    page is two calls however many wishes it holds."""

    claims: list[dict[str, Any]] | None = Field(default=None, description="Not listed here: GET /wishes/{id}")


T = TypeVar("T")


WishView = Annotated[WishPrivateView | WishPublicView, Field(discriminator="view")]


class Page(Model, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class DeliveryPhoto(Model):
    url: str = Field(description="Pre-signed GET of the photo; expires after expires_in seconds")


class DeliveryPhotos(Model):
    wish_id: str
    expires_in: int = Field(description="Seconds each url stays valid; ask again for fresh ones")
    items: list[DeliveryPhoto] = Field(
        description="The photos of the last delivery report, in its order (empty when it had none)"
    )
