"""Partner organizations collect wishes (征集, issue 12 §1): a member of a partner unit submits a wish on a
resident's behalf in the unit's region (`unit_id` on POST /wishes), guarded in the submission's own transaction
by the membership item; the wish shows which partner collected it to officers (and the submitter), never to the
public or donors; review stays with the federation."""

from __future__ import annotations

from tests.handlers.test_unit_registry import MEMBER, OUTSIDER, UNIT_ADMIN, create, with_member
from tests.support.people import ADMIN, CITY_OFFICER, DONOR, OFFICER, RESIDENT, VILLAGE, all_items, submit, wish_body

OUTSIDE_VILLAGE = "431221110201"  # 石宝村, 中方县: not in 沅陵县


def _collected(api, unit, as_=MEMBER, **changes):
    return api.post("/wishes", wish_body(unit_id=unit["id"], **changes), as_=as_)


def test_a_partners_member_collects_a_wish_officers_see_the_collector_the_public_and_donors_do_not(api):
    unit = create(api)
    with_member(api, unit)
    reply = _collected(api, unit)
    assert reply.status == 201, reply.text
    wish = reply.json
    collector = {"unit_id": unit["id"], "name": "沅陵县志愿者协会"}
    assert wish["view"] == "private" and wish["collected_by"] == collector
    assert wish["status"] == "submitted" and wish["region_code"] == VILLAGE
    # Officers of the region see who collected it, in the wish and in their queue's private reads.
    for officer in (OFFICER, CITY_OFFICER, ADMIN):
        seen = api.get(f"/wishes/{wish['id']}", as_=officer).json
        assert seen["view"] == "private" and seen["collected_by"] == collector
    # So does the member who collected it, on their own list (a donor by role, who typed it in).
    mine = api.get("/me/wishes", as_=MEMBER).json["items"]
    assert [(item["id"], item["collected_by"]) for item in mine] == [(wish["id"], collector)]
    assert api.get("/me/wishes", as_=UNIT_ADMIN).json["items"] == []  # the unit's other people did not submit it
    # Review stays with the federation: neither the collector nor the partner's admin reviews.
    for partner in (MEMBER, UNIT_ADMIN):
        refused = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=partner)
        assert refused.status == 403, refused.text
    assert api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=OFFICER).status == 200
    # Public, donors and the public list: no collector.
    for who in (None, DONOR, OUTSIDER):
        seen = api.get(f"/wishes/{wish['id']}", as_=who).json if who else api.get(f"/wishes/{wish['id']}").json
        assert seen["view"] == "public" and "collected_by" not in seen, seen
    listed = api.get("/wishes", query={"region": "431222"}).json["items"]
    assert [item["id"] for item in listed] == [wish["id"]] and "collected_by" not in listed[0]
    assert "志愿者协会" not in api.get(f"/wishes/{wish['id']}").text


def test_a_residents_own_wish_has_no_collector_and_donors_still_submit_nothing_alone(api):
    own = submit(api)
    assert own["collected_by"] is None
    assert api.get(f"/wishes/{own['id']}", as_=OFFICER).json["collected_by"] is None
    assert api.post("/wishes", wish_body(), as_=MEMBER).status == 403  # a donor without a unit: as before


def test_only_members_of_a_partner_of_the_villages_region_collect(api, table):
    unit = create(api)
    with_member(api, unit)
    federation = create(api, name="沅陵县妇联", kind="federation", admins=[MEMBER["sub"]])
    township_partner = create(api, name="马底驿乡爱心企业", kind="company", region_code="431222250")
    with_member(api, township_partner)
    for unit_id, field_error in (
        ("0" * 32, "unit_id"),  # no such unit
        ("not-a-unit", "unit_id"),
        (federation["id"], "unit_id"),  # a federation unit reviews wishes, it does not collect them
    ):
        reply = api.post("/wishes", wish_body(unit_id=unit_id), as_=MEMBER)
        assert reply.status == 422, reply.text
        assert reply.headers["Content-Type"].startswith("application/problem+json")
        assert [error["field"] for error in reply.json["errors"]] == [field_error]
    outside = _collected(api, unit, region_code=OUTSIDE_VILLAGE)
    assert outside.status == 422 and [e["field"] for e in outside.json["errors"]] == ["unit_id"]
    assert _collected(api, township_partner).status == 201  # 王家村 is in 马底驿乡
    # Not a member: 403, whatever the role.
    for who in (OUTSIDER, RESIDENT, OFFICER):
        assert _collected(api, unit, as_=who).status == 403, who
    assert _collected(api, unit, as_=None).status == 401
    assert api.post("/wishes", wish_body(unit_id=""), as_=MEMBER).status == 422
    # Only the township partner's wish was written.
    wishes = [item for item in all_items(table) if item["SK"]["S"] == "WISH"]
    assert [item["collected_by"]["M"]["unit_id"]["S"] for item in wishes] == [township_partner["id"]]


def test_a_member_removed_between_the_check_and_the_write_submits_nothing(api, table, monkeypatch):
    """The membership is a guard of the submission's own transaction, not only a read before it."""
    from microwish.services import units as unit_service

    unit = create(api)
    with_member(api, unit)
    checked = unit_service.require_member_of

    def check_then_removed(caller, unit_id, repo):
        found = checked(caller, unit_id, repo)
        repo.units.remove_member(unit_id, caller.sub)  # removed by its admin meanwhile
        return found

    monkeypatch.setattr(unit_service, "require_member_of", check_then_removed)
    reply = _collected(api, unit)
    assert reply.status == 403, reply.text
    written = [item for item in all_items(table) if item["PK"]["S"].startswith("WISH#")]
    assert written == []


def test_a_keyed_collection_replays_its_answer_to_the_collector(api, table):
    unit = create(api)
    with_member(api, unit)
    headers = {"idempotency-key": "collect-1"}
    first = api.post("/wishes", wish_body(unit_id=unit["id"]), as_=MEMBER, headers=headers)
    again = api.post("/wishes", wish_body(unit_id=unit["id"]), as_=MEMBER, headers=headers)
    assert first.status == again.status == 201 and first.json["id"] == again.json["id"]
    assert again.json["view"] == "private" and again.json["collected_by"]["unit_id"] == unit["id"]
    assert len([item for item in all_items(table) if item["SK"]["S"] == "WISH"]) == 1
