"""Lambda entry point: the wish table's stream (audit and recognition-event INSERTs) → report counters, the
leaderboard and the recognition counters.

A batch is counted together: its events' moves merged into one update per counter item, in a few
transactions, each with the markers of the events it counts (see microwish.services.stats). Each audit
event is counted once however often it comes. When counting fails the whole batch is reported failed from
its first record: the stream delivers it again and the markers skip what was counted.
"""

from functools import cache

from aws_lambda_powertools import Logger

from microwish.repository import WishRepository
from microwish.repository.warm import create_clients
from microwish.services import recognition_counts, stats
from microwish.settings import get_settings

logger = Logger()
create_clients()  # at init, not on the first invocation


@cache
def _repository(table_name: str) -> WishRepository:
    return WishRepository(table_name)


@logger.inject_lambda_context(log_event=False)
def handler(event, context):
    records = event.get("Records") or []
    try:
        repo = _repository(get_settings().wish_table_name)
        stats.stream_batch(records, repo)
        recognition_counts.stream_batch(records, repo)  # activities, volunteer hours, activity credits
    except Exception as error:  # report it; the record ids say nothing about a person
        logger.exception("counting the batch failed", extra={"error": type(error).__name__, "records": len(records)})
        first = (records[0].get("dynamodb") or {}).get("SequenceNumber") if records else None
        return {"batchItemFailures": [{"itemIdentifier": first}] if first else []}
    return {"batchItemFailures": []}
