"""Acting for a unit (issue 12 §1): which unit a donor id names, and whether a caller holds a claim.

Apart from the registry (services/units.py) so that claiming, fulfilment, uploads and the counters can
ask without building the registry's models at a cold start (README "Performance").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..auth import Caller
from ..models.base import UNIT_DONOR_PREFIX
from ..repository import WishRepository

if TYPE_CHECKING:
    from ..models.claims import Claim


def unit_id_of(donor_id: str | None) -> str | None:
    """The registry id a donor id names (`unit:<id>`), or None for a person's id."""
    if donor_id and donor_id.startswith(UNIT_DONOR_PREFIX):
        return donor_id.removeprefix(UNIT_DONOR_PREFIX)
    return None


def acts_for(caller: Caller, claim: Claim, repo: WishRepository) -> bool:
    """The caller holds the claim: their own, or their unit's (as its member)."""
    if claim.donor_id == caller.sub:
        return True
    unit_id = unit_id_of(claim.donor_id)
    return unit_id is not None and repo.units.member(unit_id, caller.sub) is not None
