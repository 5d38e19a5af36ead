"""The unit registry (issue 12 §1): officers of a region register units, units' admins manage members,
members claim, pledge and accept dispatches on their unit's behalf — each act guarded by the membership
item — and GET /units lists a region's registry by region and kind, never by Scan."""

from __future__ import annotations

from tests.support.harness import person
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    FOREIGN_OFFICER,
    OFFICER,
    RESIDENT,
    TOWNSHIP_OFFICER,
    open_wish,
    submit,
)
from tests.support.stats_feed import audit_items, feed, records_of

UNIT_ADMIN = person("donor", "donor-xiehui-admin", name="沅陵县志愿者协会会长")
MEMBER = person("donor", "donor-xiehui-1", name="志愿者甲")
OUTSIDER = person("donor", "donor-outsider", name="路人")
OTHER_ADMIN = person("donor", "donor-jinguo-admin", name="巾帼文明岗岗长")
CONTACT = {"name": "向联系", "phone": "13907450000"}


def create(api, as_=OFFICER, **changes):
    body = {
        "name": "沅陵县志愿者协会",
        "kind": "volunteer_association",
        "region_code": "431222",
        "contact": CONTACT,
        "honours": ["2025年度优秀志愿服务组织"],
        "admins": [UNIT_ADMIN["sub"]],
        **changes,
    }
    reply = api.post("/units", body, as_=as_)
    assert reply.status == 201, reply.text
    return reply.json


def with_member(api, unit, who=MEMBER):
    reply = api.post(f"/units/{unit['id']}/members", {"sub": who["sub"]}, as_=UNIT_ADMIN)
    assert reply.status == 201, reply.text


def test_officers_of_the_region_register_units_and_others_cannot(api):
    unit = create(api)
    assert unit["donor_id"] == f"unit:{unit['id']}" and unit["level"] == "county"
    assert unit["contact"] == CONTACT and unit["kind"] == "volunteer_association"
    village_unit = create(api, as_=TOWNSHIP_OFFICER, name="王家村妇联", kind="federation", region_code="431222250201")
    assert village_unit["level"] == "village"
    # An officer outside the region, and people who are not officers, register nothing there.
    assert api.post("/units", {**_body(), "region_code": "431222"}, as_=FOREIGN_OFFICER).status == 403
    assert api.post("/units", _body(), as_=TOWNSHIP_OFFICER).status == 403  # the county is above her township
    for who in (DONOR, RESIDENT, UNIT_ADMIN):
        assert api.post("/units", _body(), as_=who).status == 403
    assert api.post("/units", _body()).status == 401
    assert api.post("/units", _body(), as_=ADMIN).status == 201


def _body(**changes):
    return {"name": "某某单位", "kind": "company", "region_code": "431222", **changes}


def test_bad_input_is_a_problem_naming_the_field(api):
    for body, field in (
        (_body(kind="club"), "kind"),
        (_body(region_code="99"), "region_code"),
        (_body(name=""), "name"),
        (_body(contact={"name": "向", "phone": "123"}), "contact.phone"),
        (_body(surprise=1), "surprise"),
    ):
        reply = api.post("/units", body, as_=OFFICER)
        assert reply.status == 422, (body, reply.text)
        assert reply.headers["Content-Type"].startswith("application/problem+json")
        assert field in [error["field"] for error in reply.json["errors"]], reply.json
    assert api.get("/units", as_=OFFICER, query={"kind": "club"}).status == 422
    assert api.get("/units", as_=OFFICER, query={"region": "99"}).status == 422
    assert api.get("/units", as_=OFFICER, query={"cursor": "nonsense"}).status == 422


def test_the_contact_is_private(api):
    unit = create(api)
    with_member(api, unit)
    assert api.get(f"/units/{unit['id']}", as_=OFFICER).json["contact"] == CONTACT
    assert api.get(f"/units/{unit['id']}", as_=UNIT_ADMIN).json["contact"] == CONTACT
    for who in (MEMBER, OUTSIDER, RESIDENT, FOREIGN_OFFICER):
        reply = api.get(f"/units/{unit['id']}", as_=who)
        assert reply.status == 200 and reply.json["contact"] is None
        assert CONTACT["phone"] not in reply.text and CONTACT["name"] not in reply.text
    assert api.get(f"/units/{unit['id']}", as_=MEMBER).json["my_role"] == "member"
    assert api.get("/units/" + "0" * 32, as_=OFFICER).status == 404
    assert api.get("/units/not-an-id", as_=OFFICER).status == 404


def test_officers_of_the_region_edit_units_and_unit_admins_cannot_edit_another(api):
    unit = create(api)
    other = create(api, name="沅陵县巾帼文明岗", kind="civilised_post", admins=[OTHER_ADMIN["sub"]])
    reply = api.patch(
        f"/units/{unit['id']}", {"honours": ["三八红旗集体"], "name": "沅陵县青年志愿者协会"}, as_=OFFICER
    )
    assert reply.status == 200, reply.text
    assert reply.json["honours"] == ["三八红旗集体"] and reply.json["name"] == "沅陵县青年志愿者协会"
    assert api.patch(f"/units/{unit['id']}", {"name": "改名"}, as_=FOREIGN_OFFICER).status == 403
    assert api.patch(f"/units/{unit['id']}", {"name": "改名"}, as_=TOWNSHIP_OFFICER).status == 403  # county unit
    assert api.patch(f"/units/{other['id']}", {"name": "改名"}, as_=UNIT_ADMIN).status == 403
    # ... nor manage its members
    assert api.post(f"/units/{other['id']}/members", {"sub": MEMBER["sub"]}, as_=UNIT_ADMIN).status == 403
    assert api.delete(f"/units/{other['id']}/members/{OTHER_ADMIN['sub']}", as_=UNIT_ADMIN).status == 403
    assert api.get(f"/units/{other['id']}/members", as_=UNIT_ADMIN).status == 403
    assert api.get(f"/units/{other['id']}", as_=ADMIN).json["name"] == "沅陵县巾帼文明岗"  # unchanged
    assert api.patch(f"/units/{unit['id']}", {"name": ""}, as_=OFFICER).status == 422
    assert api.patch("/units/" + "0" * 32, {"name": "改名"}, as_=OFFICER).status == 404


def test_unit_admins_add_and_remove_members(api):
    unit = create(api)
    assert api.post(f"/units/{unit['id']}/members", {"sub": MEMBER["sub"]}, as_=MEMBER).status == 403
    with_member(api, unit)
    assert api.post(f"/units/{unit['id']}/members", {"sub": MEMBER["sub"]}, as_=UNIT_ADMIN).status == 409
    assert api.post(f"/units/{unit['id']}/members", {"sub": OUTSIDER["sub"]}, as_=MEMBER).status == 403  # not admin
    members = api.get(f"/units/{unit['id']}/members", as_=UNIT_ADMIN).json["items"]
    assert {(m["sub"], m["role"]) for m in members} == {(UNIT_ADMIN["sub"], "admin"), (MEMBER["sub"], "member")}
    assert [u["id"] for u in api.get("/me/units", as_=MEMBER).json] == [unit["id"]]
    assert api.delete(f"/units/{unit['id']}/members/{MEMBER['sub']}", as_=UNIT_ADMIN).status == 204
    assert api.delete(f"/units/{unit['id']}/members/{MEMBER['sub']}", as_=UNIT_ADMIN).status == 404
    assert api.get("/me/units", as_=MEMBER).json == []
    # The officers of its region manage members too
    assert (
        api.post(f"/units/{unit['id']}/members", {"sub": OUTSIDER["sub"], "role": "admin"}, as_=OFFICER).status == 201
    )
    assert api.post(f"/units/{unit['id']}/members", {"sub": MEMBER["sub"], "role": "boss"}, as_=OFFICER).status == 422


def test_list_by_region_and_kind(api):
    county = create(api)
    township = create(api, name="马底驿乡妇联", kind="federation", region_code="431222250")
    village = create(api, as_=CITY_OFFICER, name="王家村党支部", kind="party_branch", region_code="431222250201")
    city = create(api, as_=CITY_OFFICER, name="怀化市妇联", kind="federation", region_code="4312")
    elsewhere = create(api, as_=CITY_OFFICER, name="洪江市爱心企业", kind="company", region_code="431281")

    def ids(reply):
        assert reply.status == 200, reply.text
        return [unit["id"] for unit in reply.json["items"]]

    assert set(ids(api.get("/units", as_=OFFICER))) == {county["id"], township["id"], village["id"]}
    assert set(ids(api.get("/units", as_=CITY_OFFICER))) == {
        county["id"],
        township["id"],
        village["id"],
        city["id"],
        elsewhere["id"],
    }
    assert ids(api.get("/units", as_=OFFICER, query={"kind": "federation"})) == [township["id"]]
    assert ids(api.get("/units", as_=OFFICER, query={"region": "431222250201"})) == [village["id"]]
    assert set(ids(api.get("/units", as_=ADMIN, query={"region": "43"}))) >= {city["id"], elsewhere["id"]}
    assert api.get("/units", as_=OFFICER, query={"region": "431281"}).status == 403  # outside her region
    assert api.get("/units", as_=TOWNSHIP_OFFICER).json["region"] == "431222250"
    page = api.get("/units", as_=OFFICER, query={"limit": 2})
    assert len(page.json["items"]) == 2 and page.json["next_cursor"]
    rest = api.get("/units", as_=OFFICER, query={"limit": 2, "cursor": page.json["next_cursor"]})
    assert len(ids(page)) + len(ids(rest)) == 3 and not set(ids(page)) & set(ids(rest))
    assert api.get("/units", as_=DONOR).status == 403
    assert api.get("/units").status == 401


def test_a_member_claims_and_pledges_for_the_unit_and_a_non_member_cannot(api):
    unit = create(api)
    with_member(api, unit)
    sole = open_wish(api)
    assert api.post(f"/wishes/{sole['id']}/claims", {"unit_id": unit["id"]}, as_=OUTSIDER).status == 403
    assert api.post(f"/wishes/{sole['id']}/claims", {"unit_id": "0" * 32}, as_=MEMBER).status == 422
    claim = api.post(f"/wishes/{sole['id']}/claims", {"unit_id": unit["id"]}, as_=MEMBER)
    assert claim.status == 201, claim.text
    assert claim.json["donor_id"] == unit["donor_id"]
    listed = api.get(f"/units/{unit['id']}/claims", as_=UNIT_ADMIN).json["items"]
    assert [c["id"] for c in listed] == [claim.json["id"]]
    assert api.get(f"/units/{unit['id']}/claims", as_=OUTSIDER).status == 403
    # Another member delivers it; an outsider cannot withdraw it
    assert api.delete(f"/claims/{claim.json['id']}", as_=OUTSIDER).status == 404
    assert api.post(f"/wishes/{sole['id']}/delivery", {"note": "已送到"}, as_=UNIT_ADMIN).status == 200

    pooled = submit(api, target_fen=100_000)
    assert (
        api.post(f"/wishes/{pooled['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER).status == 200
    )
    pledge = api.post(f"/wishes/{pooled['id']}/claims", {"unit_id": unit["id"], "amount_fen": 1000}, as_=MEMBER)
    assert pledge.status == 201 and pledge.json["donor_id"] == unit["donor_id"]
    assert api.delete(f"/claims/{pledge.json['id']}", as_=UNIT_ADMIN).status == 204  # a member withdraws it


def test_a_member_removed_between_the_check_and_the_write_changes_nothing(api, monkeypatch):
    """The membership is a guard of the claim's own transaction, not only a read before it."""
    from microwish.services import units as unit_service

    unit = create(api)
    with_member(api, unit)
    sole = open_wish(api)
    checked = unit_service.require_member_of

    def check_then_removed(caller, unit_id, repo):
        found = checked(caller, unit_id, repo)
        repo.units.remove_member(unit_id, caller.sub)  # removed by its admin meanwhile
        return found

    monkeypatch.setattr(unit_service, "require_member_of", check_then_removed)
    assert api.post(f"/wishes/{sole['id']}/claims", {"unit_id": unit["id"]}, as_=MEMBER).status == 403
    assert api.get(f"/wishes/{sole['id']}").json["status"] == "open"


def test_dispatch_to_a_registry_unit_its_members_see_and_accept_it(api, table):
    unit = create(api)
    with_member(api, unit)
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/assignment", {"unit_id": "0" * 32}, as_=OFFICER).status == 422
    assert api.post(f"/wishes/{wish['id']}/assignment", {}, as_=OFFICER).status == 422
    both = {"unit_id": unit["id"], "donor_id": "x"}
    assert api.post(f"/wishes/{wish['id']}/assignment", both, as_=OFFICER).status == 422
    reply = api.post(f"/wishes/{wish['id']}/assignment", {"unit_id": unit["id"], "note": "请协会接单"}, as_=OFFICER)
    assert reply.status == 200, reply.text
    offered = api.get(f"/units/{unit['id']}/claims", as_=MEMBER).json["items"]
    assert [(c["wish_id"], c["status"]) for c in offered] == [(wish["id"], "offered")]
    assert api.post(f"/wishes/{wish['id']}/assignment/accept", {}, as_=OUTSIDER).status == 404
    accepted = api.post(f"/wishes/{wish['id']}/assignment/accept", {}, as_=MEMBER)
    assert accepted.status == 200 and accepted.json["status"] == "claimed"
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送到"}, as_=MEMBER).status == 200
    assert api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER).status == 200
    feed(api, records_of(audit_items(table)))
    listed = api.get("/units", as_=OFFICER).json["items"]
    assert [(u["id"], u["name"], u["wishes"]) for u in listed] == [(unit["id"], "沅陵县志愿者协会", 1)]
    # The web's dispatch by donor id names a registry unit as well
    second = open_wish(api)
    by_donor_id = api.post(f"/wishes/{second['id']}/assignment", {"donor_id": unit["donor_id"]}, as_=OFFICER)
    assert by_donor_id.status == 200
    assert api.post(f"/wishes/{second['id']}/assignment/decline", {}, as_=UNIT_ADMIN).status == 200
