"""What each caller is shown of a wish and its claims, and the 409 that says a wish's real state.

One place for every view: the public view (anyone), the private view (officers in region, admins, the
submitting resident), a claim as its donor sees it, and a claim as the private view lists it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth import Caller
from ..errors import Conflict
from ..models import BeneficiaryView, Wish, WishPrivateView, WishPublicView
from ..personal_data import mask
from ..registry import get_registry
from ..repository import ConditionFailed, WishStore

if TYPE_CHECKING:
    from ..models import Claim, ClaimView

_LISTED_CLAIM_FIELDS = (
    "id",
    "wish_id",
    "donor_id",
    "donor_name",
    "donor_kind",
    "amount_fen",
    "status",
    "created_at",
    "deadline",
)


def public_view(wish: Wish) -> WishPublicView:
    fields = wish.model_dump(include=set(WishPublicView.model_fields) - {"view", "township_code", "region_name"})
    for name in ("title", "description", "feedback"):  # text stored before it was checked: mask what slipped in
        fields[name] = mask(fields.get(name))
    return WishPublicView(
        **fields,
        township_code=wish.township_code,
        region_name=get_registry().full_name(wish.township_code),
    )


def private_view(wish: Wish, private: dict[str, Any], claims: list[dict[str, Any]]) -> WishPrivateView:
    beneficiary = private.get("beneficiary", {})
    erased = bool(private.get("erased_at"))  # an erased private part is a tombstone: no name, phone, address
    return WishPrivateView(
        **public_view(wish).model_dump(exclude={"view"}),
        region_code=wish.region_code,
        handling_region_code=wish.handling_region_code,
        beneficiary=None
        if erased
        else BeneficiaryView(
            name=beneficiary.get("name", ""), phone=beneficiary.get("phone", ""), address=beneficiary.get("address", "")
        ),
        personal_data_erased=erased,
        review_reason=wish.review_reason,
        collected_by=wish.collected_by,
        claims=[listed_claim(claim) for claim in claims],
    )


def listed_claim(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim as the private view lists it (with the donor's name, which officers may see)."""
    return {key: claim.get(key) for key in _LISTED_CLAIM_FIELDS}


def claim_view(claim: Claim | dict[str, Any]) -> ClaimView:
    """A claim as its donor sees it (GET /me/claims, the answer to a claim)."""
    from ..models import Claim, ClaimView  # why: cold start (every API function imports this module; few show claims)

    data = claim.model_dump() if isinstance(claim, Claim) else claim
    return ClaimView.model_validate({key: data.get(key) for key in ClaimView.model_fields})


def may_see_private(caller: Caller, wish: Wish) -> bool:
    """Officers in region, admins, and its submitter: a resident, or a partner's member who collected it for one
    (a donor by role: they typed what they see)."""
    submitter = caller.role in ("resident", "donor") and caller.sub == wish.submitted_by
    return caller.is_officer_for(wish.region_code) or submitter


def view_for(
    caller: Caller, wish: Wish, private: dict[str, Any], claims: list[dict[str, Any]]
) -> WishPrivateView | WishPublicView:
    """The view WHO calls may see: private for officers in region, admins and the submitting resident;
    the public view for anyone else (a donor acting on the wish included). Never decided by the route."""
    return private_view(wish, private, claims) if may_see_private(caller, wish) else public_view(wish)


def replayed_view(caller: Caller, public: dict[str, Any], repo: WishStore) -> WishPrivateView | WishPublicView:
    """A remembered answer (its public part, as idempotency records keep it), with the private part
    re-read from the table for a caller entitled to it now; the public part as remembered otherwise."""
    bundle = repo.get_wish_bundle(str(public.get("id", "")))
    if bundle is None or not may_see_private(caller, bundle[0]):
        return WishPublicView.model_validate(public)
    current = private_view(*bundle).model_dump()
    return WishPrivateView.model_validate({**current, **public, "view": "private"})


def changed_meanwhile(repo: WishStore, wish: Wish, failure: ConditionFailed | None = None) -> Conflict:
    """A 409 that names the state the wish is really in now: as the lost write found the wish, or, when
    another item's guard failed, as the wish reads now."""
    found = failure.item if failure is not None and failure.guard is not None and failure.guard.name == "wish" else None
    if found:
        state = found.get("status", wish.status.value)
    else:
        now = repo.get_wish(wish.id)
        state = now.status.value if now else wish.status.value
    return Conflict(f"the wish changed meanwhile and is now {state}", state=state)
