"""The shape of each item: a model's fields plus the keys and index attributes derived from them."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from .. import regions
from ..lifecycle import ESCALATABLE
from ..once import KeyedRequest
from . import keys
from .written import written_keys

if TYPE_CHECKING:  # annotations only: a function that never builds a model does not load them
    from ..models import AccessEntry, AuditEvent, Beneficiary, Campaign, Claim, Wish


def wish_index_keys(wish: Wish) -> dict[str, str]:
    """The index attributes a wish carries, derived from its fields (so they never drift)."""
    status = wish.status.value
    list_sk = f"{wish.created_at}#{wish.id}"
    index = {
        "ProvPK": f"{status}#{regions.prefix_at(wish.region_code, 'province')}",
        "CityPK": f"{status}#{regions.prefix_at(wish.region_code, 'city')}",
        "CountyPK": f"{status}#{regions.prefix_at(wish.region_code, 'county')}",
        "ListSK": list_sk,
        # ByArea: a township's own partition, so township and village lists read their page, not their county.
        "AreaPK": list_partition(status, regions.prefix_at(wish.region_code, "township")),
        "AreaSK": list_sk,
        "PersonPK": f"{keys.WISHES_OF}{wish.submitted_by}",
        "PersonSK": f"{wish.created_at}#{wish.id}",
    }
    if wish.campaign_id:
        index["CampPK"] = campaign_list_key(wish.campaign_id, status)
    # Sparse: only a wish that waits on someone can fall due for escalation.
    if wish.due_at and wish.status in ESCALATABLE:
        index["DuePK"] = keys.DUE_ESCALATION
        index["DueSK"] = keys.due_sort_key(wish.due_at, wish.id)
    return index


def list_partition(status: str, region_prefix: str) -> str:
    """The partition of a list index (ByProvince, ByCity, ByCounty): a status in a region."""
    return f"{status}#{region_prefix}"


def campaign_list_key(campaign_id: str, status: str) -> str:
    return f"{campaign_id}#{status}"


def wish_item(wish: Wish) -> dict[str, Any]:
    body = wish.model_dump(mode="json")
    return {**keys.wish_key(wish.id), "type": "wish", **body, **wish_index_keys(wish)}


def private_item(wish_id: str, beneficiary: Beneficiary) -> dict[str, Any]:
    return {
        **keys.private_key(wish_id),
        "type": "private",
        "beneficiary": beneficiary.model_dump(mode="json", exclude_none=True),
    }


def packed_answer(answer: str) -> bytes:
    """A record's answer as kept (`answer_z`): zlib, so a wish's view (~1 KB of JSON) stays under 1 KB."""
    return zlib.compress(answer.encode("utf-8"), 9)


def idempotency_record(keyed: KeyedRequest) -> dict[str, Any]:
    """A keyed request's record in the idempotency table, as its change writes it (README "Exactly once")."""
    record: dict[str, Any] = {
        "id": keyed.record_id,
        "payload_hash": keyed.payload_hash,
        "expiration": keyed.expires_at,
        "status": "COMMITTED",
    }
    if keyed.answer is not None:  # said before the commit (once.answering): the record is complete at once
        record.update(answer_z=packed_answer(keyed.answer), status="COMPLETED")
    return record


def audit_item(wish: Wish, event: AuditEvent, order: int = 0) -> dict[str, Any]:
    """An audit event beside its wish. It sorts by time, then by the wish's version and `order`
    (two events of one change), so the trail reads in the order things happened."""
    # The event carries what its readers (notifications, reports) need, so none reads the wish back.
    return {
        **keys.audit_key(wish.id, event.at, wish.version, order),
        **written_keys(),  # the ByWritten index: dead-lettered stream batches are replayed from it
        "type": "audit",
        "wish_id": wish.id,
        **event.model_dump(mode="json"),
        "wish": {
            "title": wish.title,
            "category": wish.category,
            "groups": wish.groups,
            "region_code": wish.region_code,
            "level": wish.level,
            "status": wish.status.value,
            "mode": wish.mode,
            "target_fen": wish.target_fen,
            "pledged_fen": wish.pledged_fen,
            "submitted_by": wish.submitted_by,
            "campaign_id": wish.campaign_id,
            "created_at": wish.created_at,
            "approved_at": wish.approved_at,  # reports: days from approval to fulfilment
            "feedback": wish.feedback,  # the beneficiary's thanks, meant for donors (never the officer's note)
        },
    }


def claim_item(claim: Claim, lease_due: str | None = None, wish: Wish | None = None) -> dict[str, Any]:
    """A claim beside its wish; on the donor's list, on the lease index while it has a deadline, and
    (given its wish) in its wish's county's holders partition of ByArea, where the ledger finds a page's
    donors in one Query."""
    item: dict[str, Any] = {
        **keys.claim_key(claim.wish_id, claim.id),
        "type": "claim",
        **claim.model_dump(mode="json"),
        "PersonPK": f"{keys.CLAIMS_OF}{claim.donor_id}",
        "PersonSK": f"{claim.created_at}#{claim.id}",
    }
    if wish is not None:
        item["AreaPK"] = keys.holders_partition(regions.prefix_at(wish.region_code, "county"))
        item["AreaSK"] = keys.holder_sort_key(f"{wish.created_at}#{wish.id}", claim.id)
    if lease_due:
        item["DuePK"] = keys.DUE_LEASE
        item["DueSK"] = keys.due_sort_key(lease_due, claim.id)
    return item


def access_item(entry: AccessEntry) -> dict[str, Any]:
    body = entry.model_dump(mode="json", exclude_none=True)
    return {
        **keys.access_key(entry.wish_id, entry.at),
        "type": "access",
        **body,
        "PersonPK": keys.actor_access_partition(entry.actor),
        "PersonSK": f"{entry.at}#{entry.wish_id}",
    }


def campaign_item(campaign: Campaign) -> dict[str, Any]:
    return {
        **keys.campaign_key(campaign.id),
        "type": "campaign",
        **campaign.model_dump(mode="json"),
        "PersonPK": keys.CAMPAIGN_LIST,
        "PersonSK": f"{campaign.ends_at}#{campaign.id}",
    }
