"""Volunteer work (issue 12 §3): a yard wish's places are taken until full — never more, however many sign
up at once — withdrawn until check-in; the organizer checks volunteers in with their hours, nobody checks
themselves in; the hours come out as CSV."""

from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3

from microwish.auth import caller_from_claims
from microwish.errors import Conflict
from microwish.repository import WishRepository
from microwish.services import volunteers
from tests.support.harness import environment, person
from tests.support.people import ADMIN, DONOR, FOREIGN_OFFICER, OFFICER, RESIDENT, TOWNSHIP_OFFICER, open_wish

NEEDS = {"places": 3, "day": "2026-12-12", "place": "马底驿乡政府门口集合", "skills": ["打扫"], "hours": 3}
VOLUNTEERS = [person("donor", f"volunteer-{n}", name=f"志愿者{n}") for n in range(5)]
ASSOCIATION_ADMIN = person("donor", "xiehui-admin", name="协会会长")


class OneCallAtATime:
    """A DynamoDB client whose calls never overlap (a lock around each)."""

    def __init__(self, client):
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def locked(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)

        return locked


def yard_wish(api, needs=NEEDS):
    wish = open_wish(api, category="yard", title="帮忙打扫院子")
    reply = api.request("PUT", f"/wishes/{wish['id']}/volunteering", json_body=needs, as_=OFFICER)
    assert reply.status == 200, reply.text
    return wish


def test_places_are_taken_until_full_and_given_back_on_withdrawal(api):
    wish = yard_wish(api)
    path = f"/wishes/{wish['id']}/volunteers"
    assert api.get(f"/wishes/{wish['id']}/volunteering").json["remaining"] == 3
    for volunteer in VOLUNTEERS[:3]:
        assert api.post(path, {}, as_=volunteer).status == 201
    full = api.post(path, {}, as_=VOLUNTEERS[3])
    assert full.status == 409 and full.json["state"] == "full"
    assert api.post(path, {}, as_=VOLUNTEERS[0]).json["state"] in ("signed_up", "full")
    assert api.delete(path, as_=VOLUNTEERS[1]).status == 204
    assert api.delete(path, as_=VOLUNTEERS[1]).status == 404
    assert api.post(path, {}, as_=VOLUNTEERS[0]).json["state"] == "signed_up"
    assert api.post(path, {}, as_=VOLUNTEERS[3]).status == 201
    needs = api.get(f"/wishes/{wish['id']}/volunteering").json
    assert (needs["signed_up"], needs["remaining"], needs["hours"]) == (3, 0, 3)
    assert needs["township_code"] == "431222250" and "region_code" not in needs  # public: no village
    assert api.post(path, {}).status == 401


def test_fifty_volunteers_for_ten_places_get_exactly_ten(api, stack):
    wish = yard_wish(api, {**NEEDS, "places": 10})
    env = stack.functions["VolunteersFunction"].env
    people = [caller_from_claims(person("donor", f"racer-{n:02d}")) for n in range(50)]

    def sign(caller):
        try:
            volunteers.sign_up(caller, wish["id"], repo)
        except Conflict as refused:
            return refused.extensions["state"]
        return "ok"

    with environment(env):
        # moto answers one call at a time, as DynamoDB applies each write atomically (in-process moto under
        # threads does not): the race is among the application's reads and conditional writes.
        repo = WishRepository(stack.outputs["WishTableName"], OneCallAtATime(boto3.client("dynamodb")))
        with ThreadPoolExecutor(max_workers=10) as pool:
            outcomes = list(pool.map(sign, people))
        assert outcomes.count("ok") == 10 and outcomes.count("full") == 40
        assert len(repo.volunteers.signups(wish["id"])) == 10
        assert repo.volunteers.needs(wish["id"]).signed_up == 10


def test_the_counter_condition_alone_stops_overbooking(api, stack):
    """Every signup's write carries `signed_up < places`: a stale read cannot let one more in."""
    wish = yard_wish(api, {**NEEDS, "places": 1})
    with environment(stack.functions["VolunteersFunction"].env):
        repo = WishRepository(stack.outputs["WishTableName"])
        stale = repo.volunteers.needs(wish["id"])  # 0 of 1 taken, as both read it
        volunteers.sign_up(caller_from_claims(VOLUNTEERS[0]), wish["id"], repo)
        from microwish.models.volunteers import Signup

        late = Signup(
            wish_id=wish["id"],
            volunteer_id="late",
            signed_up_at="2026-12-01T00:00:00Z",
            day=stale.day,
            township_code=stale.township_code,
        )
        assert repo.volunteers.signup(late, stale.region_code) == "full"


def test_the_organizer_checks_volunteers_in_and_nobody_checks_themselves_in(api):
    wish = yard_wish(api)
    for volunteer in VOLUNTEERS[:2]:
        assert api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=volunteer).status == 201
    check_in = f"/wishes/{wish['id']}/volunteers/{VOLUNTEERS[0]['sub']}/check-in"
    assert api.post(check_in, {}, as_=VOLUNTEERS[0]).status == 403  # themselves
    assert api.post(check_in, {}, as_=VOLUNTEERS[1]).status == 403  # another volunteer
    assert api.post(check_in, {}, as_=FOREIGN_OFFICER).status == 403
    reply = api.post(check_in, {"hours": 2.5}, as_=TOWNSHIP_OFFICER)
    assert reply.status == 200 and reply.json["status"] == "checked_in" and reply.json["hours"] == 2.5
    assert api.post(check_in, {"hours": 0.3}, as_=OFFICER).status == 422
    assert api.post(f"/wishes/{wish['id']}/volunteers/nobody/check-in", {}, as_=OFFICER).status == 404
    # Checked in: the hours stay, the place cannot be withdrawn
    assert api.delete(f"/wishes/{wish['id']}/volunteers", as_=VOLUNTEERS[0]).json["state"] == "checked_in"
    listed = api.get(f"/wishes/{wish['id']}/volunteers", as_=OFFICER).json["items"]
    assert {(s["volunteer_id"], s["status"], s["hours"]) for s in listed} == {
        (VOLUNTEERS[0]["sub"], "checked_in", 2.5),
        (VOLUNTEERS[1]["sub"], "signed_up", None),
    }
    assert api.get(f"/wishes/{wish['id']}/volunteers", as_=VOLUNTEERS[1]).status == 403
    mine = api.get("/me/volunteering", as_=VOLUNTEERS[0]).json["items"]
    assert [(s["wish_id"], s["hours"]) for s in mine] == [(wish["id"], 2.5)]


def test_the_admin_of_the_unit_holding_the_wish_organizes_it_and_the_work_done_fulfils_it(api):
    unit = api.post(
        "/units",
        {
            "name": "沅陵县志愿者协会",
            "kind": "volunteer_association",
            "region_code": "431222",
            "admins": [ASSOCIATION_ADMIN["sub"]],
        },
        as_=OFFICER,
    ).json
    wish = yard_wish(api)
    assert api.post(f"/wishes/{wish['id']}/assignment", {"unit_id": unit["id"]}, as_=OFFICER).status == 200
    assert api.post(f"/wishes/{wish['id']}/assignment/accept", {}, as_=ASSOCIATION_ADMIN).status == 200
    assert api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=VOLUNTEERS[0]).status == 201
    check_in = f"/wishes/{wish['id']}/volunteers/{VOLUNTEERS[0]['sub']}/check-in"
    assert api.post(check_in, {}, as_=ASSOCIATION_ADMIN).json["hours"] == 3
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "院子打扫完毕"}, as_=ASSOCIATION_ADMIN).status == 200
    done = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER)
    assert done.status == 200 and done.json["status"] == "fulfilled"
    closed = api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=VOLUNTEERS[1])
    assert closed.status == 409 and closed.json["state"] == "closed"


def test_a_finished_wish_whose_places_are_all_taken_answers_closed_not_full(api):
    # Found by tests/e2e/test_units_story.py: a fulfilled wish with every place taken answered `full`, as if a
    # place could still free up; the wish takes no volunteers at all any more, and that is what a signup hears.
    wish = yard_wish(api, {**NEEDS, "places": 1})
    assert api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=VOLUNTEERS[0]).status == 201
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).status == 201
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "院子打扫完毕"}, as_=DONOR).status == 200
    done = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER)
    assert done.status == 200 and done.json["status"] == "fulfilled"
    late = api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=VOLUNTEERS[1])
    assert late.status == 409 and late.json["state"] == "closed", late.json
    again = api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=VOLUNTEERS[0])
    assert again.status == 409 and again.json["state"] == "signed_up"  # still true of them, and said first


def test_needs_only_for_work_wishes_in_the_region_and_without_personal_data(api):
    goods = open_wish(api)
    put = lambda wish, body, who=OFFICER: api.request(  # noqa: E731
        "PUT", f"/wishes/{wish['id']}/volunteering", json_body=body, as_=who
    )
    assert put(goods, NEEDS).status == 409
    wish = open_wish(api, category="yard")
    assert put(wish, NEEDS, FOREIGN_OFFICER).status == 404
    assert put(wish, NEEDS, DONOR).status == 403
    for body, field in (
        ({**NEEDS, "places": 0}, "places"),
        ({**NEEDS, "day": "someday"}, "day"),
        ({**NEEDS, "place": "电话13800000000"}, "place"),
        ({**NEEDS, "hours": 25}, "hours"),
    ):
        reply = put(wish, body)
        assert reply.status == 422 and field in [e["field"] for e in reply.json["errors"]], reply.text
    assert put(wish, NEEDS).status == 200
    for volunteer in VOLUNTEERS[:3]:
        api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=volunteer)
    assert put(wish, {**NEEDS, "places": 2}).status == 409  # three are signed up
    assert put(wish, {**NEEDS, "places": 5}).json["remaining"] == 2
    assert api.get(f"/wishes/{goods['id']}/volunteering").status == 404
    assert api.post(f"/wishes/{goods['id']}/volunteers", {}, as_=RESIDENT).status == 404


def test_hours_export_as_csv_for_officers_of_the_region(api):
    wish = yard_wish(api)
    for volunteer in VOLUNTEERS[:2]:
        api.post(f"/wishes/{wish['id']}/volunteers", {}, as_=volunteer)
    api.post(f"/wishes/{wish['id']}/volunteers/{VOLUNTEERS[0]['sub']}/check-in", {"hours": 4}, as_=OFFICER)
    reply = api.get("/exports/volunteer-hours.csv", as_=OFFICER, query={"from": "2026-12-01", "to": "2026-12-31"})
    assert reply.status == 200 and reply.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(reply.text.lstrip("\ufeff"))))
    assert rows[1:] == [["2026-12-12", "431222250", "帮忙打扫院子", VOLUNTEERS[0]["sub"], "志愿者0", rows[1][5], "4"]]
    township = api.get("/exports/volunteer-hours.csv", as_=TOWNSHIP_OFFICER)
    assert len(list(csv.reader(io.StringIO(township.text)))) == 2
    other_day = api.get("/exports/volunteer-hours.csv", as_=ADMIN, query={"region": "4312", "from": "2027-01-01"})
    assert len(list(csv.reader(io.StringIO(other_day.text)))) == 1  # the header only
    assert api.get("/exports/volunteer-hours.csv", as_=FOREIGN_OFFICER, query={"region": "431222"}).status == 403
    assert api.get("/exports/volunteer-hours.csv", as_=DONOR).status == 403
