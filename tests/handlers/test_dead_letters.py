"""Nothing lost in a dead letter (issue 16 §2): break the consumers, fill their DLQs, replay, and find every
notification and every count exactly once — replaying the same pointers twice over changes nothing more.

The stream is read by the local runtime's own poller (infra.local.pollers.StreamPoller), invoking the real
handlers in-process, so the dead letters are the on-failure records Lambda writes: a batch pointer (shard,
sequence numbers, arrival times), not the records. The replay is the ops function's code
(ReplayDeadLettersFunction, microwish.services.replay).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.config import Config

from infra.local.events import LambdaContext
from infra.local.pollers import StreamPoller
from infra.local.workers import Invocation
from microwish.notifications import contacts as contacts_module
from microwish.notifications import delivery, router
from microwish.notifications.recipients import jobs_for, notification_id
from microwish.repository import from_dynamo
from microwish.repository.inbox import InboxStore, created_at_of
from microwish.services import replay, stats
from microwish.settings import get_settings
from tests.handlers.test_notifications import CONTACTS, CONTACTS_PARAMETER, inbox_items, set_preferences
from tests.handlers.test_reports import Trail, assert_leaderboard, assert_stats
from tests.support.harness import environment, load_handler
from tests.support.notifications import Pipeline
from tests.support.people import CITY_OFFICER, DONOR, RESIDENT, all_items, submit
from tests.support.stats_feed import audit_items, counting_items

ROUTER, STATS = "EventRouterFunction", "StatsConsumerFunction"
REPLAY = "ReplayDeadLettersFunction"


@pytest.fixture
def outbox(tmp_path):
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def pipeline(stack, outbox, monkeypatch):
    monkeypatch.setenv("MICROWISH_OUTBOX_FILE", str(outbox))
    boto3.client("ssm").put_parameter(Name=CONTACTS_PARAMETER, Type="SecureString", Value=json.dumps(CONTACTS))
    return Pipeline(stack, outbox)


class Consumers:
    """The router and the stats consumer on the stream, as the local runtime polls it — but giving up on a
    failed batch at once (MaximumRetryAttempts 0 instead of 10: the same on-failure record, sooner)."""

    def __init__(self, api, pipeline: Pipeline) -> None:
        self.api, self.pipeline = api, pipeline
        streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self.pollers = []
        for source in api.stack.stream_sources:
            assert source.on_failure_arn and source.maximum_retry_attempts >= 1
            impatient = dataclasses.replace(source, maximum_retry_attempts=0)
            poller = StreamPoller(
                impatient,
                streams,
                boto3.client,
                self.invoke,
                api.stack.region,
                api.stack.functions[source.function].arn,
                threading.Event(),
                lambda *_: None,
            )
            poller.start_positions()
            self.pollers.append(poller)
        assert {p.source.function for p in self.pollers} == {ROUTER, STATS}

    def invoke(self, function: str, event: dict[str, Any]) -> Invocation:
        try:
            invoke = self.pipeline.invoke if function == ROUTER else self.api.invoke
            result = invoke(function, event)
        except Exception as error:  # what the Lambda runtime reports
            return Invocation(ok=False, error={"errorType": type(error).__name__, "errorMessage": str(error)})
        return Invocation(ok=True, result=result)

    def poll(self) -> None:
        """Until the stream is consumed (or dead-lettered) to its end."""
        while any([poller.poll_once() for poller in self.pollers]):
            pass


def dead_letter_urls(stack) -> dict[str, str]:
    outputs = stack.outputs
    return {
        "event_router": outputs["EventRouterDeadLetterQueueUrl"],
        "stats_consumer": outputs["StatsConsumerDeadLetterQueueUrl"],
        "notifications": outputs["NotificationDeadLetterQueueUrl"],
    }


def letters(url: str) -> list[dict[str, Any]]:
    got = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in got.get("Messages") or []]


def waiting(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def run_replay(api, sweep=None, seconds_left=None, **event) -> dict[str, Any]:
    """The ops function, in-process, with its own timeout (a sweep is run by `sweep`: moto's Lambda cannot
    invoke)."""
    spec = api.stack.functions[REPLAY]
    context = LambdaContext(function_name=spec.name, timeout_s=float(spec.timeout))
    with environment(spec.env):
        if sweep is None and seconds_left is None:
            return load_handler(spec.code_dir, spec.handler)(event, context)
        targets = load_handler(spec.code_dir, "app.targets")(sweep, context)
        if seconds_left is not None:
            targets.seconds_left = seconds_left
        return replay.replay(targets, event.get("queues"))


# ---------------------------------------------------------------- what should have been sent
def expected_deliveries(table: str) -> tuple[set[tuple[str, str]], Counter]:
    """From every audit item: the inbox items (keys) and the other sends (channel, to, event, wish) each
    (event, recipient address, channel) gives once — as the notifier plans them."""
    settings = get_settings()
    store = InboxStore(table)
    known = contacts_module.load(CONTACTS_PARAMETER, 0)
    inbox_keys: set[tuple[str, str]] = set()
    sends: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}
    for raw in audit_items(table):
        for job in jobs_for(from_dynamo(raw), settings):
            for message in delivery.plan(job, store, known):
                if message.channel == "inbox":
                    note = notification_id(job.at, job.event_key, message.to)
                    inbox_keys.add((f"INBOX#{message.to}", f"{created_at_of(note) or job.at}#{note}"))
                else:
                    sends[(job.event_key, message.channel, message.to)] = (
                        message.channel,
                        message.to,
                        job.event,
                        job.wish_id,
                    )
    return inbox_keys, Counter(sends.values())


def delivered(pipeline: Pipeline, table: str) -> tuple[set[tuple[str, str]], Counter]:
    inbox = {(item["PK"], item["SK"]) for item in inbox_items(table)}
    sent = Counter((line["channel"], line["to"], line["event"], line["wish_id"]) for line in pipeline.sent())
    return inbox, sent


def counted_markers(table: str) -> Counter:
    return Counter(
        (item["PK"]["S"], item["SK"]["S"])
        for item in all_items(table)
        if item["PK"]["S"].startswith("COUNTED#") and "#lb" not in item["SK"]["S"] and "#dn" not in item["SK"]["S"]
    )


# ---------------------------------------------------------------- the proof
def test_a_broken_router_and_stats_consumer_lose_nothing_after_a_replay_and_replays_change_nothing_twice(
    api, pipeline, table, stack
):
    set_preferences(api, RESIDENT, sms=True, phone="13700000001")
    consumers = Consumers(api, pipeline)
    # Working consumers: one wish submitted and approved, told and counted.
    first = submit(api)
    assert api.post(f"/wishes/{first['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER).status == 200
    consumers.poll()
    pipeline.drain()
    told_before, counted_before = len(pipeline.sent()), len(audit_items(table))
    assert told_before and len(counted_markers(table)) == len(counting_items(audit_items(table))) == counted_before == 2

    # Both consumers break: SQS unreachable for the router, the counter table for the stats consumer.
    def unreachable(*_: Any, **__: Any) -> None:
        raise ConnectionError("simulated outage")

    with pytest.MonkeyPatch.context() as outage:
        outage.setattr(router, "enqueue", unreachable)
        outage.setattr(stats, "count_batch", unreachable)
        second = submit(api)
        assert api.post(f"/wishes/{second['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER).status == 200
        claim = api.post(f"/wishes/{first['id']}/claims", {}, as_=DONOR)
        assert claim.status == 201, claim.text
        assert api.post(f"/wishes/{first['id']}/delivery", {"note": "已送达"}, as_=DONOR).status == 200
        assert api.post(f"/wishes/{first['id']}/confirmation", {"accepted": True}, as_=CITY_OFFICER).status == 200
        consumers.poll()
        pipeline.drain()
    # the outage is over

    urls = dead_letter_urls(stack)
    pointers = {name: letters(urls[name]) for name in ("event_router", "stats_consumer")}
    for name, found in pointers.items():
        assert found, name
        for record in found:  # a pointer, not the records: the replay must re-derive the events
            info = record["DDBStreamBatchInfo"]
            assert record["requestContext"]["condition"] == "RetryAttemptsExhausted" and "Records" not in record
            assert info["approximateArrivalOfFirstRecord"] and info["startSequenceNumber"]
    # Nothing of the outage was told or counted.
    assert len(pipeline.sent()) == told_before and len(counted_markers(table)) == counted_before
    audit_count = len(counting_items(audit_items(table)))
    assert audit_count > counted_before + 4
    # Every pointer twice on its queue (a dead letter copied by hand, or written twice).
    sqs = boto3.client("sqs")
    for name, found in pointers.items():
        for record in found:
            sqs.send_message(QueueUrl=urls[name], MessageBody=json.dumps(record))

    out_of_time = run_replay(api, seconds_left=lambda: 60.0)  # too little left to start: nothing taken, all kept
    assert out_of_time["left"] == 2 and "out of time" in out_of_time["queues"][0]["errors"][0]
    assert waiting(urls["event_router"]) == 2 * len(pointers["event_router"]) and len(pipeline.sent()) == told_before

    summary = run_replay(api)
    assert summary["left"] == 0, summary
    by_queue = {report["queue"]: report for report in summary["queues"]}
    assert by_queue["event_router"]["letters"] == 2 * len(pointers["event_router"])
    assert by_queue["stats_consumer"]["counted"] == audit_count - counted_before  # the outage's events, once
    assert by_queue["event_router"]["events"] >= audit_count  # the window holds the earlier ones too
    pipeline.drain()
    assert waiting(urls["event_router"]) == 0 and waiting(urls["stats_consumer"]) == 0

    def assert_exactly_once() -> None:
        expected_inbox, expected_sends = expected_deliveries(table)
        inbox, sent = delivered(pipeline, table)
        assert inbox == expected_inbox
        assert sent == expected_sends and max(sent.values()) == 1  # each send once, none missing
        assert counted_markers(table) == Counter({key: 1 for key in counted_markers(table)})
        assert len(counted_markers(table)) == audit_count
        trail = Trail(audit_items(table))
        assert_stats(api, trail, "4312")
        assert_stats(api, trail, "431222")
        assert_leaderboard(api, trail, "4312")

    assert_exactly_once()
    fulfilled = api.get("/stats", query={"region": "4312"}).json
    assert fulfilled["fulfilled"] == 1 and fulfilled["approved"] == 2

    # Replay again: the same pointers put back once more, and an empty run.
    for name, found in pointers.items():
        for record in found:
            sqs.send_message(QueueUrl=urls[name], MessageBody=json.dumps(record))
    again = run_replay(api)
    assert again["left"] == 0 and {r["queue"]: r["counted"] for r in again["queues"]}["stats_consumer"] == 0
    pipeline.drain()
    assert run_replay(api)["left"] == 0
    pipeline.drain()
    assert_exactly_once()


def test_dead_lettered_jobs_are_moved_back_and_sent_once(api, pipeline, table, stack):
    submit(api)
    pipeline.route(pipeline.read_stream())
    jobs = pipeline.receive(visibility=0)
    assert jobs
    dlq = dead_letter_urls(stack)["notifications"]
    sqs = boto3.client("sqs")
    pipeline.drain()  # delivered once already; a copy of each also sits in the DLQ (a redelivery dead-lettered)
    told = pipeline.sent()
    for job in jobs:
        sqs.send_message(QueueUrl=dlq, MessageBody=job["Body"])
    sqs.send_message(QueueUrl=dlq, MessageBody="{not a job")  # moved back too: the notifier dead-letters it again

    dry = run_replay(api, dry_run=True, queues=["notifications"])
    assert dry["queues"][0]["waiting"] == len(jobs) + 1 and waiting(dlq) == len(jobs) + 1
    summary = run_replay(api, queues=["notifications"])
    assert summary["queues"][0]["jobs"] == len(jobs) + 1 and waiting(dlq) == 0
    inbox_before = inbox_items(table)
    handled = pipeline.drain()
    assert sorted(m["Body"] for m in handled) == sorted([j["Body"] for j in jobs] + ["{not a job"])
    assert pipeline.sent() == told and inbox_items(table) == inbox_before  # nothing sent twice


@pytest.mark.parametrize(
    "queue, sweep_function",
    [
        ("escalation", "EscalationSweepFunction"),
        ("lease", "LeaseSweepFunction"),
        ("retention", "RetentionSweepFunction"),
        ("quota_reminder", "QuotaReminderFunction"),
    ],
)
def test_a_dead_lettered_sweep_is_run_again_and_its_letters_cleared_only_then(api, stack, queue, sweep_function):
    url = stack.outputs[
        {
            "escalation": "EscalationDeadLetterQueueUrl",
            "lease": "LeaseDeadLetterQueueUrl",
            "retention": "RetentionDeadLetterQueueUrl",
            "quota_reminder": "QuotaReminderDeadLetterQueueUrl",
        }[queue]
    ]
    sqs = boto3.client("sqs")
    record = {
        "version": "1.0",
        "requestContext": {"condition": "RetriesExhausted"},
        "requestPayload": {"trigger": "schedule"},
        "responsePayload": {"errorType": "TimeoutError"},
    }
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))
    sqs.send_message(QueueUrl=url, MessageBody='{"trigger": "schedule"}')  # what the scheduler dead-letters

    def broken(name: str) -> Any:
        raise RuntimeError(f"{name}: still failing")

    failed = run_replay(api, sweep=broken, queues=[queue])
    assert failed["left"] == 2 and "still failing" in failed["queues"][0]["errors"][0]
    ran: list[Any] = []

    def sweep(name: str) -> Any:
        assert name == queue
        ran.append(api.invoke(sweep_function, {"trigger": "replay-dlq"}))
        return ran[-1]

    assert waiting(url) == 2 and len(letters(url)) == 2  # still there, and visible for the next run
    done = run_replay(api, sweep=sweep, queues=[queue])
    assert done["left"] == 0 and done["queues"][0]["sweeps"] == 1 and done["queues"][0]["letters"] == 2
    assert len(ran) == 1 and waiting(url) == 0


def test_every_dead_letter_queue_is_alarmed_to_the_ops_topic_and_has_its_way_back(stack):
    resources = stack.sam_template["Resources"]
    queues = {name for name, resource in resources.items() if resource["Type"] == "AWS::SQS::Queue"}
    dead_letter_queues = {name for name in queues if "DeadLetter" in name}
    used_as_dlq = set()
    text = json.dumps(resources)
    for name in queues:
        if f'"Fn::GetAtt": ["{name}", "Arn"]' in text and name not in ("NotificationQueue", "ChatReplyQueue"):
            used_as_dlq.add(name)
    assert used_as_dlq == dead_letter_queues and len(dead_letter_queues) == 8
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    alarmed = {}
    for alarm in alarms:
        queue = alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        alarmed[queue] = alarm
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 0
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["AlarmActions"] == [{"Ref": "OpsAlertTopic"}]
    assert set(alarmed) == dead_letter_queues
    subscription = resources["OpsAlertSubscription"]
    assert subscription["Condition"] == "OpsAlertEmailOn" and subscription["Properties"]["Endpoint"] == {
        "Ref": "OpsAlertEmail"
    }
    env = resources[REPLAY]["Properties"]["Environment"]["Variables"]
    assert {value["Ref"] for key, value in env.items() if key.endswith("_DLQ_URL")} == dead_letter_queues
    # the replay's DLQ names are the service's: one way back per queue
    assert len(replay.QUEUES) == len(dead_letter_queues)
    logs = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::Logs::LogGroup"
        and r["Properties"].get("LogGroupName") == {"Fn::Sub": f"/aws/lambda/${{{REPLAY}}}"}
    ]
    assert logs and logs[0]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert not resources[REPLAY]["Properties"].get("Events")  # invoked by hand only


def test_the_replay_reads_audit_items_by_time_without_a_scan(api, table, stack):
    """The ByWritten index finds exactly the audit items written in a window (none of anything else)."""
    from datetime import UTC, datetime, timedelta

    from microwish.repository.dead_letters import AuditWindow

    began = datetime.now(UTC)
    wish = submit(api)
    api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=CITY_OFFICER)
    ended = datetime.now(UTC)
    window = AuditWindow(table)
    found = window.items_written(began - timedelta(seconds=1), ended + timedelta(seconds=1))
    assert [item["action"] for item in found] == ["submitted", "approved"]
    assert window.items_written(began - timedelta(hours=3), began - timedelta(hours=2)) == []
