"""Issue 14, leaks 1, 2, 3, 4, 6, 7 and 12: each reproduced through the real handlers, then closed.

1 the view of an action is decided by who calls, never by the route; 2 a village-level list filter is
for officers of that village (and admins) only; 3 a matching offer binds only a sponsor who accepted
it, and shows a display name; 4 donors hear the feedback meant for them, never the officer's note;
6 idempotency records hold no personal data, and replays still answer right; 7 the leaderboard shows
display names and opaque refs, never a login id; 12 GET /me/wishes costs a bounded number of calls.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.support.harness import person
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    OTHER_RESIDENT,
    PRIVATE,
    RESIDENT,
    TOWNSHIP_OFFICER,
    VILLAGE,
    all_items,
    open_wish,
    submit,
)
from tests.support.stats_feed import count_all

UNIT = person("donor", "unit-gzjy", name="怀化市公共资源交易中心")
UNIT["custom:donor_type"] = "unit"
PRIVATE_FIELDS = ("beneficiary", "region_code", "handling_region_code", "claims", "review_reason")


def assert_public(reply):
    assert reply.status == 200, reply.text
    assert reply.json["view"] == "public"
    assert not set(PRIVATE_FIELDS) & set(reply.json), reply.json
    for secret in PRIVATE:
        assert secret not in reply.text
    assert VILLAGE not in reply.text


# ---------------------------------------------------------------- 1: the caller decides the view
def test_a_donor_gets_the_public_view_from_accept_decline_and_delivery(api):
    declined = open_wish(api)
    api.post(f"/wishes/{declined['id']}/assignment", {"donor_id": "donor-1"}, as_=OFFICER)
    assert_public(api.post(f"/wishes/{declined['id']}/assignment/decline", {"reason": "本月物资已用完"}, as_=DONOR))

    wish = open_wish(api)
    assigned = api.post(f"/wishes/{wish['id']}/assignment", {"donor_id": UNIT["sub"]}, as_=OFFICER)
    assert assigned.status == 200 and assigned.json["view"] == "private"  # the officer: private
    assert_public(api.post(f"/wishes/{wish['id']}/assignment/accept", as_=UNIT))
    assert_public(api.post(f"/wishes/{wish['id']}/delivery", {"note": "电视机已送到"}, as_=UNIT))
    confirmed = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER)
    assert confirmed.json["view"] == "private" and confirmed.json["beneficiary"]["name"] == PRIVATE[0]


def test_the_submitting_resident_gets_the_private_view_of_her_cancellation(api):
    wish = open_wish(api)
    done = api.post(f"/wishes/{wish['id']}/cancellation", {"reason": "已由亲属解决"}, as_=RESIDENT)
    assert done.status == 200 and done.json["view"] == "private"


# ---------------------------------------------------------------- 2: no village filter for the public
@pytest.mark.parametrize(
    "who", [None, DONOR, RESIDENT, FOREIGN_OFFICER], ids=["anonymous", "donor", "resident", "foreign-officer"]
)
@pytest.mark.parametrize("campaign", [None, "0" * 32])
def test_a_village_filter_is_refused_to_whoever_may_not_see_villages(api, who, campaign):
    open_wish(api)
    query = {"region": VILLAGE, **({"campaign": campaign} if campaign else {})}
    reply = api.get("/wishes", query=query, as_=who)
    assert reply.status == 422, reply.text
    assert [error["field"] for error in reply.json["errors"]] == ["region"]
    # the township stays open to everyone
    assert api.get("/wishes", query={**query, "region": VILLAGE[:9]}, as_=who).status == 200


@pytest.mark.parametrize("who", [OFFICER, TOWNSHIP_OFFICER, CITY_OFFICER, ADMIN])
def test_officers_of_the_village_and_admins_filter_by_village(api, who):
    wish = open_wish(api)
    reply = api.get("/wishes", query={"region": VILLAGE}, as_=who)
    assert reply.status == 200 and [item["id"] for item in reply.json["items"]] == [wish["id"]]


# ---------------------------------------------------------------- 3: matching binds an accepting sponsor
SPONSOR = person("donor", "sponsor-1", name="怀化市女企业家协会")
SPONSOR["custom:donor_type"] = "unit"


def _iso(days):
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _matched_campaign(api):
    reply = api.post(
        "/campaigns",
        {
            "name": "六一 留守儿童专场",
            "region_code": "4312",
            "starts_at": _iso(-1),
            "ends_at": _iso(30),
            "matching": {"sponsor_id": SPONSOR["sub"], "sponsor_name": "某某公司", "cap_fen": 100_000},
        },
        as_=ADMIN,
    )
    assert reply.status == 201, reply.text
    return reply.json


def _pooled(api, campaign):
    wish = submit(
        api, campaign_id=campaign["id"], target_fen=100_000, groups=["left_behind_children"], category="study"
    )
    reply = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    assert reply.status == 200, reply.text
    return reply.json


def test_a_matching_offer_binds_nobody_until_the_sponsor_accepts(api, table):
    campaign = _matched_campaign(api)
    assert campaign["matching"]["status"] == "offered"
    wish = _pooled(api, campaign)
    assert api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": 10_000}, as_=DONOR).status == 201
    assert api.get(f"/wishes/{wish['id']}").json["pledged_fen"] == 10_000  # not matched: nobody accepted
    assert not [item for item in all_items(table) if item.get("donor_id", {}).get("S") == SPONSOR["sub"]]

    path = f"/campaigns/{campaign['id']}/matching/acceptance"
    assert api.post(path, as_=DONOR).status == 403  # only the named sponsor
    assert api.post(path, as_=OFFICER).status == 403
    assert api.post(path).status == 401
    assert api.post(f"/campaigns/{'f' * 32}/matching/acceptance", as_=SPONSOR).status == 404
    accepted = api.post(path, as_=SPONSOR)
    assert accepted.status == 200 and accepted.json["matching"]["status"] == "active"
    assert accepted.json["matching"]["sponsor_name"] == SPONSOR["name"]  # the sponsor's own display name
    assert api.post(path, as_=SPONSOR).status == 200  # accepting again changes nothing

    assert api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": 10_000}, as_=DONOR_2).status == 201
    assert api.get(f"/wishes/{wish['id']}").json["pledged_fen"] == 30_000  # matched 1:1 now


def test_campaign_views_never_show_the_sponsors_login_id(api):
    campaign = _matched_campaign(api)
    assert SPONSOR["sub"] not in json.dumps(campaign)
    api.post(f"/campaigns/{campaign['id']}/matching/acceptance", as_=SPONSOR)
    for reply in (
        api.get(f"/campaigns/{campaign['id']}"),
        api.get("/campaigns"),
        api.get(f"/campaigns/{campaign['id']}", as_=ADMIN),
    ):
        assert reply.status == 200 and SPONSOR["sub"] not in reply.text, reply.text
    shown = api.get(f"/campaigns/{campaign['id']}").json["matching"]
    assert shown == {"sponsor_name": SPONSOR["name"], "cap_fen": 100_000, "status": "active"}


def test_a_campaign_without_matching_has_nothing_to_accept(api):
    reply = api.post(
        "/campaigns", {"name": "无配捐", "region_code": "4312", "starts_at": _iso(-1), "ends_at": _iso(30)}, as_=ADMIN
    )
    assert api.post(f"/campaigns/{reply.json['id']}/matching/acceptance", as_=SPONSOR).status == 404


# ---------------------------------------------------------------- 4: donors hear feedback, never the note
def test_donors_never_hear_the_officers_confirmation_note(api, stack):
    from tests.support.notifications import Pipeline

    pipeline = Pipeline(stack, None)
    with_feedback, without = open_wish(api), open_wish(api)
    for wish in (with_feedback, without):
        assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).status == 201
        api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    pipeline.read_stream()
    api.post(
        f"/wishes/{without['id']}/confirmation", {"accepted": True, "note": "内部：家属说还缺一台冰箱"}, as_=OFFICER
    )
    api.post(
        f"/wishes/{with_feedback['id']}/confirmation",
        {"accepted": True, "note": "内部备注", "feedback": "谢谢好心人！"},
        as_=OFFICER,
    )
    pipeline.run()
    items = api.get("/me/notifications", as_=DONOR).json["items"]
    bodies = {item["title"]: item["body"] for item in items if item["event"] == "fulfilled"}
    text = json.dumps(items, ensure_ascii=False)
    assert "内部" not in text and "冰箱" not in text
    assert "谢谢您的爱心！" in text and "谢谢好心人！" in text, bodies


# ---------------------------------------------------------------- 6: idempotency records without personal data
def _idempotency_items(stack):
    """The records, each compressed answer (`answer_z`) as the text it holds: what to look for secrets in."""
    name = next(
        spec.env["IDEMPOTENCY_TABLE_NAME"] for spec in stack.functions.values() if "IDEMPOTENCY_TABLE_NAME" in spec.env
    )
    items = all_items(name)
    for item in items:
        if "answer_z" in item:
            item["answer_z"] = {"S": zlib.decompress(item["answer_z"]["B"]).decode("utf-8")}
    return items


def test_idempotency_records_hold_no_personal_data_and_replays_answer_right(api, stack):
    headers = {"idempotency-key": "k-1"}
    first = api.post("/wishes", {**_wish_body(), "title": "一台电视机"}, as_=RESIDENT, headers=headers)
    assert first.status == 201 and first.json["beneficiary"]["name"] == PRIVATE[0]
    again = api.post("/wishes", {**_wish_body(), "title": "一台电视机"}, as_=RESIDENT, headers=headers)
    assert again.status == 201 and again.json == first.json  # the entitled caller's replay: the private view
    review = api.post(f"/wishes/{first.json['id']}/review", {"decision": "approve"}, as_=OFFICER, headers=headers)
    replay = api.post(f"/wishes/{first.json['id']}/review", {"decision": "approve"}, as_=OFFICER, headers=headers)
    assert review.status == replay.status == 200 and replay.json == review.json
    assert api.post(f"/wishes/{first.json['id']}/claims", {}, as_=DONOR).status == 201
    delivered = api.post(f"/wishes/{first.json['id']}/delivery", {"note": "已送达"}, as_=DONOR, headers=headers)
    redelivered = api.post(f"/wishes/{first.json['id']}/delivery", {"note": "已送达"}, as_=DONOR, headers=headers)
    assert_public(delivered)
    assert_public(redelivered)
    records = _idempotency_items(stack)
    stored = json.dumps(records, ensure_ascii=False)
    assert len(records) == 3 and first.json["id"] in stored  # submit, review, delivery: their public parts
    for secret in (*PRIVATE, VILLAGE):
        assert secret not in stored, secret


def _wish_body():
    from tests.support.people import wish_body

    return wish_body()


# ---------------------------------------------------------------- 7: the leaderboard shows display names
def _fulfil(api, wish, donor):
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=donor).status == 201
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=donor).status == 200
    assert api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER).status == 200


def test_the_leaderboard_shows_display_names_and_opaque_refs_never_a_login_id(api, table):
    named = person("donor", "donor-named", name="张三丰")  # an individual's real name: never shown
    assert api.request("PUT", "/me/profile", json_body={"display_name": "好心的张先生"}, as_=named).status == 200
    for donor in (DONOR_2, named, UNIT):
        _fulfil(api, open_wish(api), donor)
    dispatched = open_wish(api)  # a unit a wish was dispatched to shows its own name too
    other_unit = person("donor", "unit-tax", name="县税务局第一税务所")
    api.post(f"/wishes/{dispatched['id']}/assignment", {"donor_id": other_unit["sub"]}, as_=OFFICER)
    assert api.post(f"/wishes/{dispatched['id']}/assignment/accept", as_=other_unit).status == 200
    api.post(f"/wishes/{dispatched['id']}/delivery", {"note": "已送达"}, as_=other_unit)
    assert api.post(f"/wishes/{dispatched['id']}/confirmation", {"accepted": True}, as_=OFFICER).status == 200
    count_all(api, table)
    board = api.get("/donors/leaderboard", query={"region": "431222"})
    assert board.status == 200, board.text
    for sub in (DONOR_2["sub"], named["sub"], UNIT["sub"], "unit-tax", "张三丰"):
        assert sub not in board.text
    individuals = {entry["display_name"]: entry for entry in board.json["individuals"]}
    assert set(individuals) == {"爱心人士", "好心的张先生"}
    assert {entry["display_name"] for entry in board.json["units"]} == {UNIT["name"], "县税务局第一税务所"}
    entry = individuals["好心的张先生"]
    assert {"donor_ref", "display_name", "kind", "wishes", "value_fen"} <= set(entry)
    assert entry["wishes"] == 1 and entry["kind"] == "individual" and entry["value_fen"] == 150_000
    # the ref is stable across reads and regions, and different per donor
    again = api.get("/donors/leaderboard", query={"region": "4312"}).json
    assert {e["donor_ref"] for e in again["individuals"]} == {e["donor_ref"] for e in board.json["individuals"]}
    assert len({e["donor_ref"] for e in board.json["individuals"] + board.json["units"]}) == 4
    # a later change of display name shows at once; clearing it goes back to anonymous
    api.request("PUT", "/me/profile", json_body={"display_name": None}, as_=named)
    names = [e["display_name"] for e in api.get("/donors/leaderboard", query={"region": "431222"}).json["individuals"]]
    assert names == ["爱心人士", "爱心人士"]


def test_the_profile_is_the_callers_own_and_validated(api):
    assert api.request("PUT", "/me/profile", json_body={"display_name": "x"}).status == 401
    assert api.get("/me/profile", as_=DONOR).json == {"display_name": None, "shown_as": "爱心人士"}
    long = api.request("PUT", "/me/profile", json_body={"display_name": "好" * 31}, as_=DONOR)
    assert long.status == 422 and long.json["errors"][0]["field"] == "display_name"
    blank = api.request("PUT", "/me/profile", json_body={"display_name": "   "}, as_=DONOR)
    assert blank.status == 422
    ok = api.request("PUT", "/me/profile", json_body={"display_name": "小王"}, as_=DONOR)
    assert ok.status == 200 and ok.json == {"display_name": "小王", "shown_as": "小王"}
    assert api.get("/me/profile", as_=DONOR_2).json["display_name"] is None
    assert api.get("/me/profile", as_=UNIT).json["shown_as"] == UNIT["name"]


# ---------------------------------------------------------------- 12: /me/wishes in a bounded number of calls
def _calls_for_my_wishes(api, limit):
    """The DynamoDB calls one page makes: counted on the default session, whose events every client
    created afterwards copies (the handler's client is created afresh per invocation)."""
    calls = []

    def count(model, **_):
        calls.append(model.name)

    session = boto3._get_default_session()  # noqa: SLF001 - the session the repository's client comes from
    session.events.register("before-call.dynamodb", count)
    try:
        reply = api.get("/me/wishes", query={"limit": limit}, as_=RESIDENT)
    finally:
        session.events.unregister("before-call.dynamodb", count)
    assert reply.status == 200, reply.text
    return reply.json, calls


def test_my_wishes_cost_the_same_few_calls_whatever_the_page_size(api):
    mine = [submit(api) for _ in range(6)]
    submit(api, as_=OTHER_RESIDENT)
    small, small_calls = _calls_for_my_wishes(api, 2)
    assert len(small["items"]) == 2 and small["next_cursor"]
    page, calls = _calls_for_my_wishes(api, 6)
    assert [w["id"] for w in page["items"]] == [w["id"] for w in reversed(mine)]
    assert all(item["beneficiary"]["name"] == PRIVATE[0] and item["view"] == "private" for item in page["items"])
    assert len(calls) == len(small_calls) <= 2, calls
    assert calls == ["Query", "BatchGetItem"]
