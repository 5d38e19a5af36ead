"""Recognition (issue 12 §4): for a region and year, the people and units who made wishes come true, ranked —
a reference for awards (三八红旗手, 巾帼文明岗) — and funds raised outside the platform, shown apart.

- wishes and value: the leaderboard's monthly items, kept by the stream consumer from the audit trail
  (services/stats.py, recount-exact: one marker per event), the year's twelve months summed;
- activities held, volunteer hours (people's; a unit's: its volunteers' on the work wishes it held) and the
  wishes fulfilled in a unit's activities (with their value, once each even when the unit also claimed them):
  the recognition counters the stream consumer keeps (services/recognition_counts.py, recount-exact), one
  Query of the region's year; honours: the registry's;
- funds raised outside the platform (a giving day on an online charity platform): recorded by an officer
  with their source (POST /external-funds), listed and totalled apart, never added to wishes or value.
For officers of the region and admins: it names people.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .. import clock, once, regions
from ..auth import Caller, require_role
from ..errors import Forbidden, InvalidInput
from ..models.recognition import (
    ExternalFunds,
    ExternalFundsRequest,
    ExternalFundsTotal,
    RankedPerson,
    RankedUnit,
    Recognition,
)
from ..repository import WishRepository
from ..settings import Settings
from . import acting, recognition_counts
from .activities import _all_units, this_year
from .ledger import _cell as cell

BOM = "\ufeff"


def record_external_funds(caller: Caller, request: ExternalFundsRequest, repo: WishRepository) -> ExternalFunds:
    require_role(caller, "officer", "admin")
    region = regions.normalize(request.region_code)
    if not caller.is_officer_for(region):
        raise Forbidden("officers record the funds of their own region")
    if request.campaign_id and repo.campaigns.get(request.campaign_id) is None:
        raise InvalidInput("campaign_id", "is not a campaign")
    funds = ExternalFunds(
        id=once.new_uuid("external-funds"),
        region_code=region,
        source=request.source,
        day=request.day.isoformat(),
        amount_fen=request.amount_fen,
        donors=request.donors,
        campaign_id=request.campaign_id,
        note=request.note,
        recorded_by=caller.sub or "",
        recorded_at=clock.now_iso(),
    )
    repo.external_funds.record(funds)
    return funds


def recognition(
    caller: Caller, repo: WishRepository, settings: Settings, region: str | None, year: int | None, limit: int = 100
) -> Recognition:
    require_role(caller, "officer", "admin")
    scope = regions.normalize(region or caller.region or settings.home_region)
    if not caller.is_officer_for(scope):
        raise Forbidden("officers see the recognition of their own region")
    year = year or this_year()
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    figures_scope = regions.prefix_at(scope, "township") if regions.level_of(scope) == "village" else scope
    donors: dict[tuple[str, str], dict[str, Any]] = {}
    for month in range(1, 13):
        for item in repo.stats.leaderboard(figures_scope, f"{year:04d}-{month:02d}"):
            entry = donors.setdefault(
                (str(item.get("kind") or "individual"), item["donor_id"]),
                {"wishes": 0, "value_fen": 0, "name": "", "ref": item.get("donor_ref") or ""},
            )
            entry["wishes"] += int(item.get("fulfilled", 0))
            entry["value_fen"] += int(item.get("value_fen", 0))
            entry["name"] = item.get("display_name") or item.get("name") or entry["name"]

    counted_units, counted_people = recognition_counts.figures(repo, figures_scope, year)
    people: dict[str, dict[str, Any]] = {}
    for (kind, donor_id), entry in donors.items():
        if kind != "unit":
            people[donor_id] = {**entry, "hours": 0.0}
    for sub, row in counted_people.items():
        if int(row.get("minutes", 0)) <= 0:
            continue
        person = people.setdefault(
            sub, {"wishes": 0, "value_fen": 0, "name": row.get("name") or "志愿者", "hours": 0.0}
        )
        person["hours"] += int(row["minutes"]) / 60
    ranked_people = sorted(people.items(), key=lambda p: (-p[1]["wishes"], -p[1]["value_fen"], -p[1]["hours"], p[0]))

    unit_rows: dict[str, dict[str, Any]] = {}
    for unit in _all_units(repo, scope):
        figures = donors.get(("unit", unit.donor_id), {})
        counted = counted_units.get(unit.id, {})
        unit_rows[unit.donor_id] = {
            "unit_id": unit.id,
            "name": unit.name,
            "kind": unit.kind.value,
            # its claims (the leaderboard) and the wishes fulfilled in its activities it did not claim itself
            "wishes": figures.get("wishes", 0) + int(counted.get("act_wishes", 0)),
            "value_fen": figures.get("value_fen", 0) + int(counted.get("act_value_fen", 0)),
            "activities": int(counted.get("activities", 0)),
            "volunteer_hours": round(int(counted.get("minutes", 0)) / 60, 2),
            "honours": list(unit.honours),
        }
    for (kind, donor_id), entry in donors.items():  # units known from the leaderboard only
        if kind == "unit" and donor_id not in unit_rows and acting.unit_id_of(donor_id) is None:
            unit_rows[donor_id] = {
                "unit_id": None,
                "name": entry["name"] or "爱心单位",
                "kind": None,
                "wishes": entry["wishes"],
                "value_fen": entry["value_fen"],
                "activities": 0,
                "honours": [],
            }
    ranked_units = sorted(
        unit_rows.items(), key=lambda u: (-u[1]["wishes"], -u[1]["value_fen"], -u[1]["activities"], u[1]["name"])
    )
    funds = repo.external_funds.in_region(scope, first, last)
    return Recognition(
        region=scope,
        year=year,
        people=[
            RankedPerson(
                rank=index + 1,
                name=entry["name"] or "爱心人士",
                ref=sub,
                wishes=entry["wishes"],
                value_fen=entry["value_fen"],
                volunteer_hours=round(entry["hours"], 2),
            )
            for index, (sub, entry) in enumerate(ranked_people[:limit])
        ],
        units=[
            RankedUnit(rank=index + 1, donor_id=donor_id, **row)
            for index, (donor_id, row) in enumerate(ranked_units[:limit])
        ],
        external_funds=ExternalFundsTotal(
            amount_fen=sum(f.amount_fen for f in funds), donors=sum(f.donors for f in funds), items=funds
        ),
    )


def recognition_csv(view: Recognition) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["类别", "排名", "名称", "圆梦心愿（个）", "价值（元）", "活动（次）", "志愿时长（小时）", "荣誉"])
    for person in view.people:
        yuan = f"{person.value_fen / 100:.2f}"
        writer.writerow(
            ["个人", person.rank, cell(person.name), person.wishes, yuan, "", f"{person.volunteer_hours:g}", ""]
        )
    for unit in view.units:
        yuan = f"{unit.value_fen / 100:.2f}"
        honours = cell("、".join(unit.honours))
        hours = f"{unit.volunteer_hours:g}"
        writer.writerow(["单位", unit.rank, cell(unit.name), unit.wishes, yuan, unit.activities, hours, honours])
    writer.writerow([])
    writer.writerow(["站外筹款（不计入平台数据）", "日期", "来源", "捐款人次", "金额（元）"])
    for funds in view.external_funds.items:
        writer.writerow(["", funds.day, cell(funds.source), funds.donors, f"{funds.amount_fen / 100:.2f}"])
    return out.getvalue()
