"""infra.local.motopatch: cheap, stream-safe transaction rollback and one INSERT per created item."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
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


@pytest.mark.parametrize("writes", [0, 1, 2, 37])
def test_a_stream_pollers_start_at_the_end_finds_the_last_record_without_reading_the_shard(table, writes):
    """start_positions(at_end=True) (a restart after the replayed history) and end_positions find the
    shard's last record by a search of one-record reads: the same as reading every record."""
    import threading

    from infra.local.pollers import StreamPoller
    from infra.local.specs import StreamSource

    for n in range(writes):
        table.put_item(TableName="t", Item={"pk": {"S": f"p{n}"}, "sk": {"S": "s"}})
    arn = table.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    # moto in-process answers only the regional endpoint, not botocore's account-based one.
    streams = boto3.client(
        "dynamodbstreams", region_name="us-east-1", config=Config(account_id_endpoint_mode="disabled")
    )
    poller = StreamPoller(
        StreamSource("S", "F", arn, starting_position="TRIM_HORIZON"),
        streams,
        lambda _: None,
        lambda *_: None,
        "us-east-1",
        "arn:f",
        threading.Event(),
        lambda *_: None,
    )
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    assert len(records) == writes
    last = records[-1]["dynamodb"]["SequenceNumber"] if records else None
    poller.start_positions(at_end=True)
    assert [cursor.sequence for cursor in poller.cursors] == [last]
    assert poller.end_positions() == {shard["ShardId"]: last}
    poller.start_positions()  # TRIM_HORIZON, as the template says, on a first start
    assert [cursor.sequence for cursor in poller.cursors] == [None]


def test_get_records_is_written_as_it_is_stored_and_reads_as_moto_would_answer(table):
    item = {
        "pk": {"S": "a"},
        "sk": {"S": "b"},
        "donors": {"SS": [f"donor-{n}" for n in range(50)]},
        "n": {"N": "12"},
        "m": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}]}, "yes": {"BOOL": True}, "none": {"NULL": True}}},
        "blob": {"B": b"\x00\xff"},
    }
    table.put_item(TableName="t", Item=item)
    table.put_item(TableName="t", Item={**item, "n": {"N": "13"}})
    streams = boto3.client(
        "dynamodbstreams", region_name="us-east-1", config=Config(account_id_endpoint_mode="disabled")
    )

    def records() -> list[dict]:
        arn = table.describe_table(TableName="t")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        answer = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=10)
        assert answer["NextShardIterator"]
        return answer["Records"]

    patched = records()
    motopatch.revert()  # moto's own serializer
    try:
        plain = records()
    finally:
        motopatch.apply()
    assert [r["eventName"] for r in patched] == ["INSERT", "MODIFY"]
    assert patched == plain
    assert patched[1]["dynamodb"]["NewImage"]["blob"] == {"B": b"\x00\xff"}
