"""Partial batch responses (ReportBatchItemFailures) for the queue and stream consumers.

What Powertools' `BatchProcessor` + `process_partial_response` did for them, in a loop: each record is handed
to the record handler; one that raises is reported by its id (an SQS message id, a stream record's sequence
number) and the others still run; the event source retries only what is reported. Not Powertools' batch
utility: its package imports asyncio and every event class of Powertools (~60 ms of CPU, about 15 % of a
function's cold start; README "Cold start"), for records these functions read as plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(child=True)

Record = dict[str, Any]


def sqs_message_id(record: Record) -> str:
    return str(record["messageId"])


def stream_sequence_number(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def process_partial(
    event: dict[str, Any], record_handler: Callable[[Record], None], *, id_of: Callable[[Record], str]
) -> dict[str, list[dict[str, str]]]:
    """Run `record_handler` on every record of `event`; the ids of those that raised, as Lambda expects them."""
    failures: list[dict[str, str]] = []
    for record in event.get("Records") or []:
        try:
            record_handler(record)
        except Exception as error:  # the type only: an exception's text might quote a person's data
            logger.warning("record failed", extra={"error_type": type(error).__name__})
            failures.append({"itemIdentifier": id_of(record)})
    return {"batchItemFailures": failures}
