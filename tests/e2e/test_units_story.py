"""Issue 12's "done when" on the local runtime (`make run`) with its demo data, over HTTP only.

A county officer of Huaihua (沅陵县) sees which branches have not held their activity this year, picks the
volunteer association from the registry and dispatches a yard wish (扫一院) to it; a member of the association
sees the offer and accepts it; the association's members fill the wish's places (the extras refused), the chair
checks them in (nobody checks themselves in), the work is confirmed and the hours are recorded and exported; an
activity is recorded; the quota reminder runs twice and tells each unit once; the recognition figures show the
year's leaders as the story left them. Then a partner's member collects a wish (征集) for a resident: the
officer sees who collected it, a donor and the public do not.

The runtime is shared by the e2e session (other tests may have run the schedules already): the assertions are
on this story's own units, people and wishes, and on counts that hold whatever ran before.
"""

from __future__ import annotations

import csv
import io
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.people import VILLAGE

pytestmark = pytest.mark.e2e

COUNTY = "431222"  # 沅陵县
TOWNSHIP = "431222250"  # 马底驿乡
REMINDER = "QuotaReminderFunctionRemind"  # the template's QuotaReminderFunction schedule, as the runtime names it
YARD = {
    "title": "帮忙清理院子、劈柴",
    "description": "独居老人，院子里堆满杂物，冬天的柴也还没劈，想请志愿者帮忙（扫一院）。",
    "category": "yard",
    "groups": ["elderly_alone"],
    "region_code": VILLAGE,
    "target_fen": 0,
    "beneficiary": {"name": "舒秋兰", "phone": "13800000031", "address": "王家村六组"},
}
COLLECTED = {
    "title": "一床厚棉被",
    "description": "独居老人，家里的棉被旧了，冬天很冷，想要一床厚棉被。",
    "category": "goods",
    "groups": ["elderly_alone"],
    "region_code": VILLAGE,
    "target_fen": 30_000,
    "beneficiary": {"name": "田冬梅", "phone": "13800000032", "address": "王家村二组"},
}


def ok(response, status: int = 200):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    return response.json() if response.content else None


def run_reminder(runtime) -> dict:
    runs = ok(runtime.post("/dev/schedules/run", json={"schedule": REMINDER}))["runs"]
    assert [run["ok"] for run in runs] == [True], runs
    return runs[0]["result"]


def reminders(runtime, token: str, title_part: str) -> list[dict]:
    inbox = ok(runtime.get("/me/notifications", params={"limit": 100}, token=token))["items"]
    return [item for item in inbox if item["event"] == "reminder" and title_part in item["title"]]


def by_name(items: list[dict]) -> dict[str, dict]:
    return {item["name"]: item for item in items}


def association_of(runtime, officer: str) -> dict:
    """The demo's volunteer association, picked from the registry by region and kind as the dispatch form does."""
    registry = ok(runtime.get("/units", params={"region": COUNTY, "kind": "volunteer_association"}, token=officer))
    assert all(unit["kind"] == "volunteer_association" for unit in registry["items"]), registry
    assert all(unit["region_code"].startswith(COUNTY) for unit in registry["items"]), registry
    return next(unit for unit in registry["items"] if unit["name"] == "沅陵县志愿者协会")


def eventually(read, check, timeout_s: float = 60.0):
    """read() until check(value) holds (the stream consumer counts after the change commits)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if check(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_county_dispatches_volunteers_fill_a_yard_wish_and_the_year_is_recognised(runtime):
    officer = runtime.token("officer", "units-story-officer", region=COUNTY, name="沅陵县妇联")
    township_officer = runtime.token("officer", "units-story-madiyi", region=TOWNSHIP, name="马底驿乡妇联")
    village_officer = runtime.token("officer", "units-story-wangjia", region=VILLAGE, name="王家村妇联")
    worker = runtime.token("resident", "units-story-worker", name="王家村妇联主席")
    chair = runtime.token("donor", "demo-volunteer-chair", name="沅陵县志愿者协会会长")  # the demo's chair
    outsider = runtime.token("donor", "units-story-outsider", name="爱心人士")
    names = ["志愿者田芳", "志愿者杨勇", "志愿者向丽", "志愿者舒军", "志愿者张敏"]
    volunteer_subs = [f"units-story-volunteer-{n}" for n in range(len(names))]
    volunteers = [runtime.token("donor", sub, name=name) for sub, name in zip(volunteer_subs, names, strict=True)]

    # 1. The county officer's compliance view: the demo's branches that held no activity this year.
    compliance = ok(runtime.get("/compliance", token=officer))
    year = compliance["year"]
    assert compliance["region"] == COUNTY
    units_seen = by_name(compliance["items"])
    for below in ("王家村党支部", "王家村妇联", "马底驿乡妇联"):
        assert (units_seen[below]["status"], units_seen[below]["activities"]) == ("below", 0), units_seen[below]
    assert units_seen["沅陵县妇联"]["status"] == "met"  # the demo's 三八节 visit
    assert units_seen["沅陵县志愿者协会"]["status"] == "no_quota"  # partners owe none
    assert "怀化市妇联" not in units_seen  # the city's unit is above the county
    statuses = [item["status"] for item in compliance["items"]]
    assert statuses == sorted(statuses, key=["below", "met", "no_quota"].index)  # below first
    assert compliance["below"] == statuses.count("below") and compliance["met"] == statuses.count("met")
    assert runtime.get("/compliance", token=chair).status_code == 403  # officers only

    # 2. A yard wish, approved, dispatched to a unit picked from the registry (region and kind).
    yard = ok(runtime.post("/wishes", json=YARD, token=worker), 201)
    ok(runtime.post(f"/wishes/{yard['id']}/review", json={"decision": "approve", "mode": "sole"}, token=officer))
    association = association_of(runtime, officer)
    assert association["id"] and association["donor_id"] == f"unit:{association['id']}"
    unit_path = f"/units/{association['id']}"
    before = ok(runtime.get("/recognition", params={"year": year}, token=officer))
    wishes_before = by_name(before["units"])["沅陵县志愿者协会"]["wishes"]

    # the chair adds the members: the volunteers, one of whom (not an admin) answers the dispatch
    for sub in volunteer_subs:
        ok(runtime.post(f"{unit_path}/members", json={"sub": sub}, token=chair), 201)
    assert runtime.post(f"{unit_path}/members", json={"sub": volunteer_subs[0]}, token=chair).status_code == 409
    assert runtime.post(f"{unit_path}/members", json={"sub": "x"}, token=volunteers[0]).status_code == 403
    member = volunteers[0]

    dispatch = {"unit_id": association["id"], "note": "请协会组织志愿者"}
    assert ok(runtime.post(f"/wishes/{yard['id']}/assignment", json=dispatch, token=officer))["status"] == "assigned"
    offers = ok(runtime.get(f"{unit_path}/claims", token=member))["items"]
    offer = next(claim for claim in offers if claim["wish_id"] == yard["id"])
    assert (offer["status"], offer["donor_id"]) == ("offered", association["donor_id"])
    assert runtime.get(f"{unit_path}/claims", token=outsider).status_code == 403
    assert runtime.post(f"/wishes/{yard['id']}/assignment/accept", token=outsider).status_code == 404
    accepted = ok(runtime.post(f"/wishes/{yard['id']}/assignment/accept", token=member))
    assert accepted["status"] == "claimed"
    held = ok(runtime.get(f"{unit_path}/claims", token=member))["items"]
    assert [c["status"] for c in held if c["wish_id"] == yard["id"]] == ["active"]

    # 3. The work's needs; five sign up at once for three places: exactly three get one.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the work day, China time
    needs = {"places": 3, "day": today.isoformat(), "place": "王家村村委会集合", "skills": ["打扫"], "hours": 3}
    assert runtime.request("PUT", f"/wishes/{yard['id']}/volunteering", json=needs, token=chair).status_code == 403
    ok(runtime.request("PUT", f"/wishes/{yard['id']}/volunteering", json=needs, token=officer))
    with ThreadPoolExecutor(max_workers=len(volunteers)) as pool:
        replies = list(
            pool.map(lambda token: runtime.post(f"/wishes/{yard['id']}/volunteers", token=token), volunteers)
        )
    statuses = [reply.status_code for reply in replies]
    assert sorted(statuses) == [201, 201, 201, 409, 409], [reply.text for reply in replies]
    assert all(reply.json()["state"] == "full" for reply in replies if reply.status_code == 409)
    placed = [sub for sub, reply in zip(volunteer_subs, replies, strict=True) if reply.status_code == 201]
    public_needs = ok(runtime.get(f"/wishes/{yard['id']}/volunteering"))
    assert (public_needs["signed_up"], public_needs["remaining"]) == (3, 0)
    assert VILLAGE not in runtime.get(f"/wishes/{yard['id']}/volunteering").text  # township level in public

    # 4. The organizer (the association's chair) checks them in; a volunteer cannot check themselves in.
    first, *others = placed
    first_token = volunteers[volunteer_subs.index(first)]
    checkin = f"/wishes/{yard['id']}/volunteers/{first}/check-in"
    assert runtime.post(checkin, json={}, token=first_token).status_code == 403
    assert ok(runtime.post(checkin, json={"hours": 5}, token=chair))["hours"] == 5
    for sub in others:
        checked = ok(runtime.post(f"/wishes/{yard['id']}/volunteers/{sub}/check-in", json={}, token=chair))
        assert (checked["status"], checked["hours"]) == ("checked_in", 3)
    roll = ok(runtime.get(f"/wishes/{yard['id']}/volunteers", token=chair))["items"]
    assert sorted((s["volunteer_id"], s["status"], s["hours"]) for s in roll) == sorted(
        [(first, "checked_in", 5)] + [(sub, "checked_in", 3) for sub in others]
    )

    # 5. The work done (a member reports it), the officer confirms: fulfilled, no more signups.
    delivered = ok(
        runtime.post(f"/wishes/{yard['id']}/delivery", json={"note": "院子清理干净，柴已劈好"}, token=member)
    )
    assert delivered["status"] == "delivered"
    confirmed = ok(runtime.post(f"/wishes/{yard['id']}/confirmation", json={"accepted": True}, token=officer))
    assert confirmed["status"] == "fulfilled"
    late = runtime.post(f"/wishes/{yard['id']}/volunteers", token=outsider)
    assert late.status_code == 409 and late.json()["state"] == "closed", late.text  # not `full`: it is finished

    # 6. The hours: each volunteer's own, and the county's CSV (the refused are not in it).
    mine = ok(runtime.get("/me/volunteering", token=first_token))["items"]
    assert [(s["wish_id"], s["hours"]) for s in mine] == [(yard["id"], 5)]
    exported = runtime.get("/exports/volunteer-hours.csv", params={"region": COUNTY}, token=officer)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv"), exported.text
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    ours = sorted((row[3], row[4], row[6]) for row in rows[1:] if row[2] == YARD["title"])
    assert ours == sorted((sub, names[volunteer_subs.index(sub)], "5" if sub == first else "3") for sub in placed), rows
    assert runtime.get("/exports/volunteer-hours.csv", token=volunteers[0]).status_code == 403

    # 7. An activity of the village party branch, with the yard wish: the branch meets its quota.
    branch = units_seen["王家村党支部"]
    activity = {
        "title": "党员志愿服务日：扫一院",
        "day": today.isoformat(),
        "wish_ids": [yard["id"]],
        "participants": 3,
        "summary": "党支部组织志愿者为独居老人清理院子、劈柴",
    }
    assert runtime.post(f"/units/{branch['unit_id']}/activities", json=activity, token=chair).status_code == 403
    ok(runtime.post(f"/units/{branch['unit_id']}/activities", json=activity, token=officer), 201)
    listed = ok(runtime.get(f"/units/{branch['unit_id']}/activities", token=member))
    assert [(a["title"], a["wish_ids"]) for a in listed] == [(activity["title"], [yard["id"]])]

    # and a new party organ of the county, below quota, whose secretary will be reminded
    secretary_sub = "units-story-secretary"
    secretary = runtime.token("donor", secretary_sub, name="机关党支部书记")
    organ = ok(
        runtime.post(
            "/units",
            json={
                "name": "沅陵县妇联机关党支部",
                "kind": "party_organ",
                "region_code": COUNTY,
                "admins": [secretary_sub],
            },
            token=officer,
        ),
        201,
    )
    after = by_name(ok(runtime.get("/compliance", token=officer))["items"])
    assert (after["王家村党支部"]["status"], after["王家村党支部"]["activities"]) == ("met", 1)
    assert (after["沅陵县妇联机关党支部"]["status"], after["沅陵县妇联机关党支部"]["unit_id"]) == ("below", organ["id"])
    below_before = {name for name, item in units_seen.items() if item["status"] == "below"}
    below_after = {name for name, item in after.items() if item["status"] == "below"}
    assert (below_before - below_after, below_after - below_before) == ({"王家村党支部"}, {"沅陵县妇联机关党支部"})

    # 8. The quota reminder, run twice: each unit below is told once (the second run finds every marker).
    once = run_reminder(runtime)
    again = run_reminder(runtime)
    assert once["year"] == again["year"] == year
    assert once["reminded"] >= 1, once  # at least the new organ (the demo's may have been reminded earlier)
    assert once["below"] == once["reminded"] + once["already"]
    assert (again["below"], again["reminded"], again["already"]) == (once["below"], 0, once["below"]), again
    assert again["summaries"] == 0
    # This year's only: other e2e tests share the runtime and move its clock, so earlier years' reminders may be there.
    told = reminders(runtime, secretary, f"{year}年圆梦“微心愿”活动提醒")
    assert len(told) == 1 and "沅陵县妇联机关党支部" in told[0]["body"], told
    village_told = reminders(runtime, village_officer, f"{year}年圆梦“微心愿”活动提醒")  # a federation unit's officers
    assert len(village_told) == 1 and "王家村妇联" in village_told[0]["body"], village_told
    summaries = reminders(runtime, township_officer, f"{year}年圆梦活动未达标单位")  # the superior of 王家村妇联
    assert len(summaries) == 1 and "王家村妇联" in summaries[0]["body"], summaries
    assert reminders(runtime, chair, "活动提醒") == []  # the association owes no activity

    # 9. The year's recognition: the association's fulfilled wish, the branch's activity, the hours, ranked.
    def association_wishes(view: dict) -> int:
        return by_name(view["units"])["沅陵县志愿者协会"]["wishes"]

    def counted(view: dict) -> bool:
        # The stream consumer counts each event in its own time, the activity's maybe after the wish's
        # (a full run's shared runtime still has other tests' events in flight): wait for both.
        return (
            association_wishes(view) == wishes_before + 1 and by_name(view["units"])["王家村党支部"]["activities"] == 1
        )

    figures = eventually(lambda: ok(runtime.get("/recognition", params={"year": year}, token=officer)), counted)
    assert association_wishes(figures) == wishes_before + 1, figures["units"]
    units_ranked = by_name(figures["units"])
    assert units_ranked["王家村党支部"]["activities"] == 1
    assert units_ranked["沅陵县志愿者协会"]["honours"] == ["2025年度优秀志愿服务组织"]
    assert [u["rank"] for u in figures["units"]] == list(range(1, len(figures["units"]) + 1))
    unit_keys = [(-u["wishes"], -u["value_fen"], -u["activities"]) for u in figures["units"]]
    assert unit_keys == sorted(unit_keys)
    people = {person["ref"]: person for person in figures["people"]}
    assert {sub: people[sub]["volunteer_hours"] for sub in placed} == {
        sub: 5.0 if sub == first else 3.0 for sub in placed
    }
    assert not set(volunteer_subs) - set(placed) & set(people)  # the refused gave no hours
    person_keys = [(-p["wishes"], -p["value_fen"], -p["volunteer_hours"]) for p in figures["people"]]
    assert person_keys == sorted(person_keys)
    assert people[first]["rank"] < min(people[sub]["rank"] for sub in others)  # 5 hours before 3
    assert runtime.get("/recognition", token=chair).status_code == 403  # it names people: officers only
    assert association_of(runtime, officer)["wishes"] == association["wishes"] + 1  # the registry's list counts it

    # and every member heard of the dispatch in their inbox (the wish's public part, never the officer's note)
    def dispatch_notices(token: str) -> list[dict]:
        inbox = ok(runtime.get("/me/notifications", params={"limit": 100}, token=token))["items"]
        return [item for item in inbox if item["event"] == "assigned" and item["wish_id"] == yard["id"]]

    heard = eventually(lambda: dispatch_notices(volunteers[-1]), bool)
    assert len(heard) == 1 and YARD["title"] in heard[0]["title"] + heard[0]["body"], heard
    assert dispatch["note"] not in str(heard) and YARD["beneficiary"]["name"] not in str(heard)


def test_a_partner_collects_a_wish_which_only_the_officer_sees_it_collected(runtime):
    officer = runtime.token("officer", "units-collect-officer", region=COUNTY)
    chair = runtime.token("donor", "demo-volunteer-chair", name="沅陵县志愿者协会会长")
    collector_sub = "units-collect-member"
    collector = runtime.token("donor", collector_sub, name="志愿者彭霞")
    donor = runtime.token("donor", "units-collect-donor", name="爱心人士")
    association = association_of(runtime, officer)
    body = {**COLLECTED, "unit_id": association["id"]}
    assert runtime.post("/wishes", json=body, token=collector).status_code == 403  # not yet a member
    ok(runtime.post(f"/units/{association['id']}/members", json={"sub": collector_sub}, token=chair), 201)
    made = ok(runtime.post("/wishes", json=body, token=collector), 201)
    collected_by = {"unit_id": association["id"], "name": "沅陵县志愿者协会"}
    assert made["collected_by"] == collected_by and made["status"] == "submitted"

    # review stays with the federation: the partner's member cannot approve it
    review = {"decision": "approve", "mode": "sole"}
    assert runtime.post(f"/wishes/{made['id']}/review", json=review, token=collector).status_code == 403
    assert ok(runtime.get(f"/wishes/{made['id']}", token=officer))["collected_by"] == collected_by
    ok(runtime.post(f"/wishes/{made['id']}/review", json=review, token=officer))

    seen_by_officer = ok(runtime.get(f"/wishes/{made['id']}", token=officer))
    assert seen_by_officer["collected_by"] == collected_by
    for token in (donor, None):
        view = runtime.get(f"/wishes/{made['id']}", token=token)
        assert view.status_code == 200, view.text
        assert view.json().get("collected_by") is None and "collected_by" not in view.text
        assert COLLECTED["beneficiary"]["name"] not in view.text and association["id"] not in view.text
    listed = ok(runtime.get("/wishes", params={"region": TOWNSHIP, "limit": 100}))["items"]
    assert made["id"] in [wish["id"] for wish in listed] and "collected_by" not in str(listed)
