"""People and a valid wish, shared by the handler tests (and the helpers that find what was stored)."""

from __future__ import annotations

import copy

import boto3

from tests.support.harness import person

RESIDENT = person("resident", "resident-1", name="王家村妇联主席")
OTHER_RESIDENT = person("resident", "resident-2")
VILLAGE = "431222250201"  # 王家村 (demo), 马底驿乡, 沅陵县
OFFICER = person("officer", "officer-yuanling", region="431222")  # 沅陵县妇联
TOWNSHIP_OFFICER = person("officer", "officer-madiyi", region="431222250")
CITY_OFFICER = person("officer", "officer-huaihua", region="4312")
FOREIGN_OFFICER = person("officer", "officer-hongjiang", region="431281")  # 洪江市: not 沅陵县
ADMIN = person("admin", "admin-1", region="4312")
DONOR = person("donor", "donor-1", name="怀化市公共资源交易中心")
DONOR_2 = person("donor", "donor-2", name="爱心人士")

PRIVATE = ("谢桂云", "13800000000", "王家村3组")

WISH = {
    "title": "一台电视机",
    "description": "罹患癌症在家休养，想有一台电视机看看外面的世界。",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": VILLAGE,
    "beneficiary": {"name": PRIVATE[0], "phone": PRIVATE[1], "address": PRIVATE[2]},
    "target_fen": 150000,
}


def wish_body(**changes):
    body = copy.deepcopy(WISH)
    body.update(changes)
    return body


def submit(api, as_=RESIDENT, **changes):
    reply = api.post("/wishes", wish_body(**changes), as_=as_)
    assert reply.status == 201, reply.text
    return reply.json


def open_wish(api, **changes):
    """A wish submitted and approved: on the public list."""
    wish = submit(api, **changes)
    review = {"decision": "approve"}
    if changes.get("mode"):
        review["mode"] = changes.pop("mode")
    reply = api.post(f"/wishes/{wish['id']}/review", review, as_=CITY_OFFICER)
    assert reply.status == 200, reply.text
    return reply.json


def fulfil(api, wish, claimer, body=None):
    """Claimed (with `body`, e.g. a unit_id), delivered and confirmed: fulfilled."""
    assert api.post(f"/wishes/{wish['id']}/claims", body or {}, as_=claimer).status == 201
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送到"}, as_=OFFICER).status == 200
    assert api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER).status == 200


def work_wish(api, places):
    """A yard wish (扫一院) on the public list that asks for `places` volunteers on 2026-12-12."""
    yard = open_wish(api, category="yard")
    needs = {"places": places, "day": "2026-12-12", "place": "马底驿乡政府", "hours": 3}
    assert api.request("PUT", f"/wishes/{yard['id']}/volunteering", json_body=needs, as_=OFFICER).status == 200
    return yard


def all_items(table_name):
    """Every item in the table: test-only inspection (never on a request path)."""
    client = boto3.client("dynamodb")
    items, start = [], None
    while True:
        page = client.scan(TableName=table_name, **({"ExclusiveStartKey": start} if start else {}))
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items
