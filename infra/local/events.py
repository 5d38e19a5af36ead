"""Lambda events exactly as AWS hands them to a function: pure builders, no I/O.

The local runtime uses these, and so can handler tests (`from infra.local.events import ...`):

- `http_event(...)`: API Gateway HTTP API, payload format 2.0 (what an `HttpApi` event delivers),
  with `requestContext.authorizer.jwt.claims` as the JWT authorizer hands them over: every claim
  a string, a list claim such as `cognito:groups` as "[officer donor]".
- `sqs_event(...)`: an SQS event source mapping's batch, from ReceiveMessage results.
- `dynamodb_stream_event(...)`: a DynamoDB stream event source mapping's batch, from GetRecords.
- `scheduled_event(...)`: what EventBridge Scheduler (the schedule's Input, or `{}`) or an
  EventBridge rule (the rule's Input, or a "Scheduled Event") delivers.
- `LambdaContext`: a stand-in for the context object (Powertools reads its attributes).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_API_ID = "local"

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]] | None


# --- HTTP API (payload format 2.0) ----------------------------------------------------------


def claim_value(value: Any) -> str:
    """One JWT claim as API Gateway's JWT authorizer passes it on: always a string.

    A list becomes "[a b]" (space-separated in brackets, as reported for cognito:groups); numbers
    and booleans their JSON text; an object its JSON.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(claim_value(item) for item in value) + "]"
    if isinstance(value, (dict,)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if value is None:
        return ""
    return json.dumps(value)


def authorizer_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """A verified token's claims, stringified the way requestContext.authorizer.jwt.claims has them."""
    return {name: claim_value(value) for name, value in claims.items()}


def _header_pairs(headers: HeaderInput) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def _join_duplicates(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _request_time(now: datetime) -> str:
    return now.strftime("%d/%b/%Y:%H:%M:%S +0000")


def encode_body(body: bytes | str | None) -> tuple[str | None, bool]:
    """The (body, isBase64Encoded) pair: text stays text, bytes that are not UTF-8 go base64."""
    if body is None:
        return None, False
    if isinstance(body, str):
        return body, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def http_event(
    method: str,
    path: str,
    *,
    route_key: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: str = "",
    headers: HeaderInput = None,
    body: bytes | str | None = None,
    claims: Mapping[str, Any] | None = None,
    scopes: list[str] | None = None,
    source_ip: str = "127.0.0.1",
    api_id: str = DEFAULT_API_ID,
    domain_name: str | None = None,
    request_id: str | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    stage: str = "$default",
    now: datetime | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload 2.0 event.

    `path` is the raw path as requested (percent-encoded, without the query string); `query` the
    raw query string. `headers` may be a mapping or a list of pairs (for repeated headers: they
    are joined with commas). `claims`, when given, are the verified token's claims (any JSON
    values; they are stringified as the JWT authorizer does) and make the event carry
    `requestContext.authorizer.jwt`; leave it None for a route without an authorizer.
    """
    method = method.upper()
    now = now or datetime.now(UTC)
    route_key = route_key or f"{method} {path}"
    pairs = [(name.lower(), value) for name, value in _header_pairs(headers)]
    cookies = [part.strip() for name, value in pairs if name == "cookie" for part in value.split(";") if part.strip()]
    header_map = _join_duplicates((name, value) for name, value in pairs if name != "cookie")
    domain_name = domain_name or header_map.get("host") or f"{api_id}.execute-api.localhost"
    request_id = request_id or base64.b32encode(uuid.uuid4().bytes)[:16].decode("ascii")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = header_map
    if query:
        event["queryStringParameters"] = _join_duplicates(parse_qsl(query, keep_blank_values=True))
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0],
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": header_map.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": _request_time(now),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": authorizer_claims(claims), "scopes": scopes}}
    event["requestContext"] = context
    text, is_base64 = encode_body(body)
    if text is not None:
        event["body"] = text
    if path_parameters:
        event["pathParameters"] = {name: unquote(value) for name, value in path_parameters.items()}
    event["isBase64Encoded"] = is_base64
    return event


# --- SQS --------------------------------------------------------------------------------------


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    binary = value.get("BinaryValue")
    if isinstance(binary, (bytes, bytearray)):
        binary = base64.b64encode(binary).decode("ascii")
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": binary,
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": [
            base64.b64encode(item).decode("ascii") if isinstance(item, (bytes, bytearray)) else item
            for item in value.get("BinaryListValues") or []
        ],
        "dataType": value.get("DataType", "String"),
    }


def sqs_record(message: Mapping[str, Any], *, queue_arn: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
    """One Lambda SQS record from one ReceiveMessage message (boto3 shape)."""
    body = message.get("Body", "")
    attributes = {str(k): str(v) for k, v in (message.get("Attributes") or {}).items()}
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": attributes,
        "messageAttributes": {
            name: _message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode("utf-8")).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sqs_event(messages: Iterable[Mapping[str, Any]], *, queue_arn: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
    """The event an SQS event source mapping delivers for a batch of received messages."""
    return {"Records": [sqs_record(m, queue_arn=queue_arn, region=region) for m in messages]}


# --- DynamoDB streams -----------------------------------------------------------------------


def _attribute_value(value: Any) -> Any:
    """Low-level AttributeValue with bytes as base64 text (as in the JSON Lambda receives)."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {k: _attribute_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_attribute_value(v) for v in value]
    return value


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return value
    return value


def dynamodb_stream_record(
    record: Mapping[str, Any], *, stream_arn: str, region: str = DEFAULT_REGION
) -> dict[str, Any]:
    """One Lambda DynamoDB stream record from one GetRecords record (boto3 shape)."""
    source = record.get("dynamodb") or {}
    data: dict[str, Any] = {}
    if "ApproximateCreationDateTime" in source:
        data["ApproximateCreationDateTime"] = _epoch(source["ApproximateCreationDateTime"])
    for name in ("Keys", "NewImage", "OldImage"):
        if name in source:
            data[name] = _attribute_value(source[name])
    for name in ("SequenceNumber", "SizeBytes", "StreamViewType"):
        if name in source:
            data[name] = source[name]
    out = {
        "eventID": record.get("eventID") or uuid.uuid4().hex,
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": data,
        "eventSourceARN": stream_arn,
    }
    if record.get("userIdentity"):
        out["userIdentity"] = dict(record["userIdentity"])
    return out


def dynamodb_stream_event(
    records: Iterable[Mapping[str, Any]], *, stream_arn: str, region: str = DEFAULT_REGION
) -> dict[str, Any]:
    """The event a DynamoDB stream event source mapping delivers for a batch of records."""
    return {"Records": [dynamodb_stream_record(r, stream_arn=stream_arn, region=region) for r in records]}


# --- schedules ------------------------------------------------------------------------------


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scheduled_event(
    input: str | Mapping[str, Any] | None = None,
    *,
    kind: str = "scheduler",
    schedule_arn: str = "",
    now: datetime | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    execution_id: str | None = None,
    attempt: int = 1,
) -> Any:
    """What a schedule hands its target function.

    kind="scheduler" (EventBridge Scheduler, SAM `ScheduleV2`): the Input (JSON text, with the
    `<aws.scheduler.*>` context attributes filled in), or `{}` without one.
    kind="events" (an EventBridge rule, SAM `Schedule`): the rule target's Input, or the
    "Scheduled Event" envelope without one.
    """
    now = now or datetime.now(UTC)
    if kind == "scheduler":
        if input is None:
            return {}
        if not isinstance(input, str):
            return dict(input)
        text = (
            input.replace("<aws.scheduler.schedule-arn>", schedule_arn)
            .replace("<aws.scheduler.scheduled-time>", _rfc3339(now))
            .replace("<aws.scheduler.execution-id>", execution_id or str(uuid.uuid4()))
            .replace("<aws.scheduler.attempt-number>", str(attempt))
        )
        return json.loads(text)
    if kind == "events":
        if input is not None:
            return json.loads(input) if isinstance(input, str) else dict(input)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": account_id,
            "time": _rfc3339(now),
            "region": region,
            "resources": [schedule_arn] if schedule_arn else [],
            "detail": {},
        }
    raise ValueError(f"unknown schedule kind {kind!r} (expected 'scheduler' or 'events')")


# --- context ----------------------------------------------------------------------------------


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that code (and Powertools) reads."""

    function_name: str = "local-function"
    memory_limit_in_mb: int = 128
    timeout_s: float = 3.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    function_version: str = "$LATEST"
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    deadline_ms: int = 0
    identity: Any = None
    client_context: Any = None

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"
        if not self.log_group_name:
            self.log_group_name = f"/aws/lambda/{self.function_name}"
        if not self.log_stream_name:
            self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        if not self.deadline_ms:
            self.deadline_ms = int(time.time() * 1000 + self.timeout_s * 1000)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))
