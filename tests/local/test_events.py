"""infra.local.events builds the events AWS hands to functions: checked against Powertools' models."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventV2Model,
    DynamoDBStreamModel,
    EventBridgeModel,
    SqsModel,
)

from infra.local.events import (
    LambdaContext,
    authorizer_claims,
    claim_value,
    dynamodb_stream_event,
    http_event,
    scheduled_event,
    sqs_event,
)

NOW = datetime(2026, 3, 1, 8, 30, 5, tzinfo=UTC)


def test_http_event_has_the_payload_2_0_shape():
    event = http_event(
        "post",
        "/wishes/w-1/review",
        route_key="POST /wishes/{id}/review",
        path_parameters={"id": "w-1"},
        query="a=1&a=2&b=%E4%B8%AD",
        headers=[
            ("Content-Type", "application/json"),
            ("X-Multi", "1"),
            ("x-multi", "2"),
            ("Cookie", "s=1; t=2"),
            ("User-Agent", "curl/8"),
            ("Host", "127.0.0.1:3000"),
        ],
        body='{"decision": "approve"}',
        claims={"sub": "officer-1", "cognito:groups": ["officer", "donor"], "exp": 1700000000},
        source_ip="127.0.0.9",
        now=NOW,
    )
    APIGatewayProxyEventV2Model.model_validate(event)
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "POST /wishes/{id}/review"
    assert event["rawPath"] == "/wishes/w-1/review"
    assert event["rawQueryString"] == "a=1&a=2&b=%E4%B8%AD"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "中"}
    assert event["pathParameters"] == {"id": "w-1"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "1,2"
    assert event["headers"]["content-type"] == "application/json"
    http = event["requestContext"]["http"]
    assert http == {
        "method": "POST",
        "path": "/wishes/w-1/review",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.9",
        "userAgent": "curl/8",
    }
    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["domainName"] == "127.0.0.1:3000"
    assert context["time"] == "01/Mar/2026:08:30:05 +0000"
    assert context["timeEpoch"] == int(NOW.timestamp() * 1000)
    assert context["authorizer"] == {
        "jwt": {
            "claims": {"sub": "officer-1", "cognito:groups": "[officer donor]", "exp": "1700000000"},
            "scopes": None,
        }
    }
    assert event["body"] == '{"decision": "approve"}'
    assert event["isBase64Encoded"] is False


def test_powertools_reads_the_http_event():
    event = APIGatewayProxyEventV2(
        http_event(
            "GET",
            "/wishes",
            route_key="GET /wishes",
            query="region=4312",
            headers={"Cookie": "a=b"},
            claims={"sub": "u1", "cognito:groups": ["resident"]},
        )
    )
    assert event.http_method == "GET"
    assert event.path == "/wishes"
    assert event.query_string_parameters == {"region": "4312"}
    assert event.cookies == ["a=b"]
    assert event.request_context.authorizer.jwt_claim["cognito:groups"] == "[resident]"


def test_public_route_event_has_no_authorizer_and_omits_empty_parts():
    event = http_event("GET", "/health", route_key="GET /health")
    APIGatewayProxyEventV2Model.model_validate(event)
    assert "authorizer" not in event["requestContext"]
    for absent in ("body", "pathParameters", "queryStringParameters", "cookies"):
        assert absent not in event
    assert event["isBase64Encoded"] is False


def test_binary_bodies_are_base64_and_utf8_bytes_are_text():
    binary = http_event("POST", "/x", body=b"\xff\x00\x01")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\x00\x01"
    text = http_event("POST", "/x", body="微心愿".encode())
    assert text["isBase64Encoded"] is False
    assert text["body"] == "微心愿"


def test_claims_are_strings_as_the_jwt_authorizer_passes_them():
    assert claim_value(["officer"]) == "[officer]"
    assert claim_value(["officer", "donor"]) == "[officer donor]"
    assert claim_value(1700000000) == "1700000000"
    assert claim_value(True) == "true"
    assert authorizer_claims({"custom:region": "431222"}) == {"custom:region": "431222"}


def test_sqs_event_from_receive_message_results():
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh-1",
        "MD5OfBody": "x" * 32,
        "Body": '{"to": "13800000000"}',
        "Attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDA",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
        },
        "MessageAttributes": {
            "kind": {"StringValue": "sms", "DataType": "String"},
            "blob": {"BinaryValue": b"\x01", "DataType": "Binary"},
        },
    }
    event = sqs_event([message], queue_arn="arn:aws:sqs:us-east-1:123456789012:q", region="us-east-1")
    SqsModel.model_validate(event)
    record = event["Records"][0]
    assert record["messageId"] == "m-1"
    assert record["receiptHandle"] == "rh-1"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:q"
    assert record["messageAttributes"]["kind"]["stringValue"] == "sms"
    assert record["messageAttributes"]["blob"]["binaryValue"] == base64.b64encode(b"\x01").decode()


def test_dynamodb_stream_event_from_get_records_results():
    raw = {
        "eventID": "e1",
        "eventName": "MODIFY",
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 1, 1, tzinfo=UTC),
            "Keys": {"PK": {"S": "WISH#1"}, "SK": {"S": "META"}},
            "NewImage": {"PK": {"S": "WISH#1"}, "SK": {"S": "META"}, "photo": {"B": b"\x89PNG"}},
            "OldImage": {"PK": {"S": "WISH#1"}, "SK": {"S": "META"}},
            "SequenceNumber": "1100000000017454423009",
            "SizeBytes": 120,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
    event = dynamodb_stream_event([raw], stream_arn=arn)
    DynamoDBStreamModel.model_validate(event)
    record = event["Records"][0]
    assert record["eventSourceARN"] == arn
    assert record["dynamodb"]["ApproximateCreationDateTime"] == int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    assert record["dynamodb"]["NewImage"]["photo"] == {"B": base64.b64encode(b"\x89PNG").decode()}
    json.dumps(event)  # what the worker protocol sends


def test_scheduler_event_is_the_input_with_context_attributes():
    event = scheduled_event(
        '{"job": "escalate", "at": "<aws.scheduler.scheduled-time>"}',
        kind="scheduler",
        schedule_arn="arn:s",
        now=NOW,
    )
    assert event == {"job": "escalate", "at": "2026-03-01T08:30:05Z"}
    assert scheduled_event(None, kind="scheduler") == {}


def test_eventbridge_rule_event_without_input_is_a_scheduled_event():
    event = scheduled_event(None, kind="events", schedule_arn="arn:aws:events:us-east-1:1:rule/r", now=NOW)
    EventBridgeModel.model_validate(event)
    assert event["detail-type"] == "Scheduled Event"
    assert event["resources"] == ["arn:aws:events:us-east-1:1:rule/r"]
    assert scheduled_event('{"a": 1}', kind="events") == {"a": 1}


def test_lambda_context_has_what_powertools_reads():
    context = LambdaContext(function_name="f", memory_limit_in_mb=512, timeout_s=10)
    assert context.invoked_function_arn.endswith(":function:f")
    assert 9000 < context.get_remaining_time_in_millis() <= 10000
    assert context.aws_request_id
    expired = LambdaContext(deadline_ms=int(time.time() * 1000) - 5)
    assert expired.get_remaining_time_in_millis() == 0
