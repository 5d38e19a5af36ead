"""The event router: the wish table's stream is the outbox.

Every state change writes an audit item in the same transaction as the change; the stream hands
each new audit item here (the event source's filter lets only INSERTs of type=audit through), and
this turns it into one job per recipient on the notification queue. A crash between the change
and the queue loses nothing: the stream redelivers the record until it is done (then, after
MaximumRetryAttempts, its batch info goes to the router's DLQ). A record sent twice gives the
same jobs twice, and the notifier sends each (event, recipient, channel) once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

from ..repository import from_dynamo, keys
from ..settings import get_settings
from .channels import DeliveryError, aws_client
from .config import NotifyConfig
from .recipients import Job, jobs_for

logger = Logger(child=True)


def audit_item(record: dict[str, Any]) -> dict[str, Any] | None:
    """The new audit item (or recognition event: an activity held) of a stream record; None for anything else
    (the filter should drop those)."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage")
    if not image:
        return None
    item = from_dynamo(image)
    if keys.is_backfilled_event(item):
        return None  # an activity recorded long before (infra/ops/backfill_recognition.py): counted, never told
    return item if item.get("type") in ("audit", "recognition_event") else None


def enqueue(jobs: list[Job], queue_url: str) -> None:
    if not jobs:
        return
    if not queue_url:
        raise DeliveryError("NOTIFICATION_QUEUE_URL is not set")
    sqs = aws_client("sqs")
    for start in range(0, len(jobs), 10):
        chunk = jobs[start : start + 10]
        response = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(index), "MessageBody": job.model_dump_json()} for index, job in enumerate(chunk)],
        )
        if response.get("Failed"):
            raise DeliveryError(f"{len(response['Failed'])} notification jobs were not queued")


@cache
def _queue_url() -> str:
    return NotifyConfig.from_env().queue_url


def record_handler(record: Any) -> None:
    item = audit_item(record.raw_event)
    if item is None:
        return
    jobs = jobs_for(item, get_settings())
    enqueue(jobs, _queue_url())
    logger.info("event routed", extra={"event": item.get("action"), "wish_id": item.get("wish_id"), "jobs": len(jobs)})


def reset() -> None:
    _queue_url.cache_clear()
