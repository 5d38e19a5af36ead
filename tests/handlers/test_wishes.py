"""Submission, review, the wish list and a wish's views, through the real handlers."""

from __future__ import annotations

import json

import pytest

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
    wish_body,
)


def test_a_submitted_wish_is_private_until_approved(api):
    wish = submit(api)
    assert wish["status"] == "submitted" and wish["level"] == "village"
    assert wish["beneficiary"]["name"] == "谢桂云" and wish["beneficiary_alias"] == "谢女士"
    assert wish["region_name"] == "怀化市沅陵县马底驿乡" and wish["township_code"] == "431222250"
    assert api.get(f"/wishes/{wish['id']}").status == 404  # the public must not learn it exists
    assert api.get(f"/wishes/{wish['id']}", as_=RESIDENT).json["beneficiary"]["phone"] == "13800000000"
    assert api.get(f"/wishes/{wish['id']}", as_=OTHER_RESIDENT).status == 404


def test_review_puts_it_on_the_public_list_without_personal_data(api):
    wish = open_wish(api)
    assert wish["status"] == "open" and wish["due_at"] > wish["created_at"]
    listed = api.get("/wishes", query={"region": "431222"})
    assert [item["id"] for item in listed.json["items"]] == [wish["id"]]
    public = api.get(f"/wishes/{wish['id']}", as_=DONOR)
    for reply in (listed, public):
        assert reply.status == 200
        for secret in PRIVATE:
            assert secret not in reply.text
        assert "431222250201" not in reply.text  # the village is not public either
    assert "beneficiary" not in public.json and public.json["beneficiary_alias"] == "谢女士"


def test_officers_of_the_region_see_the_private_view(api):
    wish = open_wish(api)
    for officer in (OFFICER, TOWNSHIP_OFFICER, CITY_OFFICER, ADMIN):
        view = api.get(f"/wishes/{wish['id']}", as_=officer).json
        assert view["beneficiary"]["name"] == "谢桂云", officer
        assert view["handling_region_code"] == "431222250201"
    assert "beneficiary" not in api.get(f"/wishes/{wish['id']}", as_=FOREIGN_OFFICER).json


def test_the_list_filters_by_region_category_group_and_level(api):
    tv = open_wish(api)
    school = open_wish(api, title="学费", category="study", groups=["left_behind_children"], region_code="431281203201")

    def ids(**query):
        reply = api.get("/wishes", query=query)
        assert reply.status == 200, reply.text
        return [item["id"] for item in reply.json["items"]]

    assert ids() == [school["id"], tv["id"]]  # newest first, the whole city by default
    assert ids(region="431281") == [school["id"]]
    assert ids(region="431222250") == [tv["id"]]
    assert ids(region="431222250000") == [tv["id"]]  # the padded form names the same township
    assert ids(category="study") == [school["id"]]
    assert ids(group="women_in_hardship") == [tv["id"]]
    assert ids(level="county") == []
    assert ids(order="oldest") == [tv["id"], school["id"]]


def test_the_list_pages_with_a_cursor(api):
    made = [open_wish(api, title=f"心愿{n}")["id"] for n in range(5)]
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/wishes", query=query).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


def test_the_review_queue_is_for_officers_of_the_region(api):
    wish = submit(api)
    queue = api.get("/wishes", query={"status": "submitted"}, as_=OFFICER)
    assert [item["id"] for item in queue.json["items"]] == [wish["id"]]
    assert api.get("/wishes", query={"status": "submitted"}).status == 403
    assert api.get("/wishes", query={"status": "submitted", "region": "431222"}, as_=FOREIGN_OFFICER).status == 403
    assert api.get("/wishes", query={"status": "submitted"}, as_=DONOR).status == 403


def test_rejection_needs_a_reason_and_keeps_it(api):
    wish = submit(api)
    path = f"/wishes/{wish['id']}/review"
    missing = api.post(path, {"decision": "reject"}, as_=OFFICER)
    assert missing.status == 422 and missing.json["errors"][0]["field"] == "reason"
    rejected = api.post(path, {"decision": "reject", "reason": "不属于帮扶范围"}, as_=OFFICER)
    assert rejected.json["status"] == "rejected" and rejected.json["review_reason"] == "不属于帮扶范围"
    again = api.post(path, {"decision": "approve"}, as_=OFFICER)
    assert again.status == 409 and again.json["state"] == "rejected"


def test_a_pooled_wish_needs_a_target(api):
    wish = submit(api, target_fen=None)
    reply = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    assert reply.status == 422 and reply.json["errors"][0]["field"] == "target_fen"
    reply = api.post(
        f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled", "target_fen": 80000}, as_=OFFICER
    )
    assert reply.json["mode"] == "pooled" and reply.json["target_fen"] == 80000


@pytest.mark.parametrize("who", [FOREIGN_OFFICER, DONOR, RESIDENT])
def test_only_officers_of_the_region_review(api, who):
    wish = submit(api)
    reply = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=who)
    assert reply.status in (403, 404)
    assert api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["status"] == "submitted"


def test_an_officer_submits_only_in_their_region(api):
    assert api.post("/wishes", wish_body(), as_=FOREIGN_OFFICER).status == 403
    assert api.post("/wishes", wish_body(), as_=OFFICER).status == 201
    assert api.post("/wishes", wish_body(), as_=DONOR).status == 403


def test_bad_input_is_named_and_writes_nothing(api, table):
    before = len(all_items(table))
    cases = [
        (wish_body(title=""), 422, "title"),
        (wish_body(region_code="431222250999"), 422, "region_code"),
        (wish_body(category="cash"), 422, "category"),
        (wish_body(target_fen=-5), 422, "target_fen"),
        (wish_body(beneficiary={"name": "谢桂云", "phone": "123", "address": "王家村"}), 422, "beneficiary.phone"),
    ]
    for body, status, field in cases:
        reply = api.post("/wishes", body, as_=RESIDENT)
        assert reply.status == status, reply.text
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert field in [error["field"] for error in reply.json["errors"]]
        assert "13800000000" not in reply.text and "123" not in json.dumps(reply.json["errors"])
    malformed = api.request("POST", "/wishes", body="{not json", as_=RESIDENT)
    assert malformed.status == 400 and malformed.json["status"] == 400
    too_big = api.post("/wishes", wish_body(description="长" * 30000), as_=RESIDENT)
    assert too_big.status == 413
    assert api.post("/wishes", wish_body()).status == 401
    assert len(all_items(table)) == before


@pytest.mark.parametrize("wish_id", ["nope", "0" * 32, "x" * 5000, "../../etc", "%00"])
def test_unknown_wishes_are_404_whatever_the_id(api, wish_id):
    assert api.get(f"/wishes/{wish_id}").status == 404
    assert api.post(f"/wishes/{wish_id}/review", {"decision": "approve"}, as_=OFFICER).status == 404


def test_a_foreign_cursor_is_a_422_not_a_500(api):
    open_wish(api)
    for cursor in ("garbage", "eyJQSyI6eyJTIjoieCJ9fQ"):
        reply = api.get("/wishes", query={"cursor": cursor})
        assert reply.status == 422 and reply.json["errors"][0]["field"] == "cursor"


def test_idempotency_key_gives_the_same_answer_once(api, table):
    headers = {"idempotency-key": "submit-1"}
    first = api.post("/wishes", wish_body(), as_=RESIDENT, headers=headers)
    again = api.post("/wishes", wish_body(), as_=RESIDENT, headers=headers)
    assert first.status == again.status == 201 and first.json["id"] == again.json["id"]
    other = api.post("/wishes", wish_body(title="另一个"), as_=RESIDENT, headers=headers)
    assert other.status == 422 and other.json["errors"][0]["field"] == "Idempotency-Key"
    wishes = [item for item in all_items(table) if item["SK"]["S"] == "WISH"]
    assert len(wishes) == 1


def test_the_same_json_spelled_otherwise_is_the_same_request(api, table):
    """Issue 16 §4: the payload check compares parsed JSON, not bytes (spacing, key order)."""
    import json

    headers = {"idempotency-key": "submit-spelling"}
    body = wish_body()
    first = api.request("POST", "/wishes", body=json.dumps(body), as_=RESIDENT, headers=headers)
    respelled = json.dumps(dict(reversed(list(body.items()))), indent=4, ensure_ascii=False)
    again = api.request("POST", "/wishes", body=respelled, as_=RESIDENT, headers=headers)
    assert first.status == again.status == 201, again.text
    assert first.json["id"] == again.json["id"]
    assert len([item for item in all_items(table) if item["SK"]["S"] == "WISH"]) == 1


def test_every_change_writes_its_audit_event_in_the_same_transaction(api, table):
    wish = open_wish(api)
    events = sorted(
        (item for item in all_items(table) if item["SK"]["S"].startswith("AUDIT#")), key=lambda item: item["SK"]["S"]
    )
    assert [item["action"]["S"] for item in events] == ["submitted", "approved"]
    assert all(item["wish_id"]["S"] == wish["id"] for item in events)
    stored = json.dumps(events, ensure_ascii=False)
    assert "谢桂云" not in stored and "13800000000" not in stored


def test_personal_data_is_stored_apart_from_the_wish(api, table):
    submit(api)
    by_kind = {item["SK"]["S"]: item for item in all_items(table) if not item["SK"]["S"].startswith("AUDIT#")}
    assert "谢桂云" not in json.dumps(by_kind["WISH"], ensure_ascii=False)
    assert "谢桂云" in json.dumps(by_kind["PRIVATE"], ensure_ascii=False)
    assert not {key for key in by_kind["PRIVATE"] if key.endswith("PK") and key != "PK"}  # in no index


def test_no_personal_data_reaches_a_log_line_even_at_debug(api, stack, capsys, monkeypatch):
    """Powertools writes the functions' log lines to stdout; at DEBUG they say the most."""
    import logging

    from microwish.api.app import logger

    logger.setLevel("DEBUG")
    powertools = logging.getLogger("aws_lambda_powertools")
    handler = logging.StreamHandler(__import__("sys").stdout)
    powertools.addHandler(handler)
    monkeypatch.setattr(powertools, "level", logging.DEBUG)
    wish = open_wish(api)
    api.get(f"/wishes/{wish['id']}", as_=OFFICER)
    api.post("/wishes", wish_body(title=""), as_=RESIDENT)  # a refused body is not logged either
    api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR)
    api.post("/wishes", {"beneficiary": object.__name__}, as_=RESIDENT)
    powertools.removeHandler(handler)
    logger.setLevel("INFO")
    logged = capsys.readouterr().out
    assert wish["id"] in logged  # the logs do speak of the wish ...
    for secret in PRIVATE:  # ... and never of the person
        assert secret not in logged
