"""Send a Lambda destination record (on-failure / on-success) to an SQS queue (the only kind of
destination the template uses)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

ClientFn = Callable[[str], Any]


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def send(arn: str, payload: dict[str, Any], clients: ClientFn) -> str | None:
    """Deliver `payload` (as JSON) to the destination ARN; None when sent, else why not."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 5 else ""
    if service != "sqs":
        return f"destination {arn} is not an SQS queue: not sent locally"
    try:
        sqs = clients("sqs")
        url = sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(payload, ensure_ascii=False))
    except Exception as error:
        return f"could not send to {arn}: {type(error).__name__}: {error}"
    return None


def async_invocation_record(
    *,
    function_arn: str,
    request_id: str,
    event: Any,
    attempts: int,
    ok: bool,
    result: Any = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record Lambda sends to an asynchronous invocation's OnFailure/OnSuccess destination."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": utc_stamp(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "Success" if ok else "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": result if ok else {k: v for k, v in (error or {}).items() if k != "stackTrace"},
    }
    if not ok:
        record["responseContext"]["functionError"] = "Unhandled"
    return record
