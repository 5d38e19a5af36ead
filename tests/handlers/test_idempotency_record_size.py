"""Issue 15 goal 7: an Idempotency-Key's record keeps its answer zlib-compressed (`answer_z`: a wish's view is
~1-2 KB of JSON, billed per started KB and twice in its change's transaction); a record written before with a
plain `answer` still replays.
"""

from __future__ import annotations

import zlib

import boto3

from infra.bench.cost import item_size
from tests.support.people import CITY_OFFICER, RESIDENT, submit, wish_body

LONG = "罹患癌症在家休养，想有一台电视机，看看外面的世界。" * 12  # 300 characters, 900 bytes


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
