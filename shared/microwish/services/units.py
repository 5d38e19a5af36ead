"""The unit registry (issue 12 §1): units (爱心单位), their members, and acting for a unit.

- Officers of a region (and admins) create and edit the units of their region; an officer elsewhere is
  refused (403). A unit's admins (members with role `admin`) add and remove its members; so may the
  officers of its region. A unit admin of one unit has no say over another.
- `GET /units` lists the registry of a region subtree (the caller's region by default), filtered by
  kind — one index Query a page, never a Scan — each unit with the wishes it fulfilled there (the
  leaderboard's count for its donor id `unit:<id>`). Before the registry, it listed the units known
  from the leaderboard only; a unit outside the registry is still dispatched to by its donor id.
- A person acts for a unit (a claim, a pledge, accepting a dispatch, a delivery) only as its member;
  the change's transaction carries a guard on the membership item, so a member removed meanwhile
  changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import clock, once, regions
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models.units import (
    Member,
    MemberList,
    MemberRequest,
    MemberView,
    Unit,
    UnitKind,
    UnitRequest,
    UnitUpdate,
    UnitView,
)
from ..repository import WishRepository
from ..settings import Settings
from .acting import unit_id_of
from .stats import TOTAL, dim

if TYPE_CHECKING:
    from ..models import KnownUnits


def _manages(caller: Caller, unit: Unit) -> bool:
    """Officers whose region contains the unit's, and admins."""
    return caller.is_officer_for(unit.region_code)


def _load(repo: WishRepository, unit_id: str) -> Unit:
    unit = repo.units.get(unit_id)
    if unit is None:
        raise NotFound("no such unit")
    return unit


def _view(unit: Unit, *, wishes: int = 0, contact: Any = None, role: str | None = None) -> UnitView:
    return UnitView(
        id=unit.id,
        donor_id=unit.donor_id,
        name=unit.name,
        kind=unit.kind.value,
        region_code=unit.region_code,
        level=unit.level,
        honours=list(unit.honours),
        created_at=unit.created_at,
        updated_at=unit.updated_at,
        wishes=wishes,
        contact=contact,
        my_role=role,  # type: ignore[arg-type]
    )


def view_for(caller: Caller, repo: WishRepository, unit: Unit) -> UnitView:
    """The unit as its caller may see it: its contact for the officers of its region, admins and its admins."""
    member = repo.units.member(unit.id, caller.sub)
    entitled = _manages(caller, unit) or (member is not None and member.role == "admin")
    return _view(unit, contact=repo.units.contact(unit.id) if entitled else None, role=member.role if member else None)


# ---------------------------------------------------------------- the registry
def create_unit(caller: Caller, request: UnitRequest, repo: WishRepository) -> UnitView:
    require_role(caller, "officer", "admin")
    region = regions.normalize(request.region_code)
    if not caller.is_officer_for(region):
        raise Forbidden("units are created by the officers of their region")
    now = clock.now_iso()
    unit = Unit(
        id=once.new_uuid("unit"),  # keyed: the key's own id, so a replay finds it
        name=request.name,
        kind=UnitKind(request.kind),
        region_code=region,
        level=regions.level_of(region),
        honours=list(request.honours),
        created_at=now,
        updated_at=now,
        created_by=caller.sub or "",
    )
    admins = [
        Member(unit_id=unit.id, sub=sub, role="admin", added_at=now, added_by=caller.sub or "")
        for sub in dict.fromkeys(request.admins)
    ]
    repo.units.create(unit, request.contact, admins)
    return _view(unit, contact=request.contact)


def update_unit(caller: Caller, unit_id: str, request: UnitUpdate, repo: WishRepository) -> UnitView:
    require_role(caller, "officer", "admin")
    unit = _load(repo, unit_id)
    if not _manages(caller, unit):
        raise Forbidden("units are edited by the officers of their region")
    changes: dict[str, Any] = {"updated_at": clock.now_iso(), "version": unit.version + 1}
    if request.name is not None:
        changes["name"] = request.name
    if request.honours is not None:
        changes["honours"] = list(request.honours)
    after = unit.model_copy(update=changes)
    if not repo.units.update(unit, after, request.contact):
        raise Conflict("the unit was changed meanwhile: read it again", state="changed")
    return view_for(caller, repo, after)


def get_unit(caller: Caller, unit_id: str, repo: WishRepository) -> UnitView:
    require_role(caller, "resident", "donor", "officer", "admin")
    return view_for(caller, repo, _load(repo, unit_id))


def list_units(
    caller: Caller,
    repo: WishRepository,
    settings: Settings,
    *,
    region: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> KnownUnits:
    """The registry's units of a region subtree (default: the caller's region), of a kind, by region code."""
    require_role(caller, "officer", "admin")
    from ..models import KnownUnit, KnownUnits  # why: cold start (report models: only this listing uses them here)

    own = regions.normalize(caller.region or settings.home_region)
    scope = regions.normalize(region) if region else own
    if caller.role != "admin" and not regions.contains(own, scope):
        raise Forbidden("officers list the units of their own region")
    units, next_cursor = repo.units.page(scope, kind, limit, cursor)
    counts, names = fulfilled_by_unit(repo, scope)
    # Units known only from the leaderboard (dispatched to by their own account before the registry) follow
    # the registry's on its last page, as GET /units listed them before (no id, no kind).
    known = (
        [
            KnownUnit(donor_id=donor_id, name=names.get(donor_id) or "爱心单位", wishes=wishes)
            for donor_id, wishes in sorted(counts.items(), key=lambda entry: (-entry[1], entry[0]))
            if unit_id_of(donor_id) is None
        ]
        if kind is None and next_cursor is None
        else []
    )
    return KnownUnits(
        region=scope,
        items=[
            KnownUnit(
                donor_id=unit.donor_id,
                name=unit.name,
                wishes=counts.get(unit.donor_id, 0),
                id=unit.id,
                kind=unit.kind.value,
                region_code=unit.region_code,
                level=unit.level,
                honours=list(unit.honours),
            )
            for unit in units
        ]
        + known,
        next_cursor=next_cursor,
    )


def fulfilled_by_unit(repo: WishRepository, region: str) -> tuple[dict[str, int], dict[str, str]]:
    """Wishes fulfilled per unit donor id in a region, and the units' names (the leaderboard's unit items, one
    Query a month)."""
    if regions.level_of(region) == "village":
        region = regions.prefix_at(region, "township")  # figures stop at the township
    total = repo.stats.counters([(dim(region), TOTAL)]).get((dim(region), TOTAL)) or {}
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for month in sorted(total.get("months") or []):
        for item in repo.stats.leaderboard(region, month):
            if item.get("kind") == "unit":
                counts[item["donor_id"]] = counts.get(item["donor_id"], 0) + int(item.get("fulfilled", 0))
                names[item["donor_id"]] = item.get("name") or names.get(item["donor_id"], "")
    return counts, names


# ---------------------------------------------------------------- members
def may_manage_members(caller: Caller, unit: Unit, repo: WishRepository) -> bool:
    """Officers of the unit's region (and admins) or the unit's own admins; False for anyone else."""
    if _manages(caller, unit):
        return True
    member = repo.units.member(unit.id, caller.sub)
    return member is not None and member.role == "admin"


def add_member(caller: Caller, unit_id: str, request: MemberRequest, repo: WishRepository) -> MemberView:
    require_role(caller, "resident", "donor", "officer", "admin")
    unit = _load(repo, unit_id)
    if not may_manage_members(caller, unit, repo):
        raise Forbidden("members are added by the unit's admins or the officers of its region")
    member = Member(
        unit_id=unit.id, sub=request.sub, role=request.role, added_at=clock.now_iso(), added_by=caller.sub or ""
    )
    if not repo.units.add_member(member):
        raise Conflict("already a member of this unit", state="member")
    return MemberView(sub=member.sub, role=member.role, added_at=member.added_at)


def remove_member(caller: Caller, unit_id: str, sub: str, repo: WishRepository) -> None:
    require_role(caller, "resident", "donor", "officer", "admin")
    unit = _load(repo, unit_id)
    if not may_manage_members(caller, unit, repo):
        raise Forbidden("members are removed by the unit's admins or the officers of its region")
    if not repo.units.remove_member(unit.id, sub):
        raise NotFound("no such member of this unit")


def list_members(caller: Caller, unit_id: str, repo: WishRepository) -> MemberList:
    require_role(caller, "resident", "donor", "officer", "admin")
    unit = _load(repo, unit_id)
    if not may_manage_members(caller, unit, repo):
        raise Forbidden("the members are listed for the unit's admins and the officers of its region")
    return MemberList(
        unit_id=unit.id,
        items=[MemberView(sub=m.sub, role=m.role, added_at=m.added_at) for m in repo.units.members(unit.id)],
    )


def my_units(caller: Caller, repo: WishRepository) -> list[UnitView]:
    """The units the caller belongs to (the ByPerson index, then one BatchGetItem)."""
    require_role(caller, "resident", "donor", "officer", "admin")
    memberships = repo.units.units_of(caller.sub or "")
    units = repo.units.get_many([m.unit_id for m in memberships])
    return [_view(units[m.unit_id], role=m.role) for m in memberships if m.unit_id in units]


def require_member_of(caller: Caller, unit_id: str, repo: WishRepository) -> Unit:
    """The unit the caller acts for: 422 when no such unit, 403 when the caller is not its member."""
    unit = repo.units.get(unit_id)
    if unit is None:
        raise InvalidInput("unit_id", "is not a unit of the registry")
    if repo.units.member(unit.id, caller.sub) is None:
        raise Forbidden("you act only for a unit you are a member of")
    return unit


def unit_claims(
    caller: Caller, unit_id: str, repo: WishRepository, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The unit's claims, pledges and dispatch offers (its members see what was dispatched to it), newest first."""
    require_role(caller, "resident", "donor", "officer", "admin")
    unit = _load(repo, unit_id)
    if not _manages(caller, unit) and repo.units.member(unit.id, caller.sub) is None:
        raise Forbidden("a unit's claims are for its members and the officers of its region")
    return repo.claims_by(unit.donor_id, limit, cursor)
