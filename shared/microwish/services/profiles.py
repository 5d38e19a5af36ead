"""A donor's public face: the display name they chose (PUT /me/profile) and an opaque, stable ref.

Both live on the donor's record (repository/donors.py, beside the claim counters), so the
leaderboard reads them by key. The public never sees a login id (sub): the leaderboard shows
`display_name` and `donor_ref`, a random id made once per donor (if_not_exists, so every writer agrees).
What a donor is shown as: the name they chose; else a unit's own name (the token's `name`); else, for
an individual, "爱心人士" — an individual's token name may be their real name and is never shown.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ..auth import Caller, require_role
from ..repository import WishRepository

if TYPE_CHECKING:
    from ..models import Profile, ProfileUpdate

ANONYMOUS_INDIVIDUAL = "爱心人士"
ANONYMOUS_UNIT = "爱心单位"


def new_ref() -> str:
    return secrets.token_hex(8)


def shown_as(chosen: str | None, kind: str, unit_name: str | None) -> str:
    """The public name of a donor: the chosen one; a unit's own name; else the anonymous default."""
    if chosen:
        return chosen
    if kind == "unit":
        return unit_name or ANONYMOUS_UNIT
    return ANONYMOUS_INDIVIDUAL


def _record(repo: WishRepository, sub: str) -> dict[str, Any]:
    return repo.donors.public_face(sub)


def display_name_of(caller: Caller, repo: WishRepository) -> str:
    """The caller's public name (e.g. a sponsor's, when they accept a matching offer)."""
    return shown_as(_record(repo, caller.sub or "").get("display_name"), caller.donor_type, caller.name)


def get_profile(caller: Caller, repo: WishRepository) -> Profile:
    require_role(caller, "donor")
    from ..models import Profile  # why: cold start (the leaderboard's writers use this module, not the models)

    chosen = _record(repo, caller.sub or "").get("display_name")
    return Profile(display_name=chosen, shown_as=shown_as(chosen, caller.donor_type, caller.name))


def put_profile(caller: Caller, update: ProfileUpdate, repo: WishRepository) -> Profile:
    """Set (or clear, with null) the caller's display name; one conditional-free update of their record."""
    require_role(caller, "donor")
    from ..models import Profile  # why: cold start (as in get_profile)

    repo.donors.set_display_name(caller.sub or "", update.display_name, new_ref())
    return Profile(
        display_name=update.display_name, shown_as=shown_as(update.display_name, caller.donor_type, caller.name)
    )


def ensure_ref(repo: WishRepository, donor_id: str) -> dict[str, Any]:
    """The donor's record with its donor_ref, made now if it had none (the same ref ever after)."""
    return repo.donors.ensure_ref(donor_id, new_ref())


def records_of(repo: WishRepository, donor_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Donor records by id (BatchGetItem, 100 keys a call): their display_name and donor_ref."""
    return repo.donors.public_faces(donor_ids)
