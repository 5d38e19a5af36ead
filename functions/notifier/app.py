"""Lambda entry point: notification jobs from the queue → inbox, SMS, e-mail, chat groups.

Partial failures are reported per message (ReportBatchItemFailures); each (event, recipient,
channel) is sent once; see microwish.notifications.delivery.
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from microwish.notifications import delivery
from microwish.notifications.warm import create_clients

logger = Logger()
create_clients("dynamodb", "ssm")  # at init, not on the first record
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    delivery.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=delivery.record_handler, processor=processor, context=context
    )
