"""infra.local.motopatch: cheap, stream-safe transaction rollback and one INSERT per created item."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from infra.local import motopatch


@pytest.fixture
def table(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    motopatch.apply()
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            client.create_table(
                TableName="t",
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
            yield client
    finally:
        motopatch.revert()


def _stream(name="t"):
    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[name].stream_shard
    return [
        (
            r.record["eventName"],
            r.record["dynamodb"]["Keys"]["pk"]["S"],
            r.record["dynamodb"]["SequenceNumber"],
        )
        for r in shard.items
    ]


def _key(pk):
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def test_a_cancelled_transaction_leaves_no_trace_and_keeps_the_stream(table):
    table.put_item(TableName="t", Item={**_key("a"), "n": {"N": "1"}})
    table.put_item(TableName="t", Item=_key("guard"))
    shard_before = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables["t"].stream_shard
    with pytest.raises(table.exceptions.TransactionCanceledException):
        table.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": _key("new")}},
                {
                    "Update": {
                        "TableName": "t",
                        "Key": _key("a"),
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {"Delete": {"TableName": "t", "Key": _key("a-gone")}},
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": _key("guard"),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert table.get_item(TableName="t", Key=_key("a"))["Item"]["n"] == {"N": "1"}
    assert "Item" not in table.get_item(TableName="t", Key=_key("new"))
    assert [e[:2] for e in _stream()] == [("INSERT", "a"), ("INSERT", "guard")]
    assert dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables["t"].stream_shard is shard_before
    table.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": _key("new")}},
            {
                "Update": {
                    "TableName": "t",
                    "Key": _key("a"),
                    "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                }
            },
        ]
    )
    assert table.get_item(TableName="t", Key=_key("a"))["Item"]["n"] == {"N": "2"}
    events = _stream()
    assert [e[:2] for e in events] == [
        ("INSERT", "a"),
        ("INSERT", "guard"),
        ("INSERT", "new"),
        ("MODIFY", "a"),
    ]
    assert [int(e[2]) for e in events] == list(range(int(events[0][2]), int(events[0][2]) + 4))


def test_an_update_that_creates_its_item_writes_one_insert(table):
    table.update_item(
        TableName="t",
        Key=_key("u"),
        UpdateExpression="SET n = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    table.put_item(TableName="t", Item=_key("p"))
    events = _stream()
    assert [e[:2] for e in events] == [("INSERT", "u"), ("INSERT", "p")]
    assert int(events[1][2]) == int(events[0][2]) + 1
    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables["t"].stream_shard
    assert shard.items[0].record["dynamodb"]["NewImage"]["n"] == {"N": "1"}
