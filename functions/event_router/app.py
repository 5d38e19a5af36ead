"""Lambda entry point: the wish table's stream (audit INSERTs) → notification jobs on the queue.

Partial failures are reported per record (ReportBatchItemFailures): the stream retries from the
first failed record; see microwish.notifications.router.
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from microwish.notifications import router
from microwish.notifications.warm import create_clients

logger = Logger()
create_clients("sqs")  # at init, not on the first record
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return process_partial_response(
        event=event, record_handler=router.record_handler, processor=processor, context=context
    )
