"""Activities and the yearly quota (issue 12 §2): units record activities; the compliance view of a region
and year equals a recount of the activities; the reminder tells each unit below quota, and the superior
federation unit, once per unit and year however often the schedule runs."""

from __future__ import annotations

from collections import Counter

from microwish.repository import WishRepository
from microwish.services import activities
from microwish.settings import Settings
from tests.support.harness import environment, person
from tests.support.people import CITY_OFFICER, FOREIGN_OFFICER, OFFICER, TOWNSHIP_OFFICER, open_wish

BRANCH_ADMIN = person("donor", "branch-secretary", name="王家村党支部书记")


def unit(api, name, kind, region, admins=(), as_=CITY_OFFICER):
    body = {"name": name, "kind": kind, "region_code": region, "admins": list(admins)}
    reply = api.post("/units", body, as_=as_)
    assert reply.status == 201, reply.text
    return reply.json


def activity(api, unit_id, day="2026-06-01", as_=OFFICER, **changes):
    body = {"title": "六一爱心妈妈进校园", "day": day, "participants": 30, "summary": "为留守儿童送去书包", **changes}
    reply = api.post(f"/units/{unit_id}/activities", body, as_=as_)
    assert reply.status == 201, reply.text
    return reply.json


def test_units_record_activities_and_only_their_admins_or_officers_may(api):
    branch = unit(api, "王家村党支部", "party_branch", "431222250201", admins=[BRANCH_ADMIN["sub"]])
    other = unit(api, "洪江市妇联", "federation", "431281")
    wish = open_wish(api)
    made = activity(api, branch["id"], as_=BRANCH_ADMIN, wish_ids=[wish["id"]])
    assert made["unit_name"] == "王家村党支部" and made["wish_ids"] == [wish["id"]]
    assert [a["id"] for a in api.get(f"/units/{branch['id']}/activities", as_=BRANCH_ADMIN).json] == [made["id"]]
    body = {"title": "走访", "day": "2026-06-01"}
    assert api.post(f"/units/{other['id']}/activities", body, as_=BRANCH_ADMIN).status == 403
    assert api.post(f"/units/{other['id']}/activities", body, as_=OFFICER).status == 403  # another county's
    assert api.post("/units/" + "0" * 32 + "/activities", body, as_=OFFICER).status == 404
    for bad, field in (
        ({**body, "wish_ids": ["0" * 32]}, "wish_ids.0"),
        ({**body, "day": "2026-13-01"}, "day"),
        ({**body, "summary": "联系电话13800000000"}, "summary"),
        ({**body, "campaign_id": "0" * 32}, "campaign_id"),
        ({**body, "participants": -1}, "participants"),
    ):
        reply = api.post(f"/units/{branch['id']}/activities", bad, as_=OFFICER)
        assert reply.status == 422 and field in [e["field"] for e in reply.json["errors"]], reply.text


def test_compliance_of_a_region_and_year_equals_a_recount(api, table):
    county = unit(api, "沅陵县妇联", "federation", "431222")
    township = unit(api, "马底驿乡妇联", "federation", "431222250")
    branch = unit(api, "王家村党支部", "party_branch", "431222250201")
    partner = unit(api, "沅陵县志愿者协会", "volunteer_association", "431222")
    elsewhere = unit(api, "洪江市妇联", "federation", "431281")
    activity(api, county["id"], day="2026-03-08")
    activity(api, county["id"], day="2026-06-01")
    activity(api, branch["id"], day="2025-12-31")  # last year: not this year's
    activity(api, partner["id"], day="2026-05-05")
    activity(api, elsewhere["id"], day="2026-05-05", as_=CITY_OFFICER)

    reply = api.get("/compliance", as_=OFFICER, query={"year": 2026})
    assert reply.status == 200, reply.text
    view = {e["unit_id"]: (e["quota"], e["activities"], e["status"]) for e in reply.json["items"]}
    assert view == {
        county["id"]: (1, 2, "met"),
        township["id"]: (1, 0, "below"),
        branch["id"]: (1, 0, "below"),
        partner["id"]: (0, 1, "no_quota"),
    }
    assert (reply.json["below"], reply.json["met"]) == (2, 1)
    assert reply.json["items"][0]["status"] == "below"  # below first
    # The recount: every activity item of the table, counted by unit and year
    recount = Counter(
        (item["unit_id"]["S"], item["day"]["S"][:4])
        for item in table_items(table)
        if item.get("type", {}).get("S") == "activity"
    )
    for unit_id, (_, held, _) in view.items():
        assert held == recount[(unit_id, "2026")]
    township_view = api.get("/compliance", as_=TOWNSHIP_OFFICER, query={"year": 2026}).json
    assert {e["unit_id"] for e in township_view["items"]} == {township["id"], branch["id"]}
    assert api.get("/compliance", as_=OFFICER, query={"year": 2025}).json["met"] == 1  # the branch, in 2025
    assert api.get("/compliance", as_=FOREIGN_OFFICER, query={"region": "431222"}).status == 403
    assert api.get("/compliance", as_=OFFICER, query={"year": 1999}).status == 422
    assert api.get("/compliance", as_=person("donor", "d")).status == 403


def table_items(table):
    import boto3

    client = boto3.client("dynamodb")
    items, start = [], None
    while True:  # a test's recount may Scan; the service never does
        page = client.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def test_the_reminder_tells_each_unit_below_quota_once_a_year_however_often_it_runs(api, stack):
    unit(api, "马底驿乡妇联", "federation", "431222250", admins=["township-chair"])
    unit(api, "王家村党支部", "party_branch", "431222250201", admins=[BRANCH_ADMIN["sub"]])
    met = unit(api, "沅陵县妇联", "federation", "431222")
    unit(api, "沅陵县志愿者协会", "volunteer_association", "431222")  # a partner owes nothing
    activity(api, met["id"], day="2026-06-01")
    env = stack.functions["QuotaReminderFunction"].env
    with environment(env):
        repo = WishRepository(stack.outputs["WishTableName"])
        settings = Settings.from_env({k: str(v) for k, v in env.items()})
        first = activities.remind(repo, settings, 2026).as_dict()
        second = activities.remind(repo, settings, 2026).as_dict()
        assert (first["below"], first["reminded"], first["summaries"]) == (2, 2, 2)
        assert (second["reminded"], second["already"], second["summaries"], second["summaries_already"]) == (0, 2, 0, 2)
    inbox = api.get("/me/notifications", as_=BRANCH_ADMIN).json["items"]
    assert [n["event"] for n in inbox] == ["reminder"] and "王家村党支部" in inbox[0]["body"]
    # The superior federation units (the township's for the branch, the county's for the township) get the summary
    township_inbox = api.get("/me/notifications", as_=TOWNSHIP_OFFICER).json["items"]
    assert any("王家村党支部" in n["body"] and "未达标" in n["title"] for n in township_inbox)
    county_inbox = api.get("/me/notifications", as_=OFFICER).json["items"]
    assert any("马底驿乡妇联" in n["body"] for n in county_inbox)
    # Through the scheduled function itself, as the schedule runs it: nothing more
    result = api.invoke("QuotaReminderFunction", {"trigger": "schedule"})
    assert result["reminded"] == 0 and result["summaries"] == 0
    assert len(api.get("/me/notifications", as_=BRANCH_ADMIN).json["items"]) == 1
