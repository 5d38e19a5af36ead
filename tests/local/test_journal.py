"""The state folder's journal (infra/local/journal.py): which calls it keeps, how it renames, what it
replays, and that a line cut by a kill is not replayed."""

from __future__ import annotations

import base64
import json

import pytest

from infra.local.journal import Journal, entry, is_journaled_write, name_changes, rename

SCOPE = "20260101/us-east-1/s3/aws4_request"


def dynamodb(action: str) -> dict[str, str]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "HTTP_X_AMZ_TARGET": f"DynamoDB_20120810.{action}",
            "CONTENT_TYPE": "application/x-amz-json-1.0", "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 ..."}


def test_only_successful_data_writes_are_kept():
    for action in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"):
        assert is_journaled_write(dynamodb(action)), action
    for action in ("GetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "CreateTable"):
        assert not is_journaled_write(dynamodb(action)), action
    assert not is_journaled_write({"HTTP_X_AMZ_TARGET": "DynamoDBStreams_20120810.GetRecords"})
    assert is_journaled_write({"HTTP_X_AMZ_TARGET": "AmazonSSM.PutParameter"})
    assert not is_journaled_write({"HTTP_X_AMZ_TARGET": "AmazonSQS.SendMessage"})  # queues are not kept
    presigned = {"REQUEST_METHOD": "PUT", "PATH_INFO": "/photos/k.jpg",
                 "QUERY_STRING": f"X-Amz-Credential=testing%2F{SCOPE.replace('/', '%2F')}&X-Amz-Signature=ab"}
    assert is_journaled_write(presigned)
    assert not is_journaled_write({**presigned, "REQUEST_METHOD": "GET"})


def test_a_presigned_upload_is_kept_without_its_expiring_signature():
    credential = f"testing%2F{SCOPE.replace('/', '%2F')}"
    environ = {"REQUEST_METHOD": "PUT", "PATH_INFO": "/photos/a b.jpg", "HTTP_X_AMZ_TAGGING": "state=pending",
               "QUERY_STRING": f"X-Amz-Credential={credential}&X-Amz-Expires=900&x-id=PutObject",
               "CONTENT_TYPE": "image/jpeg", "HTTP_X_AMZ_DATE": "20260101T000000Z"}
    line = entry(environ, b"jpeg")
    assert line["query"] == "x-id=PutObject" and line["path"] == "/photos/a b.jpg"
    assert f"Credential=testing/{SCOPE}" in line["headers"]["HTTP_AUTHORIZATION"]
    assert line["headers"]["HTTP_X_AMZ_TAGGING"] == "state=pending" and "HTTP_X_AMZ_DATE" not in line["headers"]
    assert base64.b64decode(line["body"]) == b"jpeg"


def test_names_of_the_old_stack_become_the_new_stacks():
    changes = name_changes({"WishTable": "microwish-WishTable-OLD", "Bucket": "b-old", "Gone": "x"},
                           {"WishTable": "microwish-WishTable-NEW", "Bucket": "b-old", "New": "y"})
    assert changes == {"microwish-WishTable-OLD": "microwish-WishTable-NEW"}
    body = json.dumps({"TableName": "microwish-WishTable-OLD"}).encode()
    line = {"method": "POST", "path": "/", "query": "", "headers": {}, "body": base64.b64encode(body).decode()}
    assert json.loads(base64.b64decode(rename(line, changes)["body"])) == {"TableName": "microwish-WishTable-NEW"}


def test_replay_keeps_what_succeeds_skips_a_cut_line_and_then_records(tmp_path):
    path = tmp_path / "journal.jsonl"
    good = {"method": "POST", "path": "/", "query": "", "headers": {}, "body": base64.b64encode(b"OLD").decode()}
    refused = {**good, "path": "/refused"}
    path.write_bytes((json.dumps(good) + "\n" + json.dumps(refused) + "\n").encode() + b'{"method": "PO')
    journal = Journal(path)
    seen = []

    def call(line):
        seen.append(base64.b64decode(line["body"]))
        return 400 if line["path"] == "/refused" else 200

    assert journal.replay({"OLD": "NEW"}, call) == {"replayed": 1, "failed": 1}
    assert seen == [b"NEW", b"NEW"]  # the cut last line (a kill mid-write) is not replayed
    journal.append({**good, "path": "/later"})
    kept = [json.loads(raw) for raw in path.read_text().splitlines()]
    assert [line["path"] for line in kept] == ["/", "/later"]
    assert base64.b64decode(kept[0]["body"]) == b"NEW"
    with pytest.raises(RuntimeError, match="in use by another local runtime"):
        Journal(path, lock_timeout=0.2)
