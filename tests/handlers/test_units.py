"""GET /units: besides the registry (tests/handlers/test_unit_registry.py), the units known from the
leaderboard — those that fulfilled wishes in her region by their own account — for officers only, in
their own region (issue 12 kept them, after the registry's, on the last page)."""

from __future__ import annotations

from tests.support.harness import person
from tests.support.people import (
    DONOR,
    FOREIGN_OFFICER,
    OFFICER,
    RESIDENT,
    TOWNSHIP_OFFICER,
    open_wish,
)
from tests.support.stats_feed import audit_items, feed, records_of

UNIT = {**person("donor", "unit-tongda", name="沅陵县通达物流公司"), "custom:donor_type": "unit"}


def fulfil_by_dispatch(api, unit):
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/assignment", {"donor_id": unit["sub"]}, as_=OFFICER).status == 200
    assert api.post(f"/wishes/{wish['id']}/assignment/accept", {}, as_=unit).status == 200
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送到"}, as_=unit).status == 200
    assert api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER).status == 200
    return wish


def test_officers_pick_from_the_units_that_fulfilled_wishes_in_their_region(api, table):
    assert api.get("/units", as_=OFFICER).json["items"] == []
    fulfil_by_dispatch(api, UNIT)
    fulfil_by_dispatch(api, UNIT)
    sole = open_wish(api)  # an individual donor's wish: not a unit, never listed
    assert api.post(f"/wishes/{sole['id']}/claims", {}, as_=DONOR).status == 201
    feed(api, records_of(audit_items(table)))

    county = api.get("/units", as_=OFFICER)
    assert county.status == 200, county.text
    assert county.json["region"] == "431222" and county.json["next_cursor"] is None
    assert [{key: u[key] for key in ("donor_id", "name", "wishes", "id", "kind")} for u in county.json["items"]] == [
        {"donor_id": UNIT["sub"], "name": "沅陵县通达物流公司", "wishes": 2, "id": None, "kind": None}
    ]
    township = api.get("/units", as_=TOWNSHIP_OFFICER).json
    assert township["region"] == "431222250" and [u["donor_id"] for u in township["items"]] == [UNIT["sub"]]
    village = api.get("/units", as_=person("officer", "officer-wangjia", region="431222250201")).json
    assert village["region"] == "431222250201"  # her region; the counts are her township's (figures stop there)
    assert [u["donor_id"] for u in village["items"]] == [UNIT["sub"]]
    assert api.get("/units", as_=FOREIGN_OFFICER).json["items"] == []  # another county's units only


def test_only_officers_get_the_list(api):
    assert api.get("/units").status == 401
    for who in (DONOR, UNIT, RESIDENT):
        assert api.get("/units", as_=who).status == 403
