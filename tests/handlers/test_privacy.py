"""Privacy rights (PIPL): erasure on request, erasure by retention, and audited officers' reads."""

from __future__ import annotations

import json

import boto3
import pytest

from infra.local.events import dynamodb_stream_event, scheduled_event
from infra.local.filters import matches_any
from microwish.repository import DUE_ERASURE, WishRepository, from_dynamo
from microwish.services import erasure
from tests.support.harness import environment
from tests.support.notifications import Pipeline
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    FOREIGN_OFFICER,
    OFFICER,
    OTHER_RESIDENT,
    PRIVATE,
    RESIDENT,
    TOWNSHIP_OFFICER,
    all_items,
    open_wish,
    submit,
)
from tests.support.stats_feed import count_all

REASON = {"reason": "本人申请删除个人信息"}


def erase(api, wish, as_=OFFICER, body=None):
    return api.post(f"/wishes/{wish['id']}/erasure", REASON if body is None else body, as_=as_)


def private_item(table, wish_id):
    item = (
        boto3.client("dynamodb")
        .get_item(TableName=table, Key={"PK": {"S": f"WISH#{wish_id}"}, "SK": {"S": "PRIVATE"}})
        .get("Item")
    )
    return from_dynamo(item or {})


def trail(api, wish):
    return api.get(f"/wishes/{wish['id']}/events", as_=OFFICER).json["items"]


def holds_private(items) -> list[str]:
    text = json.dumps(items, ensure_ascii=False)
    return [secret for secret in PRIVATE if secret in text]


def sweep(api):
    return api.invoke("RetentionSweepFunction", scheduled_event())


def fulfil(api, wish):
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).status == 201
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR).status == 200
    reply = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True, "feedback": "谢谢"}, as_=OFFICER)
    assert reply.status == 200, reply.text
    return reply.json


# ---------------------------------------------------------------- erasure on request
def test_an_officer_erases_the_private_part_and_the_wish_stays(api, table):
    wish = open_wish(api)
    before = api.get(f"/wishes/{wish['id']}", as_=OFFICER).json
    assert before["beneficiary"]["name"] == PRIVATE[0] and before["personal_data_erased"] is False

    reply = erase(api, wish, body={"reason": f"{PRIVATE[0]}本人来电申请，电话{PRIVATE[1]}，住{PRIVATE[2]}"})
    assert reply.status == 200, reply.text
    view = reply.json
    assert view["view"] == "private" and view["beneficiary"] is None and view["personal_data_erased"] is True
    assert view["beneficiary_alias"] == before["beneficiary_alias"] == "谢女士"
    assert {k: v for k, v in view.items() if k not in ("beneficiary", "personal_data_erased")} == {
        k: v for k, v in before.items() if k not in ("beneficiary", "personal_data_erased")
    }

    again = api.get(f"/wishes/{wish['id']}", as_=OFFICER).json
    assert again["beneficiary"] is None and again["personal_data_erased"] is True
    assert api.get(f"/wishes/{wish['id']}").json["beneficiary_alias"] == "谢女士"  # the public view as before
    assert api.get("/me/wishes", as_=RESIDENT).json["items"][0]["beneficiary"] is None

    # the data is gone from the table: the private part is a tombstone, and nothing else holds it
    assert set(private_item(table, wish["id"])) == {"PK", "SK", "type", "erased_at"}
    assert holds_private(all_items(table)) == []
    # the audit trail says that it happened, by whom and why, and never what was erased
    erased = trail(api, wish)[-1]
    assert (erased["action"], erased["actor"], erased["actor_role"]) == ("erased", OFFICER["sub"], "officer")
    assert erased["from_status"] == erased["to_status"] == "open"
    assert "***" in erased["note"] and holds_private(erased) == []


@pytest.mark.parametrize("who", [RESIDENT, ADMIN, TOWNSHIP_OFFICER, CITY_OFFICER])
def test_the_submitter_an_admin_and_every_officer_above_the_village_may_erase(api, who):
    wish = open_wish(api)
    reply = erase(api, wish, as_=who)
    assert reply.status == 200, reply.text
    assert reply.json["personal_data_erased"] is True
    assert trail(api, wish)[-1]["actor"] == who["sub"]


@pytest.mark.parametrize(("who", "status"), [(DONOR, 403), (OTHER_RESIDENT, 404), (FOREIGN_OFFICER, 404), (None, 401)])
def test_nobody_else_may_erase_and_nothing_is_written(api, table, who, status):
    wish = open_wish(api)
    events = len(trail(api, wish))
    reply = erase(api, wish, as_=who)
    assert reply.status == status, reply.text
    if who is not None:  # (without a token the API's JWT authorizer answers, as API Gateway does)
        assert reply.json["status"] == status  # problem+json
    assert private_item(table, wish["id"])["beneficiary"]["name"] == PRIVATE[0]
    assert len(trail(api, wish)) == events


def test_an_erasure_needs_a_reason_and_an_existing_wish(api):
    wish = open_wish(api)
    reply = erase(api, wish, body={})
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "reason"
    assert erase(api, wish, body={"reason": "   "}).status == 422
    assert erase(api, {"id": "0" * 32}).status == 404
    assert api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["personal_data_erased"] is False


def test_a_second_erasure_answers_the_same_and_writes_nothing(api, table):
    wish = open_wish(api)
    first = erase(api, wish).json
    tombstone, events = private_item(table, wish["id"]), len(trail(api, wish))
    second = erase(api, wish, as_=RESIDENT)
    assert second.status == 200 and second.json["personal_data_erased"] is True
    assert second.json["beneficiary"] is None and second.json["id"] == first["id"]
    assert private_item(table, wish["id"]) == tombstone and len(trail(api, wish)) == events


def test_an_erased_wish_goes_on_through_its_life(api, table):
    wish = open_wish(api)
    erase(api, wish)
    done = fulfil(api, wish)
    assert done["status"] == "fulfilled" and done["personal_data_erased"] is True and done["beneficiary"] is None
    assert "beneficiary" not in private_item(table, wish["id"])


def test_figures_and_records_are_unchanged_by_an_erasure(api, table):
    wish = open_wish(api)
    fulfil(api, wish)
    open_wish(api)  # another, untouched
    count_all(api, table)
    stats = [api.get("/stats", query=query).json for query in ({}, {"region": "431222"})]
    board = api.get("/donors/leaderboard").json
    record = api.get(f"/donors/{DONOR['sub']}", as_=OFFICER).json

    assert erase(api, wish).status == 200
    count_all(api, table)  # the erased event reaches the stats consumer (the rest were counted before)
    assert [api.get("/stats", query=query).json for query in ({}, {"region": "431222"})] == stats
    assert api.get("/donors/leaderboard").json == board
    assert api.get(f"/donors/{DONOR['sub']}", as_=OFFICER).json == record
    assert [c["status"] for c in api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["claims"]] == ["fulfilled"]


def test_the_erased_event_tells_the_region_officers_and_no_donor(api, stack, table, tmp_path):
    pipeline = Pipeline(stack, tmp_path / "outbox.jsonl")
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).status == 201
    pipeline.run()
    donor_inbox = api.get("/me/notifications", as_=DONOR).json["items"]
    assert erase(api, wish, as_=RESIDENT).status == 200
    handled = pipeline.run()
    jobs = [json.loads(message["Body"]) for message in handled]
    assert [(job["event"], job["audience"], job["recipient"]["id"]) for job in jobs] == [
        ("erased", "officer", wish["region_code"])
    ]  # the village unit that handles it
    assert api.get("/me/notifications", as_=DONOR).json["items"] == donor_inbox
    assert holds_private(jobs) == [] and holds_private(pipeline.sent()) == []


# ---------------------------------------------------------------- retention
def test_a_finished_wish_is_put_on_the_due_index_in_the_same_write(api, table, stack):
    fulfilled, rejected, cancelled, still_open = open_wish(api), submit(api), open_wish(api), open_wish(api)
    fulfil(api, fulfilled)
    assert (
        api.post(f"/wishes/{rejected['id']}/review", {"decision": "reject", "reason": "不符合条件"}, as_=OFFICER).status
        == 200
    )
    assert api.post(f"/wishes/{cancelled['id']}/cancellation", {"reason": "已解决"}, as_=RESIDENT).status == 200
    for wish in (fulfilled, rejected, cancelled):
        item = private_item(table, wish["id"])
        assert item["DuePK"] == DUE_ERASURE and item["beneficiary"]["name"] == PRIVATE[0]
        ended = api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["updated_at"]
        assert item["DueSK"].endswith(f"#{wish['id']}") and item["DueSK"][:4] == str(int(ended[:4]) + 1)
    assert "DuePK" not in private_item(table, still_open["id"])


def test_the_retention_sweep_erases_what_is_due_once(api, table, shift):
    wish, other = open_wish(api), open_wish(api)
    fulfil(api, wish)
    assert sweep(api)["due"] == 0
    shift(364)
    assert sweep(api)["erased"] == 0
    assert api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["beneficiary"]["name"] == PRIVATE[0]
    shift(366)
    summary = sweep(api)
    assert (summary["erased"], summary["due"], summary["more"]) == (1, 1, False)
    view = api.get(f"/wishes/{wish['id']}", as_=OFFICER).json
    assert view["beneficiary"] is None and view["personal_data_erased"] is True and view["status"] == "fulfilled"
    assert set(private_item(table, wish["id"])) == {"PK", "SK", "type", "erased_at"}  # and off the index
    events = trail(api, wish)
    assert [e["actor"] for e in events if e["action"] == "erased"] == ["system:retention"]
    # running again (or a redelivered run) erases nothing twice
    again = sweep(api)
    assert (again["erased"], again["due"]) == (0, 0)
    assert len(trail(api, wish)) == len(events)
    assert api.get(f"/wishes/{other['id']}", as_=OFFICER).json["beneficiary"]["name"] == PRIVATE[0]


def test_the_retention_period_is_the_template_parameter(api, stack, shift):
    assert stack.functions["RetentionSweepFunction"].env["RETENTION_DAYS"] == "365"
    assert stack.functions["FulfilmentFunction"].env["RETENTION_DAYS"] == "365"
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/cancellation", {"reason": "已解决"}, as_=OFFICER).status == 200
    shift(366)
    assert sweep(api)["erased"] == 1


def test_a_part_erased_by_hand_is_only_taken_off_the_index(api, table, shift):
    wish = open_wish(api)
    erase(api, wish)  # erased while open; the cancellation then puts the tombstone on the index
    assert api.post(f"/wishes/{wish['id']}/cancellation", {"reason": "已解决"}, as_=OFFICER).status == 200
    assert private_item(table, wish["id"])["DuePK"] == DUE_ERASURE
    shift(400)
    summary = sweep(api)
    assert (summary["erased"], summary["already"]) == (0, 1)
    assert "DuePK" not in private_item(table, wish["id"])
    assert sweep(api)["due"] == 0
    assert [e["action"] for e in trail(api, wish)].count("erased") == 1


def test_two_sweeps_that_read_the_same_due_part_erase_it_once(api, stack, table, shift):
    wish = open_wish(api)
    fulfil(api, wish)
    shift(400)
    with environment(stack.functions["RetentionSweepFunction"].env):
        repo = WishRepository(table)
        keys, _ = repo.due(DUE_ERASURE, erasure.clock.now_iso(), 10, None)  # what both runs read
        stored = repo.get_wishes([wish["id"]])[wish["id"]]
        first = erasure.RetentionSummary(now=erasure.clock.now_iso())
        second = erasure.RetentionSummary(now=first.now)
        erasure._erase_due(repo, keys[0], stored, first)  # noqa: SLF001 - two runs interleaved by hand
        erasure._erase_due(repo, keys[0], stored, second)  # noqa: SLF001
    assert (first.erased, second.erased, second.skipped + second.already) == (1, 0, 1)
    assert [e["action"] for e in trail(api, wish)].count("erased") == 1


def test_the_sweep_is_scheduled_with_a_dead_letter_queue_and_alarm(stack):
    resources = stack.sam_template["Resources"]
    function = resources["RetentionSweepFunction"]["Properties"]
    schedule = function["Events"]["Sweep"]
    assert schedule["Type"] == "ScheduleV2"
    assert schedule["Properties"]["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["RetentionDeadLetterQueue", "Arn"]}}
    assert function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["RetentionDeadLetterQueue", "Arn"]
    }
    alarm = resources["RetentionDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["RetentionDeadLetterQueue", "QueueName"]}
    # the local runtime fires it like every other schedule of the template
    assert "RetentionSweepFunction" in {spec.function for spec in stack.schedules}
    # the sweep reads the due index only (never a Scan)
    actions = [a for s in function["Policies"][0]["Statement"] for a in s["Action"]]
    assert "dynamodb:Scan" not in actions and "dynamodb:Query" in actions


# ---------------------------------------------------------------- audited reads
def access_log(api, wish, as_=ADMIN, **query):
    return api.get(f"/wishes/{wish['id']}/access-log", as_=as_, query=query or None)


def test_an_officers_read_of_a_private_view_is_logged_for_the_admin(api, table):
    wish = submit(api)
    api.get(f"/wishes/{wish['id']}", as_=RESIDENT)  # the resident's own read: not logged
    api.get(f"/wishes/{wish['id']}", as_=DONOR)  # not a private view (404 while submitted)
    assert access_log(api, wish).json["items"] == []
    api.get(f"/wishes/{wish['id']}", as_=OFFICER)
    api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER)  # answers a private view
    api.get(f"/wishes/{wish['id']}")  # anonymous: the public view
    entries = access_log(api, wish).json["items"]
    assert [(e["actor"], e["actor_role"], e["actor_region"], e["route"]) for e in entries] == [
        (CITY_OFFICER["sub"], "officer", "4312", "POST /wishes/{id}/review"),
        (OFFICER["sub"], "officer", "431222", "GET /wishes/{id}"),
    ]
    assert all(e["wish_id"] == wish["id"] and e["at"] for e in entries)
    assert holds_private(entries) == []
    stored = [item for item in all_items(table) if item["type"]["S"] == "access"]
    assert len(stored) == 2 and holds_private(stored) == []


def test_an_admins_reads_are_logged_too_and_read_back_by_actor_and_period(api):
    first, second = open_wish(api), open_wish(api)
    for wish in (first, second, first):
        assert api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["view"] == "private"
    api.get(f"/wishes/{first['id']}", as_=ADMIN)
    reply = api.get("/access-log", as_=ADMIN, query={"actor": OFFICER["sub"]})
    assert reply.status == 200, reply.text
    assert [e["wish_id"] for e in reply.json["items"]] == [first["id"], second["id"], first["id"]]
    # page by page with the cursor
    seen, cursor = [], None
    while True:
        page = api.get(
            "/access-log",
            as_=ADMIN,
            query={"actor": OFFICER["sub"], "limit": 2, **({"cursor": cursor} if cursor else {})},
        ).json
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == reply.json["items"]
    # a period that ends before the reads finds none; one around them finds all
    assert (
        api.get("/access-log", as_=ADMIN, query={"actor": OFFICER["sub"], "to": "2020-01-01T00:00:00Z"}).json["items"]
        == []
    )
    around = api.get(
        "/access-log",
        as_=ADMIN,
        query={"actor": OFFICER["sub"], "from": "2020-01-01T00:00:00Z", "to": "2999-01-01T00:00:00+08:00"},
    ).json["items"]
    assert len(around) == 3
    assert [e["actor"] for e in api.get("/access-log", as_=ADMIN, query={"actor": ADMIN["sub"]}).json["items"]] == [
        ADMIN["sub"]
    ]
    assert [e["actor"] for e in access_log(api, first).json["items"]].count(ADMIN["sub"]) == 1


@pytest.mark.parametrize(
    ("who", "status"), [(OFFICER, 403), (CITY_OFFICER, 403), (DONOR, 403), (RESIDENT, 403), (None, 401)]
)
def test_only_admins_read_the_access_log(api, who, status):
    wish = open_wish(api)
    assert access_log(api, wish, as_=who).status == status
    assert api.get("/access-log", as_=who, query={"actor": OFFICER["sub"]}).status == status


def test_the_access_log_refuses_bad_parameters(api):
    wish = open_wish(api)
    assert access_log(api, {"id": "0" * 32}).status == 404
    assert api.get("/access-log", as_=ADMIN).status == 422  # actor is required
    bad = api.get(
        "/access-log", as_=ADMIN, query={"actor": "x", "from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"}
    )
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "to"
    assert api.get("/access-log", as_=ADMIN, query={"actor": "x", "from": "yesterday"}).status == 422
    other = api.get("/access-log", as_=ADMIN, query={"actor": "x", "cursor": "bm90IGEgY3Vyc29y"})
    assert other.status == 422
    assert access_log(api, wish, cursor="bm90IGEgY3Vyc29y").status == 422


def test_access_entries_never_reach_the_notification_or_stats_streams(api, stack):
    pipeline = Pipeline(stack, None)
    wish = open_wish(api)
    pipeline.read_stream()
    api.get(f"/wishes/{wish['id']}", as_=OFFICER)
    raw = pipeline.read_stream()
    assert [r["dynamodb"]["NewImage"]["type"]["S"] for r in raw] == ["access"]
    assert pipeline.stream_event(raw)["Records"] == []
    stats = next(s for s in stack.stream_sources if s.function == "StatsConsumerFunction")
    records = dynamodb_stream_event(raw, stream_arn=stats.stream_arn)["Records"]
    assert records and not any(matches_any(stats.filters, record) for record in records)
