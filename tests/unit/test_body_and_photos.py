"""Request bodies read safely (api/body.py) and the photo bucket's calls (photo_store.py, on moto's S3)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto import mock_aws

from microwish import photo_store
from microwish.api.body import TooLongNumber, not_utf8, parse_json_body

BUCKET = "microwish-photos-test"


# ---------------------------------------------------------------- bodies
def test_a_body_parses_as_json_with_its_integers() -> None:
    assert parse_json_body('{"target_fen": 150000, "groups": ["a"]}') == {"target_fen": 150000, "groups": ["a"]}


def test_an_integer_too_long_for_python_is_a_value_no_field_takes() -> None:
    parsed = parse_json_body('{"target_fen": ' + "9" * 5000 + ', "n": -' + "1" * 5000 + "}")
    assert isinstance(parsed["target_fen"], TooLongNumber)
    assert isinstance(parsed["n"], TooLongNumber)
    assert repr(parsed["n"]) == "TooLongNumber()"


def test_json_nested_too_deep_is_malformed_json_not_a_recursion_error() -> None:
    with pytest.raises(json.JSONDecodeError, match="nested too deep"):
        parse_json_body("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("event", "refused"),
    [
        ({"body": base64.b64encode("谢桂云".encode()).decode(), "isBase64Encoded": True}, False),
        ({"body": base64.b64encode("谢桂云".encode("gbk")).decode(), "isBase64Encoded": True}, True),
        ({"body": "not base64 at all!", "isBase64Encoded": True}, True),
        ({"body": "谢桂云", "isBase64Encoded": False}, False),
        ({"body": None, "isBase64Encoded": True}, False),
        ({}, False),
    ],
)
def test_only_a_base64_body_that_is_not_utf8_is_refused(event: dict[str, object], refused: bool) -> None:
    assert not_utf8(event) is refused


# ---------------------------------------------------------------- photos
@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    photo_store.s3_client.cache_clear()
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield BUCKET
    photo_store.s3_client.cache_clear()


def test_an_upload_url_is_signed_for_the_type_the_size_and_the_pending_tag(bucket: str) -> None:
    url = photo_store.presign_put(bucket, "deliveries/w-1/p.jpg", "image/jpeg", 1234, 300)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path.endswith("/deliveries/w-1/p.jpg") and bucket in url
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    signed = query["X-Amz-SignedHeaders"][0].split(";")
    assert {"content-type", "content-length", "x-amz-tagging"} <= set(signed)


def test_a_photo_exists_once_put_and_is_retagged_attached(bucket: str) -> None:
    s3 = boto3.client("s3")
    assert not photo_store.exists(bucket, "deliveries/w-1/p.jpg")
    s3.put_object(Bucket=bucket, Key="deliveries/w-1/p.jpg", Body=b"jpeg", Tagging=photo_store.PENDING)
    assert photo_store.exists(bucket, "deliveries/w-1/p.jpg")
    photo_store.mark_attached(bucket, "deliveries/w-1/p.jpg")
    photo_store.mark_attached(bucket, "deliveries/w-1/p.jpg")  # idempotent
    tags = s3.get_object_tagging(Bucket=bucket, Key="deliveries/w-1/p.jpg")["TagSet"]
    assert tags == [{"Key": "state", "Value": "attached"}]


def test_another_s3_error_than_not_found_is_raised(bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    def denied(**_: object) -> None:
        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadObject")

    monkeypatch.setattr(photo_store.s3_client(), "head_object", denied)
    with pytest.raises(ClientError):
        photo_store.exists(bucket, "deliveries/w-1/p.jpg")
