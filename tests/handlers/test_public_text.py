"""Issue 14, leaks 5, 10 and 11 through the real handlers: personal data in public text, text and
money fields that must be refused, and client input that used to make a 500."""

from __future__ import annotations

import base64
import json

import boto3
import pytest

from infra.local.events import http_event
from microwish.repository import wish_key
from microwish.repository.inbox import InboxStore
from tests.support.people import (
    CITY_OFFICER,
    DONOR,
    OFFICER,
    PRIVATE,
    RESIDENT,
    all_items,
    open_wish,
    submit,
    wish_body,
)

ID_NUMBER = "11010519491231002X"  # GB 11643's example: its check digit is right


def _personal_data_error(reply, field):
    assert reply.status == 422, reply.text
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert {"field": field, "type": "personal_data"}.items() <= reply.json["errors"][0].items()
    for secret in (*PRIVATE, "13912345678", ID_NUMBER):
        assert secret not in reply.text  # an error never echoes what it refuses


# ---------------------------------------------------------------- leak 5: personal data in public text
@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("title", "给谢桂云买电视"),
        ("title", "电视 139-1234-5678"),
        ("description", f"身份证{ID_NUMBER}，想要电视"),
        ("description", "请联系 0745-2345678"),
        ("description", "谢 桂 云想要一台电视机"),
    ],
)
def test_submission_refuses_personal_data_in_public_text(api, table, field, text):
    before = len(all_items(table))
    reply = api.post("/wishes", wish_body(**{field: text}), as_=RESIDENT)
    _personal_data_error(reply, field)
    assert len(all_items(table)) == before  # nothing written


def test_review_refuses_to_publish_stored_text_with_personal_data(api, table):
    wish = submit(api)
    # Text stored before the check existed (or written around it): approving would publish it.
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key=wish_key(wish["id"]),
        UpdateExpression="SET description = :d",
        ExpressionAttributeValues={":d": {"S": "谢桂云家，电话13912345678"}},
    )
    approve = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER)
    _personal_data_error(approve, "description")
    rejected = api.post(
        f"/wishes/{wish['id']}/review", {"decision": "reject", "reason": "描述里有电话号码"}, as_=CITY_OFFICER
    )
    assert rejected.status == 200 and rejected.json["status"] == "rejected"


def test_stored_phone_and_id_numbers_are_masked_in_public_views_and_the_ledger(api, table):
    wish = open_wish(api)
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key=wish_key(wish["id"]),
        UpdateExpression="SET title = :t, description = :d",
        ExpressionAttributeValues={
            ":t": {"S": "电视13912345678"},
            ":d": {"S": f"身份证 {ID_NUMBER} 电话 0745 2345678"},
        },
    )
    for reply in (api.get(f"/wishes/{wish['id']}", as_=DONOR), api.get("/wishes", query={"region": "431222"})):
        assert reply.status == 200
        assert "13912345678" not in reply.text and ID_NUMBER not in reply.text and "2345678" not in reply.text
        assert "电视***" in reply.text
    ledger = api.get("/exports/wishes.csv", as_=OFFICER)
    assert ledger.status == 200 and "13912345678" not in ledger.text and "电视***" in ledger.text


def _delivered(api):
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).status in (200, 201)
    return wish


def test_delivery_note_and_feedback_refuse_personal_data(api):
    wish = _delivered(api)
    note = api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送到谢桂云家"}, as_=DONOR)
    _personal_data_error(note, "note")
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送到"}, as_=DONOR).status == 200
    for feedback in ("谢谢，有事打13912345678", "谢桂云感谢大家"):
        reply = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True, "feedback": feedback}, as_=OFFICER)
        _personal_data_error(reply, "feedback")
    assert api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["status"] == "delivered"  # nothing changed
    done = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True, "feedback": "谢谢大家"}, as_=OFFICER)
    assert done.status == 200 and done.json["status"] == "fulfilled"


# ---------------------------------------------------------------- leak 10: text and money fields
@pytest.mark.parametrize(
    "title", ["电视\u202e机", "电视\u2066机", "电视\x00机", "电视\x1b[31m", "\u200b\u200d", "\u2060\ufeff", " \u200b "]
)
def test_text_with_control_bidi_or_nothing_visible_is_refused(api, title):
    reply = api.post("/wishes", wish_body(title=title), as_=RESIDENT)
    assert reply.status == 422, reply.text
    assert reply.json["errors"][0]["field"] == "title"


def test_line_breaks_and_joined_emoji_are_fine(api):
    assert submit(api, description="第一行\n第二行\t完", title="电视👩\u200d👧")["status"] == "submitted"


@pytest.mark.parametrize("amount", ["150000", True, 150000.0, "1e5", None])
def test_money_in_fen_is_a_json_integer(api, amount):
    reply = api.post("/wishes", wish_body(target_fen=amount), as_=RESIDENT)
    if amount is None:
        assert reply.status == 201
        return
    assert reply.status == 422, reply.text
    assert reply.json["errors"][0]["field"] == "target_fen"


def test_a_pledge_amount_is_a_json_integer(api):
    wish = submit(api)
    assert (
        api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER).status == 200
    )
    for amount in ("100", True, 100.0):
        reply = api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": amount}, as_=DONOR)
        assert reply.status == 422 and reply.json["errors"][0]["field"] == "amount_fen", reply.text


# ---------------------------------------------------------------- leak 11: no 500 on client input
def _raw(api, method, path, body, *, base64_encoded=False, as_=RESIDENT):
    route, parameters = api._route(method, path)  # noqa: SLF001 - the raw body bypasses api.post's JSON
    event = http_event(
        method,
        path,
        route_key=route.route_key,
        path_parameters=parameters,
        headers={"content-type": "application/json"},
        body=None,
        claims={"iss": "https://issuer.test", "aud": "micro-wish-test", **as_},
    )
    event["body"], event["isBase64Encoded"] = body, base64_encoded
    result = api.invoke(route.function, event)
    return result["statusCode"], json.loads(result["body"])


def test_a_body_that_is_not_utf8_is_a_400(api, table):
    before = len(all_items(table))
    raw = base64.b64encode(b'{"title": "\xff\xfe\xe7\x94"}').decode()
    status, body = _raw(api, "POST", "/wishes", raw, base64_encoded=True)
    assert status == 400 and body["errors"][0]["field"] == "body"
    assert len(all_items(table)) == before


def test_json_nested_very_deep_is_a_400(api):
    status, body = _raw(api, "POST", "/wishes", "[" * 10_000 + "]" * 10_000)
    assert status == 400 and body["errors"][0]["type"] == "json_invalid"
    status, _ = _raw(api, "POST", "/wishes", '{"title": ' + "[" * 10_000 + "]" * 10_000 + "}")
    assert status == 400


def test_an_integer_of_thousands_of_digits_is_a_422_naming_its_field(api, table):
    before = len(all_items(table))
    body = json.dumps(wish_body(target_fen=0)).replace('"target_fen": 0', '"target_fen": ' + "9" * 5000)
    status, answer = _raw(api, "POST", "/wishes", body)
    assert status == 422 and answer["errors"][0]["field"] == "target_fen"
    assert len(all_items(table)) == before
    assert api.get("/wishes", query={"limit": "9" * 5000}).status == 422


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "9999-12-31"), ("0001-01-01", None), (None, "9999-12-31")])
def test_calendar_edge_dates_in_the_ledger_and_stats_are_a_422(api, start, end):
    query = {key: value for key, value in (("from", start), ("to", end)) if value}
    for path in ("/exports/wishes.csv", "/stats"):
        reply = api.get(path, query=query, as_=OFFICER)
        assert reply.status == 422, (path, reply.text)
        assert reply.json["errors"][0]["field"] in query


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("0001-01-01T00:00:00+08:00", "2026-12-31T00:00:00+08:00"),
        ("2026-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"),
    ],
)
def test_calendar_edge_campaign_periods_are_a_422(api, table, starts, ends):
    before = len(all_items(table))
    reply = api.post(
        "/campaigns",
        {"name": "春蕾专场", "region_code": "4312", "starts_at": starts, "ends_at": ends},
        as_=CITY_OFFICER,
    )
    assert reply.status == 422, reply.text
    assert len(all_items(table)) == before


# ---------------------------------------------------------------- the document the fuzzer holds the API to
def test_every_operation_documents_its_problem_answers_and_a_success(api):
    document = api.get("/openapi.json").json
    assert "Problem" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            for code in ("401", "403", "404", "422"):
                assert "application/problem+json" in responses[code]["content"], (method, path, code)
            assert ("400" in responses) == ("413" in responses) == ("requestBody" in operation), (method, path)
    batch = document["paths"]["/claims"]["post"]["responses"]
    assert set(batch["409"]["content"]) == {"application/json", "application/problem+json"}
    assert "200" in batch  # all_or_nothing false: a result per wish


def test_stored_inbox_texts_are_masked_on_the_way_out(api, table):
    InboxStore(table).put_notification(
        f"user#{DONOR['sub']}",
        {
            "id": "n1",
            "created_at": "2026-06-01T00:00:00.000Z",
            "event": "fulfilled",
            "wish_id": "w1",
            "title": "电视13912345678已圆梦",
            "body": f"身份证{ID_NUMBER}，谢谢您的爱心！",
        },
    )
    reply = api.get("/me/notifications", as_=DONOR)
    assert reply.status == 200, reply.text
    assert "13912345678" not in reply.text and ID_NUMBER not in reply.text
    assert reply.json["items"][0]["title"] == "电视***已圆梦"
