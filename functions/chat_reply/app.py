"""Lambda entry point: late chat replies from the chat reply queue → the platforms' send APIs.

Partial failures are reported per message (ReportBatchItemFailures); a job is sent once
(microwish.chat_platforms.callback.deliver_late).
"""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from microwish.api.context import repository
from microwish.chat_platforms import callback

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record):
    callback.deliver_late(json.loads(record.body), repository())


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
