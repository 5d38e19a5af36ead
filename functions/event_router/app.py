"""Lambda entry point: the wish table's stream (audit INSERTs) → notification jobs on the queue.

Partial failures are reported per record (ReportBatchItemFailures): the stream retries from the
first failed record; see microwish.notifications.router.
"""

from aws_lambda_powertools import Logger

from microwish.notifications import router
from microwish.notifications.warm import create_clients
from microwish.partial_batch import process_partial, stream_sequence_number

logger = Logger()
create_clients("sqs")  # at init, not on the first record


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return process_partial(event, router.record_handler, id_of=stream_sequence_number)
