"""Volunteer work (issue 12 §3): 扫一院, 送一技, a free clinic — wishes that need people on a day, not money.

- An officer of the wish's region states the needs of a labour or service wish (categories yard, skill,
  care): how many places, which day, where (a public, township-level place), skills, the hours expected.
- Signed-in people sign up while places are left: one transaction moves the counter (only while below
  the places), writes the signup (only if new) and checks that the wish still takes volunteers; no read
  decides it, so no overbooking however many sign up at once. They withdraw until checked in.
- The organizer — an officer of the region, an admin, or an admin of the registry unit that holds (or was
  offered) the wish — checks volunteers in with their hours (志愿时长). Nobody checks themselves in.
- The wish is fulfilled as every wish is: its holder reports the work done (POST /wishes/{id}/delivery)
  and an officer confirms it (POST /wishes/{id}/confirmation); from then on it takes no signups.
- Hours: a region's as CSV (GET /exports/volunteer-hours.csv), a volunteer's own (GET /me/volunteering).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from .. import clock, regions
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, NotFound
from ..lifecycle import Status
from ..models import Claim, ClaimKind, ClaimStatus, Wish
from ..models.volunteers import (
    VOLUNTEER_CATEGORIES,
    CheckIn,
    Signup,
    SignupList,
    SignupView,
    Volunteering,
    VolunteeringView,
    VolunteerNeeds,
)
from ..personal_data import beneficiary_name, refuse_personal_data
from ..repository import ConditionFailed, WishRepository
from ..repository.volunteers import TAKES_VOLUNTEERS
from ..settings import Settings
from . import acting, recognition_counts
from .claims import load
from .ledger import _cell as cell  # a spreadsheet never runs a cell as a formula

BOM = "\ufeff"


def _view(needs: Volunteering) -> VolunteeringView:
    return VolunteeringView(
        wish_id=needs.wish_id,
        places=needs.places,
        signed_up=needs.signed_up,
        remaining=max(needs.places - needs.signed_up, 0),
        day=needs.day,
        place=needs.place,
        township_code=needs.township_code,
        skills=list(needs.skills),
        hours=needs.minutes / 60,
        updated_at=needs.updated_at,
    )


def signup_view(signup: Signup) -> SignupView:
    return SignupView(
        **signup.model_dump(include=set(SignupView.model_fields) - {"hours"}),
        hours=signup.minutes / 60 if signup.minutes is not None else None,
    )


def set_needs(caller: Caller, wish_id: str, request: VolunteerNeeds, repo: WishRepository) -> VolunteeringView:
    require_role(caller, "officer", "admin")
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None or not caller.is_officer_for(bundle[0].region_code):
        raise NotFound("no such wish in your region")
    wish, private, _ = bundle
    if wish.category not in VOLUNTEER_CATEGORIES:
        raise Conflict(
            f"a {wish.category} wish needs no volunteers: only labour and service wishes (yard, skill, care) do",
            state=wish.status.value,
        )
    if wish.status.value not in TAKES_VOLUNTEERS:
        raise Conflict(f"the wish is {wish.status.value}: it takes no volunteers", state=wish.status.value)
    refuse_personal_data([("place", request.place)], beneficiary_name(private))  # public text
    needs = Volunteering(
        wish_id=wish.id,
        places=request.places,
        day=request.day.isoformat(),
        place=request.place,
        township_code=wish.township_code,
        region_code=wish.region_code,
        skills=list(request.skills),
        minutes=round(request.hours * 60),
        wish_title=wish.title,
        updated_at=clock.now_iso(),
    )
    if not repo.volunteers.put_needs(needs):
        raise Conflict("more volunteers have signed up than that: keep at least their places", state=wish.status.value)
    stored = repo.volunteers.needs(wish.id)
    assert stored is not None  # just written
    return _view(stored)


def get_needs(wish_id: str, repo: WishRepository) -> VolunteeringView:
    needs = repo.volunteers.needs(wish_id)
    if needs is None:
        raise NotFound("this wish asks for no volunteers")
    return _view(needs)


def sign_up(caller: Caller, wish_id: str, repo: WishRepository) -> SignupView:
    require_role(caller, "resident", "donor", "officer", "admin")
    needs = repo.volunteers.needs(wish_id)
    if needs is None:
        raise NotFound("this wish asks for no volunteers")
    signup = Signup(
        wish_id=needs.wish_id,
        volunteer_id=caller.sub or "",
        name=caller.name,
        signed_up_at=clock.now_iso(),
        day=needs.day,
        township_code=needs.township_code,
        wish_title=needs.wish_title,
    )
    refused = repo.volunteers.signup(signup, needs.region_code)
    if refused == "full":
        raise Conflict("every place is taken", state="full", remaining=0)
    if refused == "signed_up":
        raise Conflict("you have signed up already", state="signed_up")
    if refused == "closed":
        raise Conflict("the wish takes no more volunteers", state="closed")
    _tell_unit_if_full(needs, repo)
    return signup_view(signup)


def _tell_unit_if_full(needs: Volunteering, repo: WishRepository) -> None:
    """The last place taken on a work wish a registry unit holds: its members are told once (`volunteers_full`)."""
    if not repo.volunteers.is_full(needs.wish_id):  # read after this signup: of racing last signups, one sees it
        return
    unit_id = holding_unit([Claim.model_validate(item) for item in repo.claims_of(needs.wish_id)])
    if unit_id is not None:
        repo.volunteers.mark_full(needs.wish_id, clock.now_iso(), recognition_counts.full_notice(needs, unit_id))


def withdraw(caller: Caller, wish_id: str, repo: WishRepository) -> None:
    require_role(caller, "resident", "donor", "officer", "admin")
    if repo.volunteers.needs(wish_id) is None:
        raise NotFound("this wish asks for no volunteers")
    refused = repo.volunteers.withdraw(wish_id, caller.sub or "")
    if refused == "not_signed_up":
        raise NotFound("you have not signed up for this wish")
    if refused == "checked_in":
        raise Conflict("you were checked in already: your hours stay recorded", state="checked_in")


def _organizes(caller: Caller, wish: Wish, claims: list[Claim], repo: WishRepository) -> bool:
    """Officers of the wish's region and admins; the admins of the registry unit that holds or was offered it."""
    if caller.is_officer_for(wish.region_code):
        return True
    for claim in claims:
        unit_id = acting.unit_id_of(claim.donor_id)
        holding = claim.status in (ClaimStatus.ACTIVE, ClaimStatus.DELIVERED, ClaimStatus.OFFERED)
        if unit_id and holding and claim.kind is not ClaimKind.PLEDGE:
            member = repo.units.member(unit_id, caller.sub)
            if member is not None and member.role == "admin":
                return True
    return False


def _organizer_load(caller: Caller, wish_id: str, repo: WishRepository) -> Wish:
    return _organizer_claims(caller, wish_id, repo)[0]


def _organizer_claims(caller: Caller, wish_id: str, repo: WishRepository) -> tuple[Wish, list[Claim]]:
    require_role(caller, "resident", "donor", "officer", "admin")
    wish, _, claims = load(repo, wish_id)
    if wish.status in (Status.SUBMITTED, Status.REJECTED) and not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish")
    if not _organizes(caller, wish, claims, repo):
        raise Forbidden("volunteers are checked in by the organizer: an officer of the region or the unit's admin")
    return wish, claims


def check_in(caller: Caller, wish_id: str, volunteer_id: str, request: CheckIn, repo: WishRepository) -> SignupView:
    wish, claims = _organizer_claims(caller, wish_id, repo)
    if volunteer_id == caller.sub:
        raise Forbidden("a volunteer cannot check themselves in: the organizer does")
    needs = repo.volunteers.needs(wish.id)
    if needs is None:
        raise NotFound("this wish asks for no volunteers")
    minutes = round(request.hours * 60) if request.hours is not None else needs.minutes
    unit_id = holding_unit(claims)
    for _ in range(_CHECK_IN_ATTEMPTS):
        before = repo.volunteers.get_signup(wish.id, volunteer_id)
        if before is None:
            break
        moved = minutes - (before.minutes or 0)
        event = None
        if moved:  # the recognition counters move by the difference (a check-in again with other hours)
            event = recognition_counts.hours_event(
                wish.id, volunteer_id, before.name, unit_id, needs.region_code, before.day, moved
            )
        try:
            signup = repo.volunteers.check_in(before, clock.now_iso(), caller.sub or "", minutes, event)
        except ConditionFailed:
            continue  # checked in meanwhile with other minutes: read again
        if signup is not None:
            return signup_view(signup)
        break
    raise NotFound("no such volunteer signed up for this wish")


_CHECK_IN_ATTEMPTS = 4


def holding_unit(claims: list[Claim]) -> str | None:
    """The registry unit holding the work wish (its claim or accepted dispatch): it organized the work, so its
    volunteers' hours count for it too."""
    for claim in claims:
        unit_id = acting.unit_id_of(claim.donor_id)
        holding = claim.status in (ClaimStatus.ACTIVE, ClaimStatus.DELIVERED, ClaimStatus.FULFILLED)
        if unit_id and holding and claim.kind is not ClaimKind.PLEDGE:
            return unit_id
    return None


def list_signups(caller: Caller, wish_id: str, repo: WishRepository) -> SignupList:
    wish = _organizer_load(caller, wish_id, repo)
    return SignupList(wish_id=wish.id, items=[signup_view(s) for s in repo.volunteers.signups(wish.id)])


def my_signups(
    caller: Caller, repo: WishRepository, limit: int, cursor: str | None
) -> tuple[list[SignupView], str | None]:
    require_role(caller, "resident", "donor", "officer", "admin")
    items, next_cursor = repo.volunteers.signups_of(caller.sub or "", limit, cursor)
    return [signup_view(s) for s in items], next_cursor


def hours_csv(
    caller: Caller,
    repo: WishRepository,
    settings: Settings,
    region: str | None,
    first_day: date | None,
    last_day: date | None,
) -> tuple[str, int]:
    """志愿时长: every checked-in volunteer of the region whose work day is in the period, with their hours."""
    require_role(caller, "officer", "admin")
    scope = regions.normalize(region or caller.region or settings.home_region)
    if not caller.is_officer_for(scope):
        raise Forbidden("officers export the hours of their own region")
    if regions.level_of(scope) == "village":
        scope = regions.prefix_at(scope, "township")  # work places are public at township level
    first = (first_day or date(1900, 1, 1)).isoformat()
    last = (last_day or date(2999, 12, 31)).isoformat()
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["日期", "乡镇", "心愿", "志愿者编号", "志愿者", "签到时间", "志愿时长（小时）"])
    rows = 0
    for signup in repo.volunteers.region_signups(scope, first, last):
        if signup.status != "checked_in":
            continue
        writer.writerow(
            [
                signup.day,
                signup.township_code,
                cell(signup.wish_title),
                cell(signup.volunteer_id),
                cell(signup.name or ""),
                signup.checked_in_at or "",
                f"{(signup.minutes or 0) / 60:g}",
            ]
        )
        rows += 1
    return out.getvalue(), rows
