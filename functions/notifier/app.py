"""Lambda entry point: notification jobs from the queue → inbox, SMS, e-mail, chat groups.

Partial failures are reported per message (ReportBatchItemFailures); each (event, recipient,
channel) is sent once; see microwish.notifications.delivery.
"""

from functools import partial

from aws_lambda_powertools import Logger

from microwish.notifications import delivery
from microwish.notifications.warm import create_clients
from microwish.partial_batch import process_partial, sqs_message_id

logger = Logger()
create_clients("dynamodb", "ssm")  # at init, not on the first record


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    delivery.register_lambda_context(context)
    return process_partial(event, partial(delivery.record_handler, lambda_context=context), id_of=sqs_message_id)
