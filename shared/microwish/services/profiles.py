"""A donor's public face: the display name they chose (PUT /me/profile) and an opaque, stable ref.

Both live on the donor's record item (PK=DONOR#<sub>, SK=RECORD, beside the claim counters), so the
leaderboard reads them by key. The public never sees a login id (sub): the leaderboard shows
`display_name` and `donor_ref`, a random id made once per donor (if_not_exists, so every writer agrees).
What a donor is shown as: the name they chose; else a unit's own name (the token's `name`); else, for
an individual, "爱心人士" — an individual's token name may be their real name and is never shown.
"""

from __future__ import annotations

import secrets
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from ..auth import Caller, require_role
from ..repository import WishRepository, donor_record_key, from_dynamo, to_dynamo

ANONYMOUS_INDIVIDUAL = "爱心人士"
ANONYMOUS_UNIT = "爱心单位"


def _visible(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError("must not hold control or formatting (bidi, invisible) characters")
    if not any(ch.isprintable() and not ch.isspace() for ch in value):
        raise ValueError("needs a visible character")
    return value


DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30),
                        AfterValidator(_visible)]


class ProfileUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    display_name: DisplayName | None = Field(
        description="The name the leaderboard and campaigns show; null to go back to the default "
                    "(爱心人士 for individuals, the unit's name for units).")


class Profile(BaseModel):
    display_name: str | None = Field(description="The name the donor chose, or null")
    shown_as: str = Field(description="What the public sees: the chosen name, a unit's name, or 爱心人士")


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
    response = repo.client.get_item(TableName=repo.table_name, Key=to_dynamo(donor_record_key(sub)),
                                    ProjectionExpression="display_name, donor_ref")
    return from_dynamo(response.get("Item", {}))


def display_name_of(caller: Caller, repo: WishRepository) -> str:
    """The caller's public name (e.g. a sponsor's, when they accept a matching offer)."""
    return shown_as(_record(repo, caller.sub or "").get("display_name"), caller.donor_type, caller.name)


def get_profile(caller: Caller, repo: WishRepository) -> Profile:
    require_role(caller, "donor")
    chosen = _record(repo, caller.sub or "").get("display_name")
    return Profile(display_name=chosen, shown_as=shown_as(chosen, caller.donor_type, caller.name))


def put_profile(caller: Caller, update: ProfileUpdate, repo: WishRepository) -> Profile:
    """Set (or clear, with null) the caller's display name; one conditional-free update of their record."""
    require_role(caller, "donor")
    values: dict[str, Any] = {":ref": new_ref()}
    expression = "SET donor_ref = if_not_exists(donor_ref, :ref)"
    if update.display_name is None:
        expression += " REMOVE display_name"
    else:
        expression += ", display_name = :name"
        values[":name"] = update.display_name
    repo.client.update_item(TableName=repo.table_name, Key=to_dynamo(donor_record_key(caller.sub or "")),
                            UpdateExpression=expression, ExpressionAttributeValues=to_dynamo(values))
    return Profile(display_name=update.display_name,
                   shown_as=shown_as(update.display_name, caller.donor_type, caller.name))


def ensure_ref(repo: WishRepository, donor_id: str) -> dict[str, Any]:
    """The donor's record with its donor_ref, made now if it had none (the same ref ever after)."""
    response = repo.client.update_item(
        TableName=repo.table_name, Key=to_dynamo(donor_record_key(donor_id)),
        UpdateExpression="SET donor_ref = if_not_exists(donor_ref, :ref)",
        ExpressionAttributeValues=to_dynamo({":ref": new_ref()}), ReturnValues="ALL_NEW")
    return from_dynamo(response.get("Attributes", {}))


def records_of(repo: WishRepository, donor_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Donor records by id (BatchGetItem, 100 keys a call): their display_name and donor_ref."""
    from .reports import _batch_get

    found = _batch_get(repo, [donor_record_key(donor_id) for donor_id in donor_ids])
    return {pk.removeprefix("DONOR#"): item for (pk, _), item in found.items()}
