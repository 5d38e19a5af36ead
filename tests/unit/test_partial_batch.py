"""microwish.partial_batch: a record that raises is reported by its id, the others still run (as Powertools'
BatchProcessor did for the queue and stream consumers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from microwish.partial_batch import process_partial, sqs_message_id, stream_sequence_number


def test_failed_records_are_reported_by_id_and_the_rest_still_run() -> None:
    seen: list[str] = []

    def handler(record: dict[str, Any]) -> None:
        seen.append(record["messageId"])
        if record["body"] == "bad":
            raise ValueError("a beneficiary's name might be in here")

    event = {
        "Records": [{"messageId": m, "body": b} for m, b in (("1", "ok"), ("2", "bad"), ("3", "ok"), ("4", "bad"))]
    }
    assert process_partial(event, handler, id_of=sqs_message_id) == {
        "batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "4"}]
    }
    assert seen == ["1", "2", "3", "4"]


def test_a_stream_record_is_reported_by_its_sequence_number_and_an_empty_batch_has_no_failures() -> None:
    def fail(record: dict[str, Any]) -> None:
        raise RuntimeError

    record = {"dynamodb": {"SequenceNumber": "4200"}}
    assert process_partial({"Records": [record]}, fail, id_of=stream_sequence_number) == {
        "batchItemFailures": [{"itemIdentifier": "4200"}]
    }
    assert process_partial({}, fail, id_of=stream_sequence_number) == {"batchItemFailures": []}


def test_it_loads_neither_asyncio_nor_powertools_batch_utility() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared"
    code = (
        "import sys, microwish.partial_batch\n"
        "print('asyncio' in sys.modules, 'aws_lambda_powertools.utilities.batch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=shared, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "False"]
