"""Drive the notification pipeline in-process, as Lambda's pollers would: the table's stream →
the event router → the notification queue → the notifier (see infra/local/pollers.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from infra.local.events import LambdaContext, dynamodb_stream_event, sqs_event
from infra.local.filters import matches_any
from infra.local.stack import LocalStack
from microwish.notifications import delivery, router
from tests.support.harness import environment, load_handler


class Pipeline:
    def __init__(self, stack: LocalStack, outbox: Path | None) -> None:
        self.stack = stack
        self.outbox = outbox
        self.stream = next(s for s in stack.stream_sources if s.function == "EventRouterFunction")
        self.queue = next(s for s in stack.sqs_sources if s.function == "NotifierFunction")
        # moto in-process answers only the regional endpoint, not botocore's account-based one.
        self.streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self.sqs = boto3.client("sqs")
        self.positions: dict[str, str | None] = {}
        self.router_results: list[Any] = []
        self.notifier_results: list[Any] = []

    # ------------------------------------------------------------ invoking
    def invoke(self, logical_id: str, event: dict[str, Any], extra_env: dict[str, str] | None = None) -> Any:
        spec = self.stack.functions[logical_id]
        env = {
            **spec.env,
            **({"MICROWISH_OUTBOX_FILE": str(self.outbox)} if self.outbox else {}),
            **(extra_env or {}),
        }
        with environment(env):
            delivery.reset()
            router.reset()
            handler = load_handler(spec.code_dir, spec.handler)
            return handler(event, LambdaContext(function_name=spec.name, timeout_s=float(spec.timeout)))

    # ------------------------------------------------------------ the stream
    def _shards(self) -> list[str]:
        description = self.streams.describe_stream(StreamArn=self.stream.stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def read_stream(self, from_start: bool = False) -> list[dict[str, Any]]:
        """New raw stream records (all of them with from_start), moving past them."""
        records = []
        for shard in self._shards():
            after = None if from_start else self.positions.get(shard)
            kwargs: dict[str, Any] = {"StreamArn": self.stream.stream_arn, "ShardId": shard}
            if after:
                kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
            else:
                kwargs["ShardIteratorType"] = "TRIM_HORIZON"
            iterator = self.streams.get_shard_iterator(**kwargs)["ShardIterator"]
            got = self.streams.get_records(ShardIterator=iterator, Limit=1000).get("Records") or []
            if got:
                self.positions[shard] = got[-1]["dynamodb"]["SequenceNumber"]
            records += got
        return records

    def stream_event(self, raw: list[dict[str, Any]]) -> dict[str, Any]:
        """The batch Lambda delivers: records the template's FilterCriteria lets through."""
        event = dynamodb_stream_event(raw, stream_arn=self.stream.stream_arn)
        event["Records"] = [r for r in event["Records"] if matches_any(self.stream.filters, r)]
        return event

    def route(self, raw: list[dict[str, Any]]) -> Any:
        event = self.stream_event(raw)
        if not event["Records"]:
            return {"batchItemFailures": []}
        result = self.invoke("EventRouterFunction", event)
        self.router_results.append(result)
        return result

    # ------------------------------------------------------------ the queue
    def receive(self, visibility: int | None = None, url: str | None = None) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "QueueUrl": url or self.queue.queue_url,
            "MaxNumberOfMessages": 10,
            "MessageSystemAttributeNames": ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        return self.sqs.receive_message(**kwargs).get("Messages") or []

    def notify(self, messages: list[dict[str, Any]], delete: bool = True, **env: str) -> Any:
        result = self.invoke("NotifierFunction", sqs_event(messages, queue_arn=self.queue.queue_arn), env)
        self.notifier_results.append(result)
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        if delete:
            for message in messages:
                if message["MessageId"] not in failed:
                    self.sqs.delete_message(QueueUrl=self.queue.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return result

    def drain(self, **env: str) -> list[dict[str, Any]]:
        """Deliver everything on the queue; the bodies of the messages handled."""
        handled = []
        while True:
            messages = self.receive()
            if not messages:
                return handled
            self.notify(messages, **env)
            handled += messages

    def run(self, **env: str) -> list[dict[str, Any]]:
        """Route what the stream holds since last time, then deliver the queue."""
        result = self.route(self.read_stream())
        assert result == {"batchItemFailures": []}, result
        return self.drain(**env)

    # ------------------------------------------------------------ what was sent
    def sent(self) -> list[dict[str, Any]]:
        """What the notifier sent (the verification codes the inbox function sent are left out)."""
        return [line for line in self.outbox_lines() if line.get("event") != "verification"]

    def outbox_lines(self) -> list[dict[str, Any]]:
        if not self.outbox or not self.outbox.exists():
            return []
        return [json.loads(line) for line in self.outbox.read_text(encoding="utf-8").splitlines()]

    def codes(self, to: str) -> list[str]:
        """The verification codes sent to an address, oldest first."""
        return [
            re.search(r"\d{6}", line["text"]).group(0)
            for line in self.outbox_lines()
            if line.get("event") == "verification" and line["to"] == to
        ]
