"""Claim kind and status are enums in the stored model and Literals of the same values in the view."""

from __future__ import annotations

from typing import get_args

from microwish.models import Claim, ClaimKind, ClaimStatus, ClaimView
from microwish.models.claims import ClaimKindName, ClaimStatusName


def test_the_views_literals_are_the_enums_values():
    assert list(get_args(ClaimKindName)) == [member.value for member in ClaimKind]
    assert list(get_args(ClaimStatusName)) == [member.value for member in ClaimStatus]


def test_a_claim_reads_and_writes_the_same_json():
    stored = {
        "id": "w-1",
        "wish_id": "w",
        "donor_id": "d",
        "kind": "pledge",
        "amount_fen": 100,
        "status": "active",
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
    }
    claim = Claim.model_validate(stored)
    assert claim.kind is ClaimKind.PLEDGE and claim.status is ClaimStatus.ACTIVE
    assert claim.status == "active" and f"{claim.status}" == "active"
    dumped = claim.model_dump(mode="json")
    assert {key: dumped[key] for key in stored} == stored
    view = ClaimView.model_validate({key: claim.model_dump().get(key) for key in ClaimView.model_fields})
    assert view.model_dump(mode="json")["kind"] == "pledge" and view.model_dump(mode="json")["status"] == "active"
