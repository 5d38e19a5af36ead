"""The state folder's journal (infra/local/journal.py): which calls it keeps, how it renames, what it
replays, and that a line cut by a kill is not replayed."""

from __future__ import annotations

import base64
import json

import pytest

from infra.local.journal import Journal, entry, is_journaled_write, name_changes, put_item_line, rename

SCOPE = "20260101/us-east-1/s3/aws4_request"


def dynamodb(action: str) -> dict[str, str]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "HTTP_X_AMZ_TARGET": f"DynamoDB_20120810.{action}",
        "CONTENT_TYPE": "application/x-amz-json-1.0",
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 ...",
    }


def test_only_successful_data_writes_are_kept():
    for action in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"):
        assert is_journaled_write(dynamodb(action)), action
    for action in ("GetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "CreateTable"):
        assert not is_journaled_write(dynamodb(action)), action
    assert not is_journaled_write({"HTTP_X_AMZ_TARGET": "DynamoDBStreams_20120810.GetRecords"})
    assert is_journaled_write({"HTTP_X_AMZ_TARGET": "AmazonSSM.PutParameter"})
    assert not is_journaled_write({"HTTP_X_AMZ_TARGET": "AmazonSQS.SendMessage"})  # queues are not kept
    presigned = {
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": "/photos/k.jpg",
        "QUERY_STRING": f"X-Amz-Credential=testing%2F{SCOPE.replace('/', '%2F')}&X-Amz-Signature=ab",
    }
    assert is_journaled_write(presigned)
    assert not is_journaled_write({**presigned, "REQUEST_METHOD": "GET"})


def test_a_presigned_upload_is_kept_without_its_expiring_signature():
    credential = f"testing%2F{SCOPE.replace('/', '%2F')}"
    environ = {
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": "/photos/a b.jpg",
        "HTTP_X_AMZ_TAGGING": "state=pending",
        "QUERY_STRING": f"X-Amz-Credential={credential}&X-Amz-Expires=900&x-id=PutObject",
        "CONTENT_TYPE": "image/jpeg",
        "HTTP_X_AMZ_DATE": "20260101T000000Z",
    }
    line = entry(environ, b"jpeg")
    assert line["query"] == "x-id=PutObject" and line["path"] == "/photos/a b.jpg"
    assert f"Credential=testing/{SCOPE}" in line["headers"]["HTTP_AUTHORIZATION"]
    assert line["headers"]["HTTP_X_AMZ_TAGGING"] == "state=pending" and "HTTP_X_AMZ_DATE" not in line["headers"]
    assert base64.b64decode(line["body"]) == b"jpeg"


def test_names_of_the_old_stack_become_the_new_stacks():
    changes = name_changes(
        {"WishTable": "microwish-WishTable-OLD", "Bucket": "b-old", "Gone": "x"},
        {"WishTable": "microwish-WishTable-NEW", "Bucket": "b-old", "New": "y"},
    )
    assert changes == {"microwish-WishTable-OLD": "microwish-WishTable-NEW"}
    body = json.dumps({"TableName": "microwish-WishTable-OLD"}).encode()
    line = {"method": "POST", "path": "/", "query": "", "headers": {}, "body": base64.b64encode(body).decode()}
    assert json.loads(base64.b64decode(rename(line, changes)["body"])) == {"TableName": "microwish-WishTable-NEW"}


def test_replay_renames_keeps_refused_calls_skips_a_cut_line_and_then_records(tmp_path):
    path = tmp_path / "journal.jsonl"
    good = {"method": "POST", "path": "/", "query": "", "headers": {}, "body": base64.b64encode(b"t-OLD").decode()}
    refused = {**good, "path": "/refused"}
    header = {"resources": {"Table": "t-OLD"}}
    path.write_bytes("".join(json.dumps(line) + "\n" for line in (header, good, refused)).encode() + b'{"meth')
    journal = Journal(path)
    seen = []

    def call(line):
        seen.append(base64.b64decode(line["body"]))
        return 400 if line["path"] == "/refused" else 200

    assert journal.replay({"Table": "t-NEW"}, call) == {"replayed": 1, "failed": 1, "kept": 2}
    assert seen == [b"t-NEW", b"t-NEW"]  # the cut last line (a kill mid-write) is not replayed
    journal.append({**good, "path": "/later"})
    lines = [json.loads(raw) for raw in path.read_text().splitlines()]
    assert lines[0] == {"resources": {"Table": "t-NEW"}}  # the names and the calls: one atomic file
    assert [line["path"] for line in lines[1:]] == ["/", "/refused", "/later"]  # a refused call is not lost
    assert base64.b64decode(lines[1]["body"]) == b"t-NEW"
    with pytest.raises(RuntimeError, match="in use by another local runtime"):
        Journal(path, lock_timeout=0.2)


def test_a_replayed_journal_is_compacted_to_one_put_per_item(tmp_path):
    path = tmp_path / "journal.jsonl"
    update = {
        "method": "POST",
        "path": "/",
        "query": "",
        "body": base64.b64encode(b"{}").decode(),
        "headers": {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.UpdateItem"},
    }
    upload = {"method": "PUT", "path": "/photos/k", "query": "", "headers": {}, "body": ""}
    path.write_text("".join(json.dumps(line) + "\n" for line in [update, upload, update, update]))
    journal = Journal(path)
    item = {"PK": {"S": "WISH#1"}, "count": {"N": "3"}}
    counts = journal.replay({}, lambda line: 200, lambda: [put_item_line("wishes", item, "us-east-1")])
    assert counts == {"replayed": 4, "failed": 0, "kept": 2}
    kept = [json.loads(raw) for raw in path.read_text().splitlines()][1:]
    assert kept[0]["headers"]["HTTP_X_AMZ_TARGET"] == "DynamoDB_20120810.PutItem"
    assert json.loads(base64.b64decode(kept[0]["body"])) == {"TableName": "wishes", "Item": item}
    assert kept[1] == upload  # S3 and SSM calls are kept as they were
