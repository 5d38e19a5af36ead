"""The template's SQS and DynamoDB stream event sources, run as Lambda's pollers run them.

moto's own event source mappings cannot run here (they need Docker, and they drop the messages
and records when that fails), so stack.py leaves them out of moto and these threads do the work:

SQS: receive up to BatchSize messages (waiting up to MaximumBatchingWindowInSeconds to fill the
batch), drop those that no FilterCriteria pattern matches (Lambda deletes them), invoke the
function, then delete what succeeded: everything on success; with ReportBatchItemFailures all
but the `batchItemFailures` (a malformed report fails the whole batch); nothing when the function
raised. moto's visibility timeout and RedrivePolicy then redeliver and dead-letter as SQS does.
Queues are long-polled (5 s).

DynamoDB streams: per shard, read from TRIM_HORIZON or LATEST (StartingPosition), invoke with up
to BatchSize records (FilterCriteria applied), and on
- success: move past the batch;
- partial failure (ReportBatchItemFailures): move to the first failed record and retry from it;
- an error: retry the same records (halving the batch first with BisectBatchOnFunctionError);
after MaximumRetryAttempts failed retries (-1: forever, as AWS until the record expires) the batch
is skipped and a failure record goes to DestinationConfig.OnFailure (an SQS queue).
Idle, a stream costs one GetRecords a second (0.1 s → 1 s back-off). The shard iterator of each
read is reused for the next one; a new one is taken after a retry, a partial failure, or an error
(moto drops old iterators: see motoserver.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from infra.local import destinations
from infra.local.events import dynamodb_stream_record, sqs_record
from infra.local.filters import matches_any
from infra.local.specs import SqsSource, StreamSource
from infra.local.workers import Invocation

InvokeFn = Callable[[str, Any], Invocation]
LogFn = Callable[[str, str], None]

IDLE_MIN_S = 0.1
IDLE_MAX_S = 1.0
LONG_POLL_S = 5  # SQS: a long poll costs nothing while it waits (shutdown stops moto under it)


class _Poller(threading.Thread):
    def __init__(self, name: str, stop: threading.Event, log: LogFn) -> None:
        super().__init__(name=name, daemon=True)
        self.stop_event = stop
        self.log = log
        self.idle = IDLE_MIN_S
        self.batches = 0
        self.errors = 0
        self.flush = threading.Event()  # set: do not wait for batching windows (runtime start)

    def sleep_idle(self) -> None:
        if self.idle > 0:
            self.stop_event.wait(self.idle)
        self.idle = min(IDLE_MAX_S, max(IDLE_MIN_S, self.idle * 2))

    def busy(self) -> None:
        self.idle = IDLE_MIN_S

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                if not self.poll_once():
                    self.sleep_idle()
                else:
                    self.busy()
            except Exception as error:  # moto unreachable while stopping, a bad record...
                if self.stop_event.is_set():
                    return
                self.errors += 1
                self.log("poller", f"{self.name}: {type(error).__name__}: {error}")
                self.stop_event.wait(IDLE_MAX_S)

    def poll_once(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def _failed_identifiers(result: Any) -> list[Any] | None:
    """The batchItemFailures identifiers, [] for none, None for a malformed report."""
    if not isinstance(result, dict) or result.get("batchItemFailures") is None:
        return []
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return None
    identifiers = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier:
            return None
        identifiers.append(identifier)
    return identifiers


class SqsPoller(_Poller):
    def __init__(
        self, source: SqsSource, sqs: Any, invoke: InvokeFn, region: str, stop: threading.Event, log: LogFn
    ) -> None:
        super().__init__(f"sqs:{source.logical_id}", stop, log)
        self.source = source
        self.sqs = sqs
        self.invoke = invoke
        self.region = region

    def _receive(self, count: int, wait: int = 0) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.source.queue_url,
            MaxNumberOfMessages=max(1, min(10, count)),
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages") or []

    def poll_once(self) -> bool:
        source = self.source
        messages = self._receive(source.batch_size, wait=LONG_POLL_S)
        if not messages:
            self.idle = 0.0  # the long poll already waited
            return False
        deadline = time.monotonic() + source.max_batching_window
        while len(messages) < source.batch_size and not self.stop_event.is_set():
            more = self._receive(source.batch_size - len(messages))
            if more:
                messages.extend(more)
            elif time.monotonic() >= deadline:
                break
            else:
                self.stop_event.wait(min(0.1, max(0.0, deadline - time.monotonic())))
        records = [sqs_record(m, queue_arn=source.queue_arn, region=self.region) for m in messages]
        selected = [r for r in records if matches_any(source.filters, r, sqs=True)]
        dropped = [r for r in records if r not in selected]
        if dropped:
            self._delete_records(dropped)
        if not selected:
            return True
        started = time.monotonic()
        result = self.invoke(source.function, {"Records": selected})
        self.batches += 1
        elapsed = (time.monotonic() - started) * 1000
        if not result.ok:
            self.errors += 1
            self.log(source.function, f"SQS batch of {len(selected)} failed ({result.error_message}): not deleted")
            return True
        done = selected
        if source.report_batch_item_failures:
            failed = _failed_identifiers(result.result)
            ids = {r["messageId"] for r in selected}
            if failed is None or not set(failed) <= ids:
                self.log(source.function, "SQS batch: malformed batchItemFailures, the whole batch failed")
                return True
            done = [r for r in selected if r["messageId"] not in set(failed)]
        self._delete_records(done)
        failed_count = len(selected) - len(done)
        outcome = f"{len(done)} ok, {failed_count} failed (redelivered later)" if failed_count else "ok"
        self.log(source.function, f"SQS batch of {len(selected)}: {outcome} ({elapsed:.0f} ms)")
        return True

    def _delete_records(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )


class _ShardCursor:
    """Where a stream poller stands in one shard: after `sequence` (None: at TRIM_HORIZON)."""

    def __init__(self, shard_id: str, sequence: str | None) -> None:
        self.shard_id = shard_id
        self.sequence = sequence
        self.attempts = 0
        self.limit: int | None = None
        self.retry_at = 0.0
        self.iterator: str | None = None  # a shard iterator at `sequence`, when we have one
        self.next_iterator: str | None = None  # the one after the last read


class StreamPoller(_Poller):
    def __init__(
        self,
        source: StreamSource,
        streams: Any,
        destinations: Callable[[str], Any],
        invoke: InvokeFn,
        region: str,
        function_arn: str,
        stop: threading.Event,
        log: LogFn,
    ) -> None:
        super().__init__(f"stream:{source.logical_id}", stop, log)
        self.source = source
        self.streams = streams
        self.destinations = destinations  # service name -> client, for the on-failure destination
        self.invoke = invoke
        self.region = region
        self.function_arn = function_arn
        self.cursors: list[_ShardCursor] | None = None

    # --- positions ------------------------------------------------------------------------

    def start_positions(self, at_end: bool = False) -> None:
        """Fix where each shard starts (call before anything writes, as a deployed mapping is);
        `at_end`: after every record there now, whatever StartingPosition says."""
        shards = self.streams.describe_stream(StreamArn=self.source.stream_arn)["StreamDescription"]["Shards"]
        cursors = []
        for shard in shards:
            cursor = _ShardCursor(shard["ShardId"], None)
            if at_end or self.source.starting_position.upper() != "TRIM_HORIZON":
                cursor.sequence = self._last_sequence(shard["ShardId"])
            cursors.append(cursor)
        self.cursors = cursors

    def end_positions(self) -> dict[str, str | None]:
        """The last record's sequence number of each shard, now."""
        return {cursor.shard_id: self._last_sequence(cursor.shard_id) for cursor in self.cursors or []}

    def reached(self, positions: dict[str, str | None]) -> bool:
        """Whether every shard's records up to `positions` are done with."""
        for cursor in self.cursors or []:
            target = positions.get(cursor.shard_id)
            if target is not None and (cursor.sequence is None or int(cursor.sequence) < int(target)):
                return False
        return True

    def _last_sequence(self, shard_id: str) -> str | None:
        """The sequence number of the shard's last record (None: no record), found without reading
        the records: moto answers GetRecords at about 20 ms per record, so reading a shard of a few
        thousand (a restart's replayed history, the demo data) took a minute. moto numbers a shard's
        records consecutively from its StartingSequenceNumber: an exponential then binary search
        with one-record reads finds the last in a few dozen calls."""
        start = self._starting_sequence(shard_id)
        if start is None or not self._has_record(shard_id, start):
            return None
        low, step = start, 1  # low holds a record
        while self._has_record(shard_id, low + step):
            low, step = low + step, step * 2
        high = low + step  # holds none
        while high - low > 1:
            middle = (low + high) // 2
            if self._has_record(shard_id, middle):
                low = middle
            else:
                high = middle
        return str(low)

    def _starting_sequence(self, shard_id: str) -> int | None:
        shards = self.streams.describe_stream(StreamArn=self.source.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] == shard_id:
                return int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        return None

    def _has_record(self, shard_id: str, sequence: int) -> bool:
        iterator = self.streams.get_shard_iterator(
            StreamArn=self.source.stream_arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=str(sequence),
        )["ShardIterator"]
        records = self.streams.get_records(ShardIterator=iterator, Limit=1).get("Records") or []
        return bool(records) and int(records[0]["dynamodb"]["SequenceNumber"]) == sequence

    def _read(self, cursor: _ShardCursor, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` records after the cursor; it keeps its place (see _advance)."""
        fresh = cursor.iterator is None
        if fresh:
            kwargs: dict[str, Any] = {"StreamArn": self.source.stream_arn, "ShardId": cursor.shard_id}
            if cursor.sequence is None:
                kwargs["ShardIteratorType"] = "TRIM_HORIZON"
            else:
                kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=cursor.sequence)
            cursor.iterator = self.streams.get_shard_iterator(**kwargs)["ShardIterator"]
        try:
            response = self.streams.get_records(ShardIterator=cursor.iterator, Limit=limit)
        except Exception:
            cursor.iterator = None
            if fresh:
                raise
            return self._read(cursor, limit)  # an expired (or pruned) iterator: take a new one
        records = response.get("Records") or []
        cursor.next_iterator = response.get("NextShardIterator")
        if not records:
            cursor.iterator = cursor.next_iterator  # same place, and a fresh iterator
        return records

    # --- polling --------------------------------------------------------------------------

    def poll_once(self) -> bool:
        if self.cursors is None:
            self.start_positions()
        worked = False
        for cursor in self.cursors or []:
            if self.stop_event.is_set():
                break
            worked = self._poll_shard(cursor) or worked
        return worked

    def _poll_shard(self, cursor: _ShardCursor) -> bool:
        source = self.source
        if time.monotonic() < cursor.retry_at:
            return False
        limit = cursor.limit or source.batch_size
        records, selected = self._read_batch(cursor, limit)
        if not records:
            return False
        waits = source.max_batching_window > 0 and cursor.attempts == 0 and not self.flush.is_set()
        if selected and len(records) < limit and waits:
            # MaximumBatchingWindowInSeconds: gather more (filtered-out records never wait)
            self.stop_event.wait(source.max_batching_window)
            records, selected = self._read_batch(cursor, limit)
        if not selected:
            self._advance(cursor, records[-1]["dynamodb"]["SequenceNumber"], whole_read=True)
            return True
        started = time.monotonic()
        result = self.invoke(source.function, {"Records": selected})
        self.batches += 1
        elapsed = (time.monotonic() - started) * 1000
        if result.ok:
            failed = _failed_identifiers(result.result) if source.report_batch_item_failures else []
            sequences = [r["dynamodb"]["SequenceNumber"] for r in selected]
            if failed is not None and not failed:
                self._advance(cursor, records[-1]["dynamodb"]["SequenceNumber"], whole_read=True)
                self.log(source.function, f"stream batch of {len(selected)}: ok ({elapsed:.0f} ms)")
                return True
            if failed is not None and set(failed) <= set(sequences):
                first = min(sequences.index(f) for f in failed)
                self.log(source.function, f"stream batch of {len(selected)}: failed from record {first + 1}")
                if first > 0:  # records before the first failure are done
                    self._advance(cursor, sequences[first - 1])
                    cursor.attempts = 1
                    self._schedule_retry(cursor)
                    return True
                return self._failed(cursor, selected, records, "partial failure at the first record", bisect=False)
            return self._failed(cursor, selected, records, "malformed batchItemFailures", bisect=False)
        return self._failed(cursor, selected, records, result.error_message, bisect=True)

    def _read_batch(self, cursor: _ShardCursor, limit: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(records as Lambda gets them, those that pass the FilterCriteria)."""
        raw = self._read(cursor, limit)
        records = [dynamodb_stream_record(r, stream_arn=self.source.stream_arn, region=self.region) for r in raw]
        return records, [r for r in records if matches_any(self.source.filters, r)]

    def _advance(self, cursor: _ShardCursor, sequence: str, *, whole_read: bool = False) -> None:
        """Move past `sequence`. After the whole last read, the read's next iterator is there."""
        cursor.sequence = sequence
        cursor.iterator = cursor.next_iterator if whole_read else None
        cursor.attempts = 0
        cursor.limit = None
        cursor.retry_at = 0.0

    def _schedule_retry(self, cursor: _ShardCursor) -> None:
        cursor.retry_at = time.monotonic() + min(10.0, 0.5 * 2 ** max(0, cursor.attempts - 1))

    def _failed(
        self,
        cursor: _ShardCursor,
        selected: list[dict[str, Any]],
        records: list[dict[str, Any]],
        why: str,
        *,
        bisect: bool,
    ) -> bool:
        source = self.source
        self.errors += 1
        if bisect and source.bisect_on_error and len(records) > 1:
            cursor.limit = max(1, len(records) // 2)  # bisecting does not count as a retry
            self.log(source.function, f"stream batch of {len(selected)} failed ({why}): bisecting")
            return True
        cursor.attempts += 1
        retries = source.maximum_retry_attempts
        if retries >= 0 and cursor.attempts > retries:
            self.log(
                source.function,
                f"stream batch of {len(selected)} failed ({why}) after {cursor.attempts} attempts: skipped"
                + (f", sent to {source.on_failure_arn}" if source.on_failure_arn else ""),
            )
            if source.on_failure_arn:
                self._send_failure(selected, cursor, why)
            self._advance(cursor, records[-1]["dynamodb"]["SequenceNumber"], whole_read=True)
            return True
        self.log(source.function, f"stream batch of {len(selected)} failed ({why}): retry {cursor.attempts}")
        self._schedule_retry(cursor)
        return True

    def _send_failure(self, records: list[dict[str, Any]], cursor: _ShardCursor, why: str) -> None:
        """The on-failure record Lambda sends for a stream batch it gave up on."""
        arrivals = [r["dynamodb"].get("ApproximateCreationDateTime") for r in records]

        def iso(epoch: Any) -> str | None:
            if not isinstance(epoch, (int, float)):
                return None
            return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

        payload = {
            "requestContext": {
                "requestId": f"local-{int(time.time() * 1000)}",
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": cursor.attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": why},
            "version": "1.0",
            "timestamp": destinations.utc_stamp(),
            "DDBStreamBatchInfo": {
                "shardId": cursor.shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": iso(arrivals[0]),
                "approximateArrivalOfLastRecord": iso(arrivals[-1]),
                "batchSize": len(records),
                "streamArn": self.source.stream_arn,
            },
        }
        problem = destinations.send(self.source.on_failure_arn or "", payload, self.destinations)
        if problem:
            self.log(self.source.function, problem)
