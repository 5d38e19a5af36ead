"""The replay's window: which audit items a dead-lettered stream batch pointer stands for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from microwish.audit_time import hour_partitions, written_keys
from microwish.services.replay import STREAM_RETENTION, WINDOW_MARGIN, batch_window


def pointer(first: str | None, last: str | None, timestamp: str = "2030-01-02T03:30:00.000Z") -> dict:
    return {"requestContext": {"condition": "RetryAttemptsExhausted"}, "timestamp": timestamp,
            "DDBStreamBatchInfo": {"shardId": "s", "startSequenceNumber": "1", "endSequenceNumber": "9",
                                   "approximateArrivalOfFirstRecord": first,
                                   "approximateArrivalOfLastRecord": last, "batchSize": 9}}


def test_the_window_is_the_arrival_times_with_a_margin_either_side():
    start, end = batch_window(pointer("2030-01-02T03:04:05.000Z", "2030-01-02T03:06:00.000Z"))
    assert start == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC) - WINDOW_MARGIN
    assert end == datetime(2030, 1, 2, 3, 6, tzinfo=UTC) + WINDOW_MARGIN


def test_without_arrival_times_the_window_is_what_the_stream_could_still_have_held():
    start, end = batch_window(pointer(None, None))
    given_up = datetime(2030, 1, 2, 3, 30, tzinfo=UTC)
    assert (start, end) == (given_up - STREAM_RETENTION - WINDOW_MARGIN, given_up + WINDOW_MARGIN)


def test_anything_else_is_no_window():
    assert batch_window({"trigger": "schedule"}) is None
    assert batch_window("{not json") is None
    assert batch_window(pointer(None, None, timestamp="yesterday")) is None


def test_written_keys_name_the_hour_and_a_window_every_hour_it_touches():
    moment = datetime(2030, 1, 2, 23, 59, 59, 999000, tzinfo=UTC)
    assert written_keys(moment) == {"WrittenPK": "AUDIT#2030-01-02T23", "WrittenSK": "2030-01-02T23:59:59.999Z"}
    assert hour_partitions(moment - timedelta(minutes=2), moment + timedelta(minutes=2)) == [
        "AUDIT#2030-01-02T23", "AUDIT#2030-01-03T00"]
    assert len(hour_partitions(moment - timedelta(hours=24), moment)) == 25
