"""Lambda entry point: the wish table's stream (audit INSERTs) → report counters and the leaderboard.

Partial failures are reported per record (ReportBatchItemFailures): the stream retries from the first
failed record. Each audit event is counted once however often it comes (a marker per event is written
in the same transaction as its counter moves); see microwish.services.stats.
"""

from functools import cache

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from microwish.repository import WishRepository
from microwish.repository.warm import create_clients
from microwish.services import stats
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@cache
def _repository(table_name: str) -> WishRepository:
    return WishRepository(table_name)


def record_handler(record: DynamoDBRecord) -> None:
    stats.record_handler(record, _repository(get_settings().wish_table_name))


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
