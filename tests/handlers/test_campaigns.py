"""Campaigns (专场): validation, joining at submission and at review, matching within its cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import person
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    RESIDENT,
    all_items,
    submit,
)
from tests.support.stats_feed import count_all

SPONSOR = person("donor", "sponsor-1", name="怀化市女企业家协会")


def iso(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def campaign_body(**changes):
    body = {
        "name": "六一 留守儿童专场",
        "description": "爱心妈妈圆梦留守儿童",
        "region_code": "431222",
        "starts_at": iso(-1),
        "ends_at": iso(30),
        "groups": ["left_behind_children"],
        "categories": ["study", "goods"],
    }
    body.update(changes)
    return body


def create(api, as_=ADMIN, **changes):
    reply = api.post("/campaigns", campaign_body(**changes), as_=as_)
    assert reply.status == 201, reply.text
    return reply.json


def child_wish(**changes):
    return {"groups": ["left_behind_children"], "category": "study", **changes}


def test_a_campaign_is_created_listed_and_shown(api):
    made = create(api, as_=OFFICER)
    assert made["region_name"] == "怀化市沅陵县" and made["active"] is True
    body = campaign_body()
    again = api.post("/campaigns", body, as_=ADMIN, headers={"idempotency-key": "k1"})
    same = api.post("/campaigns", body, as_=ADMIN, headers={"idempotency-key": "k1"})
    assert again.status == same.status == 201 and again.json["id"] == same.json["id"]
    listed = api.get("/campaigns", query={"region": "431222250"}).json["items"]
    assert {made["id"], again.json["id"]} <= {c["id"] for c in listed}
    assert api.get("/campaigns", query={"region": "431281"}).json["items"] == []  # 洪江市: elsewhere
    assert api.get("/campaigns", query={"active": "false"}).json["items"] == []
    shown = api.get(f"/campaigns/{made['id']}")
    assert shown.status == 200 and shown.json["progress"]["wishes"] == 0
    assert api.get("/campaigns/" + "f" * 32).status == 404
    assert api.get("/campaigns/nope").status == 404


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": ""}, "name"),
        ({"region_code": "43x"}, "region_code"),
        ({"region_code": "431222250201"}, "region_code"),  # a village
        ({"ends_at": iso(-2)}, "ends_at"),
        ({"groups": ["nobody"]}, "groups.0"),
        ({"categories": ["goods", "goods"]}, "categories"),
        ({"matching": {"sponsor_id": "s", "sponsor_name": "S", "cap_fen": 0}}, "matching.cap_fen"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ],
)
def test_bad_campaigns_are_named(api, changes, field):
    reply = api.post("/campaigns", campaign_body(**changes), as_=ADMIN)
    assert reply.status == 422, reply.text
    assert field in [error["field"] for error in reply.json["errors"]]


def test_only_admins_and_officers_of_the_region_create_campaigns(api):
    assert api.post("/campaigns", campaign_body()).status == 401
    assert api.post("/campaigns", campaign_body(), as_=DONOR).status == 403
    assert api.post("/campaigns", campaign_body(), as_=FOREIGN_OFFICER).status == 403
    assert api.post("/campaigns", campaign_body(region_code="4312"), as_=OFFICER).status == 403  # above them
    assert api.post("/campaigns", campaign_body(region_code="4312"), as_=CITY_OFFICER).status == 201


def test_wishes_join_a_running_campaign_that_fits(api):
    running = create(api)
    later = create(api, starts_at=iso(5), ends_at=iso(9))
    elsewhere = create(api, region_code="431281")
    joined = submit(api, campaign_id=running["id"], **child_wish())
    assert joined["campaign_id"] == running["id"]
    for campaign_id, changes in (
        (later["id"], {}),
        (elsewhere["id"], {}),
        ("f" * 32, {}),
        ("nope", {}),
        (running["id"], {"groups": ["elderly_alone"]}),
        (running["id"], {"category": "yard"}),
    ):
        reply = api.post("/wishes", {**_wish(), **child_wish(), **changes, "campaign_id": campaign_id}, as_=RESIDENT)
        assert reply.status == 422, reply.text
        assert [error["field"] for error in reply.json["errors"]] == ["campaign_id"]
    # at review
    plain = submit(api, **child_wish())
    reply = api.post(
        f"/wishes/{plain['id']}/review", {"decision": "approve", "campaign_id": running["id"]}, as_=OFFICER
    )
    assert reply.status == 200 and reply.json["campaign_id"] == running["id"]
    listed = api.get("/wishes", query={"campaign": running["id"], "region": "431222"}).json["items"]
    assert [wish["id"] for wish in listed] == [plain["id"]]
    wrong = submit(api, groups=["elderly_alone"], category="care")
    reply = api.post(
        f"/wishes/{wrong['id']}/review", {"decision": "approve", "campaign_id": running["id"]}, as_=OFFICER
    )
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "campaign_id"


def _wish():
    from tests.support.people import WISH

    return dict(WISH)


def _matched_campaign(api, cap):
    campaign = create(api, matching={"sponsor_id": SPONSOR["sub"], "sponsor_name": SPONSOR["name"], "cap_fen": cap})
    accepted = api.post(f"/campaigns/{campaign['id']}/matching/acceptance", as_=SPONSOR)  # binds the sponsor
    assert accepted.status == 200, accepted.text
    return accepted.json


def _pooled(api, campaign, target=100_000, as_=RESIDENT):
    wish = submit(api, as_=as_, campaign_id=campaign["id"], target_fen=target, **child_wish())
    reply = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    assert reply.status == 200, reply.text
    return reply.json


def _claims(api, wish):
    return api.get(f"/wishes/{wish['id']}", as_=CITY_OFFICER).json["claims"]


def test_pledges_are_matched_one_to_one_and_never_past_the_cap(api, table):
    campaign = _matched_campaign(api, cap=50_000)
    first = _pooled(api, campaign)
    assert api.post(f"/wishes/{first['id']}/claims", {"amount_fen": 20_000}, as_=DONOR).status == 201
    view = api.get(f"/wishes/{first['id']}").json
    assert view["pledged_fen"] == 40_000
    matched = [c for c in _claims(api, first) if c["donor_id"] == SPONSOR["sub"]]
    assert [(c["amount_fen"], c["donor_kind"]) for c in matched] == [(20_000, "unit")]
    # what remains after the pledge bounds the match: 60,000 left, a pledge of 40,000 gets 20,000
    assert api.post(f"/wishes/{first['id']}/claims", {"amount_fen": 40_000}, as_=DONOR_2).status == 201
    view = api.get(f"/wishes/{first['id']}").json
    assert view["pledged_fen"] == 100_000 and view["status"] == "claimed"
    # the cap: 40,000 matched so far, 10,000 left
    second = _pooled(api, campaign)
    api.post(f"/wishes/{second['id']}/claims", {"amount_fen": 30_000}, as_=DONOR)
    assert api.get(f"/wishes/{second['id']}").json["pledged_fen"] == 40_000
    api.post(f"/wishes/{second['id']}/claims", {"amount_fen": 10_000}, as_=DONOR_2)
    assert api.get(f"/wishes/{second['id']}").json["pledged_fen"] == 50_000  # nothing left to match
    shown = api.get(f"/campaigns/{campaign['id']}").json
    assert shown["progress"]["matched_fen"] == 50_000 == shown["progress"]["cap_fen"]
    # withdrawing a matched pledge takes its match along and gives the cap back
    mine = next(c for c in _claims(api, second) if c["donor_id"] == "donor-1")
    assert api.delete(f"/claims/{mine['id']}", as_=DONOR).status == 204
    assert api.get(f"/wishes/{second['id']}").json["pledged_fen"] == 10_000
    assert api.get(f"/campaigns/{campaign['id']}").json["progress"]["matched_fen"] == 40_000
    stored = [item for item in all_items(table) if item["SK"]["S"] == "CAMPAIGN"]
    assert all(int(item["matched_fen"]["N"]) <= 50_000 for item in stored)


def test_nobody_is_matched_on_their_own_wish_nor_the_sponsor_on_their_own_pledge(api):
    campaign = _matched_campaign(api, cap=1_000_000)
    wish = _pooled(api, campaign)
    api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": 10_000}, as_=SPONSOR)
    assert api.get(f"/wishes/{wish['id']}").json["pledged_fen"] == 10_000
    # a donor who submitted the wish (an account with both hats) is not matched on it
    both = person("donor", "resident-1", name="王家村妇联主席")
    api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": 10_000}, as_=both)
    assert api.get(f"/wishes/{wish['id']}").json["pledged_fen"] == 20_000
    assert api.get(f"/campaigns/{campaign['id']}").json["progress"]["matched_fen"] == 0


def test_campaign_progress_comes_from_the_counters(api, table):
    campaign = _matched_campaign(api, cap=100_000)
    wish = _pooled(api, campaign, target=40_000)
    api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": 20_000}, as_=DONOR)
    api.post(f"/wishes/{wish['id']}/delivery", {"note": "书包已送到"}, as_=OFFICER)
    api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER)
    count_all(api, table)
    progress = api.get(f"/campaigns/{campaign['id']}").json["progress"]
    assert progress == {
        "wishes": 1,
        "open": 0,
        "fulfilled": 1,
        "value_fen": 40_000,
        "donors": 2,
        "matched_fen": 20_000,
        "cap_fen": 100_000,
    }
