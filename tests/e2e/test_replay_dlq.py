"""`make replay-dlq` against the local runtime (issue 16 §2): dead letters of the router, the stats consumer
and a sweep, replayed by the command an operator runs; nothing is told or counted twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import boto3
import pytest

from tests.e2e.conftest import REPO
from tests.e2e.test_wish_life import WISH

pytestmark = pytest.mark.e2e


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def wait_for(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("not reached in time")


def settled_stats(runtime, timeout: float = 120.0) -> dict:
    """/stats once the stream has caught up: the runtime is shared, and the tests before this one may
    still have events on their way to the stats consumer (under load, seconds behind)."""
    deadline = time.monotonic() + timeout
    previous = runtime.get("/stats", params={"region": "4312"}).json()
    while time.monotonic() < deadline:
        time.sleep(3)
        current = runtime.get("/stats", params={"region": "4312"}).json()
        if current == previous:
            return current
        previous = current
    raise AssertionError("/stats did not settle")


def test_make_replay_dlq_replays_pointers_and_sweeps_against_the_local_runtime(runtime):
    info = runtime.describe()
    outputs = info["outputs"]
    sqs = boto3.client(
        "sqs",
        endpoint_url=info["moto_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    resident = runtime.token("resident", "resident-replay")
    began = datetime.now(UTC)
    submitted_before = settled_stats(runtime)["submitted"]
    created = runtime.post("/wishes", json=WISH, token=resident)
    assert created.status_code == 201, created.text
    # told and counted as usual; then the dead letters say (wrongly, or after a failure) it was not
    inbox = wait_for(lambda: runtime.get("/me/notifications", token=resident).json()["items"])
    wait_for(lambda: runtime.get("/stats", params={"region": "4312"}).json()["submitted"] > submitted_before)
    stats = settled_stats(runtime)
    now = datetime.now(UTC)
    pointer = {
        "requestContext": {"condition": "RetryAttemptsExhausted"},
        "version": "1.0",
        "timestamp": iso(now),
        "DDBStreamBatchInfo": {
            "shardId": "shardId-1",
            "startSequenceNumber": "1",
            "endSequenceNumber": "2",
            "approximateArrivalOfFirstRecord": iso(began),
            "approximateArrivalOfLastRecord": iso(now),
            "batchSize": 1,
        },
    }
    for queue in ("EventRouterDeadLetterQueueUrl", "StatsConsumerDeadLetterQueueUrl"):
        sqs.send_message(QueueUrl=outputs[queue], MessageBody=json.dumps(pointer))
    sqs.send_message(QueueUrl=outputs["LeaseDeadLetterQueueUrl"], MessageBody='{"trigger": "schedule"}')

    command = [sys.executable, "-m", "infra.ops.replay_dlq", "--local", runtime.url]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line and not line.startswith(" ")}
    assert "1 letters" in lines["event_router"] and "events" in lines["event_router"], done.stdout
    assert "1 letters" in lines["stats_consumer"] and "counted" not in lines["stats_consumer"], done.stdout
    assert "1 sweeps" in lines["lease"], done.stdout
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0 and "left on their queues: 0" in again.stdout, again.stdout

    time.sleep(5)  # the notifier works through the jobs queued again: each was delivered before
    assert runtime.get("/me/notifications", token=resident).json()["items"] == inbox
    assert runtime.get("/stats", params={"region": "4312"}).json() == stats
