"""Lambda entry point: late chat replies from the chat reply queue → the platforms' send APIs.

Partial failures are reported per message (ReportBatchItemFailures); a job is sent once
(microwish.chat_platforms.callback.deliver_late).
"""

import json

from aws_lambda_powertools import Logger

from microwish.api.context import repository
from microwish.chat_platforms import callback
from microwish.partial_batch import process_partial, sqs_message_id

logger = Logger()


def record_handler(record):
    callback.deliver_late(json.loads(record["body"]), repository())


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return process_partial(event, record_handler, id_of=sqs_message_id)
