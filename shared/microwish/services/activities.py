"""Activities (圆梦活动) and the yearly quota (issue 12 §2).

- A unit's admins (and the officers of its region) record an activity: a dated event with the wishes it
  fulfilled, how many took part, a summary, maybe a campaign.
- The quota: how many activities each kind of unit must hold a year — the UNIT_ACTIVITY_QUOTAS parameter
  (`kind=n,…`; default 1 for federation units and party organizations, none for partners).
- The compliance view of a region and year: every unit of the registry there with its activities, below
  or met. Two Queries of the list indexes (the units, the year's activities) and a count; never a Scan.
- The reminder (a schedule before the year ends): each unit below quota is told (its admins' inboxes; a
  federation unit's officers too) and each superior federation unit gets the summary of its units below —
  each once per unit and year however often the schedule runs: the inbox items go in one transaction
  with a marker written only if absent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from .. import clock, once, regions
from ..auth import Caller, require_role
from ..errors import Forbidden, InvalidInput, NotFound
from ..models.activities import Activity, ActivityRequest, ActivityView, Compliance, ComplianceEntry
from ..models.units import Unit, UnitKind
from ..notifications.recipients import notification_id
from ..personal_data import refuse_personal_data
from ..repository import WishRepository, keys
from ..settings import Settings
from . import recognition_counts, units
from .stats import CST

DEFAULT_QUOTAS = "federation=1,party_branch=1,party_organ=1"


def quotas() -> dict[str, int]:
    """Activities a year per unit kind (UNIT_ACTIVITY_QUOTAS, `kind=n,…`); kinds not named owe none."""
    found: dict[str, int] = {}
    for part in (os.environ.get("UNIT_ACTIVITY_QUOTAS") or DEFAULT_QUOTAS).split(","):
        kind, _, number = part.partition("=")
        if kind.strip() in UnitKind.__members__.values() and number.strip().isdigit():
            found[kind.strip()] = int(number)
    return found


def _view(activity: Activity) -> ActivityView:
    return ActivityView(**activity.model_dump(include=set(ActivityView.model_fields)))


def create_activity(caller: Caller, unit_id: str, request: ActivityRequest, repo: WishRepository) -> ActivityView:
    require_role(caller, "resident", "donor", "officer", "admin")
    unit = repo.units.get(unit_id)
    if unit is None:
        raise NotFound("no such unit")
    if not units.may_manage_members(caller, unit, repo):
        raise Forbidden("activities are recorded by the unit's admins or the officers of its region")
    refuse_personal_data([("title", request.title), ("summary", request.summary)])  # public text
    found = repo.get_wishes(list(request.wish_ids))
    for index, wish_id in enumerate(request.wish_ids):
        if wish_id not in found:
            raise InvalidInput(f"wish_ids.{index}", "is not a wish")
    if request.campaign_id and repo.campaigns.get(request.campaign_id) is None:
        raise InvalidInput("campaign_id", "is not a campaign")
    activity = Activity(
        id=once.new_uuid("activity"),
        unit_id=unit.id,
        unit_name=unit.name,
        unit_kind=unit.kind.value,
        region_code=unit.region_code,
        title=request.title,
        day=request.day.isoformat(),
        wish_ids=list(request.wish_ids),
        participants=request.participants,
        summary=request.summary,
        campaign_id=request.campaign_id,
        created_by=caller.sub or "",
        created_at=clock.now_iso(),
    )
    repo.activities.create(activity, recognition_counts.activity_event(activity))
    return _view(activity)


def unit_activities(caller: Caller, unit_id: str, repo: WishRepository) -> list[ActivityView]:
    require_role(caller, "resident", "donor", "officer", "admin")
    if repo.units.get(unit_id) is None:
        raise NotFound("no such unit")
    return [_view(activity) for activity in repo.activities.of_unit(unit_id)]


def _all_units(repo: WishRepository, region: str) -> list[Unit]:
    found: list[Unit] = []
    cursor: str | None = None
    while True:
        page, cursor = repo.units.page(region, None, 100, cursor)
        found += page
        if not cursor:
            return found


def compliance_of(repo: WishRepository, region: str, year: int) -> Compliance:
    """Every unit of the region subtree with its activities in the year, against its kind's quota."""
    held: dict[str, int] = {}
    for activity in repo.activities.in_region(region, f"{year:04d}-01-01", f"{year:04d}-12-31"):
        held[activity.unit_id] = held.get(activity.unit_id, 0) + 1
    quota_of = quotas()
    items = []
    for unit in _all_units(repo, region):
        quota = quota_of.get(unit.kind.value, 0)
        count = held.get(unit.id, 0)
        status: Literal["below", "met", "no_quota"] = "no_quota" if quota == 0 else "met" if count >= quota else "below"
        items.append(
            ComplianceEntry(
                unit_id=unit.id,
                name=unit.name,
                kind=unit.kind.value,
                region_code=unit.region_code,
                quota=quota,
                activities=count,
                status=status,
            )
        )
    items.sort(key=lambda e: ({"below": 0, "met": 1, "no_quota": 2}[e.status], e.region_code, e.name))
    return Compliance(
        region=region,
        year=year,
        items=items,
        below=sum(e.status == "below" for e in items),
        met=sum(e.status == "met" for e in items),
    )


def this_year() -> int:
    return clock.now().astimezone(CST).year


def compliance(
    caller: Caller, repo: WishRepository, settings: Settings, region: str | None, year: int | None
) -> Compliance:
    require_role(caller, "officer", "admin")
    scope = regions.normalize(region or caller.region or settings.home_region)
    if not caller.is_officer_for(scope):
        raise Forbidden("officers see the compliance of their own region")
    return compliance_of(repo, scope, year or this_year())


# ---------------------------------------------------------------- the reminder (scheduled)
@dataclass
class ReminderRun:
    year: int
    below: int = 0
    reminded: int = 0
    already: int = 0
    summaries: int = 0
    summaries_already: int = 0
    superiors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "year": self.year,
            "below": self.below,
            "reminded": self.reminded,
            "already": self.already,
            "summaries": self.summaries,
            "summaries_already": self.summaries_already,
        }


def _inbox_item(owner: str, event_key: str, title: str, body: str, now: str) -> dict[str, object]:
    notification = {
        "id": notification_id(now, event_key, owner),
        "wish_id": "",
        "event": "reminder",
        "title": title,
        "body": body,
        "created_at": now,
    }
    return {
        **keys.notification_key(owner, now, str(notification["id"])),
        "type": "inbox",
        "owner": owner,
        "read": False,
        **notification,
    }


def remind(repo: WishRepository, settings: Settings, year: int | None = None) -> ReminderRun:
    """Tell each unit below its quota (once per unit and year), and each superior federation unit the
    summary of its units below (once per region and year)."""
    year = year or this_year()
    run = ReminderRun(year=year)
    now = clock.now_iso()
    home = regions.normalize(settings.home_region)
    for entry in compliance_of(repo, home, year).items:
        if entry.status != "below":
            continue
        run.below += 1
        owners = [f"user#{m.sub}" for m in repo.units.members(entry.unit_id) if m.role == "admin"]
        if entry.kind == UnitKind.FEDERATION.value:
            owners.append(f"region#{entry.region_code}")  # a federation unit's officers
        title = f"{year}年圆梦“微心愿”活动提醒"
        body = (
            f"{entry.name}：今年已开展圆梦活动 {entry.activities} 次，"
            f"按要求每年应开展 {entry.quota} 次，请在年底前安排。"
        )
        event_key = f"quota/{entry.unit_id}/{year}"
        items = [_inbox_item(owner, event_key, title, body, now) for owner in owners]
        if repo.activities.notify_once(keys.reminded_marker_key(entry.unit_id, year), items):
            run.reminded += 1
        else:
            run.already += 1
        superior = regions.parent(entry.region_code) or entry.region_code
        run.superiors.setdefault(superior, []).append(entry.name)
    for superior, names in sorted(run.superiors.items()):
        title = f"{year}年圆梦活动未达标单位"
        body = f"辖区内尚未完成年度圆梦“微心愿”活动的单位（{len(names)} 个）：" + "、".join(sorted(names))
        owner = f"region#{superior}"
        item = _inbox_item(owner, f"quota-summary/{superior}/{year}", title, body, now)
        if repo.activities.notify_once(keys.summary_marker_key(superior, year), [item]):
            run.summaries += 1
        else:
            run.summaries_already += 1
    return run
