"""Lambda entry point (ops, invoked by hand: `make replay-dlq`): replay or redrive every dead-letter queue.

Event (all optional): {"queues": ["event_router", "stats_consumer", "notifications", "escalation", "lease",
"retention"], "limit": 1000, "dry_run": false}. Returns what was done per queue; see
microwish.services.replay and README "Runbook: dead letters".
"""

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from microwish.repository import WishRepository
from microwish.repository.dead_letters import AuditWindow
from microwish.repository.warm import create_clients
from microwish.services import replay
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation

_DLQ_ENV = {
    "event_router": "EVENT_ROUTER_DLQ_URL",
    "stats_consumer": "STATS_CONSUMER_DLQ_URL",
    "notifications": "NOTIFICATION_DLQ_URL",
    "chat_replies": "CHAT_REPLY_DLQ_URL",
    "escalation": "ESCALATION_DLQ_URL",
    "lease": "LEASE_DLQ_URL",
    "retention": "RETENTION_DLQ_URL",
    "quota_reminder": "QUOTA_REMINDER_DLQ_URL",
}
_SWEEP_ENV = {
    "escalation": "ESCALATION_SWEEP_FUNCTION",
    "lease": "LEASE_SWEEP_FUNCTION",
    "retention": "RETENTION_SWEEP_FUNCTION",
    "quota_reminder": "QUOTA_REMINDER_FUNCTION",
}


def run_sweep(name: str) -> Any:
    """Invoke a sweep once, and wait for it: its failure leaves the dead letters where they are."""
    response = boto3.client("lambda").invoke(
        FunctionName=os.environ[_SWEEP_ENV[name]], Payload=json.dumps({"trigger": "replay-dlq"}).encode()
    )
    payload = response["Payload"].read()
    if response.get("FunctionError"):
        raise RuntimeError(f"{name} sweep failed: {payload[:200]!r}")
    return json.loads(payload or b"null")


def targets(sweep: Any = run_sweep, context: Any = None) -> replay.Targets:
    settings = get_settings()
    time_left = getattr(context, "get_remaining_time_in_millis", None)
    found = replay.Targets(
        audit=AuditWindow(settings.wish_table_name),
        repo=WishRepository(settings.wish_table_name),
        settings=settings,
        sqs=boto3.client("sqs"),
        notification_queue_url=os.environ["NOTIFICATION_QUEUE_URL"],
        dead_letter_urls={name: os.environ[variable] for name, variable in _DLQ_ENV.items()},
        run_sweep=sweep,
        chat_reply_queue_url=os.environ.get("CHAT_REPLY_QUEUE_URL", ""),
    )
    if time_left:  # in Lambda: the invocation's time left (else the default, unlimited)
        found.seconds_left = lambda: time_left() / 1000
    return found


@logger.inject_lambda_context(log_event=True)
def handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    event = event or {}
    return replay.replay(
        targets(context=context),
        event.get("queues"),
        limit=int(event.get("limit", 1000)),
        dry_run=event.get("dry_run") is True,
    )
