"""Issue 15 goal 7: the items every change rewrites stay under 1 KB (DynamoDB bills per started KB, twice in a
transaction, and the wish is copied whole into four list indexes).

- A long description: the wish item (so every list entry) holds its first DESCRIPTION_PREVIEW characters,
  the whole text is in the wish's DETAIL item, written once; the wish's page and the answers of actions
  that read the wish's partition show the whole text, lists the preview. Wishes stored before keep theirs.
- An Idempotency-Key's record keeps its answer zlib-compressed (`answer_z`); a record written before with a
  plain `answer` still replays.
"""

from __future__ import annotations

import zlib

import boto3

from infra.bench.cost import item_size
from microwish.models.wishes import DESCRIPTION_PREVIEW
from microwish.repository import keys
from microwish.repository.items import description_preview
from tests.support.people import CITY_OFFICER, DONOR, RESIDENT, VILLAGE, open_wish, submit, wish_body

LONG = "罹患癌症在家休养，想有一台电视机，看看外面的世界。" * 12  # 300 characters, 900 bytes


def _item(table: str, key: dict[str, str]) -> dict | None:
    found = boto3.client("dynamodb").get_item(TableName=table, Key={k: {"S": v} for k, v in key.items()})
    return found.get("Item")


def _listed(api, wish_id: str, status: str = "open") -> dict:
    reply = api.get("/wishes", query={"region": VILLAGE[:9], "status": status, "limit": 50}, as_=CITY_OFFICER)
    assert reply.status == 200, reply.text
    return next(item for item in reply.json["items"] if item["id"] == wish_id)


def test_a_long_description_is_kept_apart_and_lists_show_its_start(api, table):
    submitted = submit(api, description=LONG)
    assert submitted["description"] == LONG  # the submitter's answer: the whole text
    stored = _item(table, keys.wish_key(submitted["id"]))
    preview = LONG[:DESCRIPTION_PREVIEW] + "…"
    assert stored["description"] == {"S": preview}
    assert stored["description_apart"] == {"BOOL": True}
    assert item_size(stored) < 1024
    assert _item(table, keys.detail_key(submitted["id"]))["description"] == {"S": LONG}

    review = api.post(f"/wishes/{submitted['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER)
    assert review.status == 200, review.text
    assert review.json["description"] == LONG  # the answer is built from the partition it read
    assert _item(table, keys.wish_key(submitted["id"]))["description"] == {"S": preview}  # rewritten: still short
    assert api.get(f"/wishes/{submitted['id']}").json["description"] == LONG  # the page: one Query, whole text
    assert _listed(api, submitted["id"])["description"] == preview  # the list: the entry as indexed

    claim = api.post(f"/wishes/{submitted['id']}/claims", {}, as_=DONOR)
    assert claim.status == 201, claim.text
    delivered = api.post(f"/wishes/{submitted['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    assert delivered.status == 200, delivered.text
    assert api.get(f"/wishes/{submitted['id']}").json["description"] == LONG
    assert _item(table, keys.wish_key(submitted["id"]))["description"] == {"S": preview}


def test_a_short_description_stays_in_the_wish_and_has_no_detail(api, table):
    wish = open_wish(api)
    stored = _item(table, keys.wish_key(wish["id"]))
    assert stored["description"] == {"S": wish_body()["description"]}
    assert "description_apart" not in stored
    assert _item(table, keys.detail_key(wish["id"])) is None
    assert _listed(api, wish["id"])["description"] == wish_body()["description"]


def test_a_wish_stored_before_keeps_its_whole_description_through_a_change(api, table):
    """Items written before the preview: the whole text in the wish item, no flag, no DETAIL item."""
    wish = submit(api)
    client = boto3.client("dynamodb")
    client.update_item(
        TableName=table,
        Key={k: {"S": v} for k, v in keys.wish_key(wish["id"]).items()},
        UpdateExpression="SET description = :d",
        ExpressionAttributeValues={":d": {"S": LONG}},
    )
    review = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER)
    assert review.status == 200, review.text
    assert _item(table, keys.wish_key(wish["id"]))["description"] == {"S": LONG}  # nothing cut, nothing lost
    assert api.get(f"/wishes/{wish['id']}").json["description"] == LONG
    assert _listed(api, wish["id"])["description"] == LONG


def test_a_preview_is_masked_before_it_is_cut():
    """Text stored before it was checked may hold a phone number: the preview never keeps half of one."""
    text = "x" * (DESCRIPTION_PREVIEW - 5) + "13712345678" + "y" * 20
    assert "1371" not in description_preview(text)
    assert description_preview(description_preview(text)) == description_preview(text)  # cut once


def test_a_keyed_answer_is_kept_compressed_and_replayed(api, stack):
    records = stack.outputs["IdempotencyTableName"]
    wish = submit(api, description=LONG)
    headers = {"Idempotency-Key": "review-long-1"}
    first = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER, headers=headers)
    assert first.status == 200, first.text
    stored = boto3.client("dynamodb").scan(TableName=records)["Items"]
    kept = {zlib.decompress(item["answer_z"]["B"]).decode("utf-8"): item for item in stored if "answer_z" in item}
    answer, record = next((text, item) for text, item in kept.items() if wish["id"] in text and '"open"' in text)
    assert LONG in answer and len(answer.encode("utf-8")) > 1024
    assert "answer" not in record and item_size(record) < 1024  # kept in under 1 KB
    again = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER, headers=headers)
    assert again.status == 200 and again.json == first.json


def test_a_record_written_before_with_a_plain_answer_still_replays(api, stack):
    """Records live a day: those written before this change keep `answer` as text."""
    records = stack.outputs["IdempotencyTableName"]
    client = boto3.client("dynamodb")
    headers = {"Idempotency-Key": "submit-plain-1"}
    first = api.post("/wishes", wish_body(), as_=RESIDENT, headers=headers)
    assert first.status == 201, first.text
    for item in client.scan(TableName=records)["Items"]:
        if "answer_z" in item:
            client.update_item(
                TableName=records,
                Key={"id": item["id"]},
                UpdateExpression="SET answer = :a REMOVE answer_z",
                ExpressionAttributeValues={":a": {"S": zlib.decompress(item["answer_z"]["B"]).decode("utf-8")}},
            )
    again = api.post("/wishes", wish_body(), as_=RESIDENT, headers=headers)
    assert again.status == 201 and again.json == first.json
