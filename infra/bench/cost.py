"""What one wish's life costs, and what a month with no traffic costs, at list prices.

    python -m infra.bench.cost [--detail] [--no-key] [--before DIR]

--detail: every item each write touched, its size and its units; --no-key: the POSTs without an
Idempotency-Key (the web app sends one with every POST, so by default the lifecycle does too). After the
priced life, the same life with a 100- and a 300-character description (DESCRIPTION_SIZES): item sizes
near the 1 KB line are what moves the bill.

--before DIR: the same lives on another checkout's code (e.g. a worktree of the commit an issue was filed
at), measured in the same run by this file: DIR's template.yaml, shared/, functions/ and test harness run in
a subprocess (`python infra/bench/cost.py --code DIR --json`, PYTHONDONTWRITEBYTECODE=1: nothing is written
in DIR) and hand back every invocation as JSON; the meter, the prices and the report are this checkout's. It
prints both side by side (lifecycle USD, write units by component, read units, Lambda invocations, SQS
requests) and now/before, the ratio issue 15's goal 7 means (<= 0.5); with --detail, the write units that
differ by component and item kind or index. A figure computed by an older version of this model (such as
the issue's $0.00018) is no baseline: the model has been corrected since.

The lifecycle runs in-process against the template's stack in moto, through the real handlers: a
resident submits a wish, an officer approves it, a donor claims it, delivers it, the officer confirms
it (销号). After each request the table's stream is handed to the event router and the stats consumer
(one invocation per audit event: at a wish's pace, hours apart, no batching window fills), and the jobs
the router queued to the notifier (one invocation per ten jobs), as Lambda's pollers would.

Counted while a handler runs (botocore event hooks on the default session and on every session made after
the meter, such as one a library opens for itself): every AWS call.
Priced:
- Lambda: invocations, and GB-seconds at each function's configured memory (template) over a modelled
  duration: the handler's own time here (time outside its AWS calls; moto's time left out) plus
  CALL_LATENCY_MS per AWS call (a deployed DynamoDB or SQS call's round trip);
- HTTP API requests;
- DynamoDB request units computed from item sizes, as DynamoDB bills them (moto does not bill). Item
  size: attribute names and values in UTF-8, numbers by significant digits (AWS's "Item sizes" rules).
  A write is ceil(max(size before, size after) / 1 KB) per item, twice in a transaction (prepare and
  commit; a ConditionCheck is billed the same way, as a write of the checked item); plus, per global
  secondary index (AWS's GSI.Writes rules), one write of the entry's size when the item enters or leaves
  the index or changes a projected attribute, TWO (delete + put) when an index key changes, none otherwise.
  Index writes are not doubled in a transaction (they propagate after it). The 100 bytes AWS adds per
  index entry are for storage; an entry's write is sized on its keys and projected attributes. A read is
  ceil(size / 4 KB) per item (summed per call for a Query), halved when eventually consistent, on what
  DynamoDB read, not what it returned: a filtered or projected Query is re-run (unhooked) on its key
  condition alone, a projected GetItem is sized on the whole item. The streams' reads by Lambda are free;
- SQS requests: the router's sends, and the notifier's poller (one receive, one delete batch per batch).
Idle month: the three sweeps on their schedules (each run measured here on an empty table), their
scheduler invocations, the alarms, and an estimate of Lambda's long polling of the notification queue.
Not counted: CloudWatch Logs ingestion ($0.50/GB), storage, backups, data transfer, free tiers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import boto3

ROOT = Path(__file__).resolve().parents[2]


def measured_checkout(argv: list[str], as_script: bool) -> Path:
    """The checkout whose application code (template.yaml, shared/, functions/ and its harness) runs: this one,
    or DIR when this file runs as a script with `--code DIR` (how --before measures another checkout). Read
    from argv before the imports below, which come from that checkout; the meter and prices are this file's."""
    if as_script and "--code" in argv[:-1]:
        return Path(argv[argv.index("--code") + 1]).resolve()
    return ROOT


AS_SCRIPT = __name__ == "__main__" and __spec__ is None  # `python infra/bench/cost.py`, not `-m`
CODE = measured_checkout(sys.argv, AS_SCRIPT)
if AS_SCRIPT and sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # the bench folder is no package root
sys.path[:0] = [str(CODE / "shared"), str(CODE)]

from moto import mock_aws  # noqa: E402

from infra.local import motopatch  # noqa: E402
from infra.local.events import LambdaContext, scheduled_event  # noqa: E402
from infra.local.stack import LocalStack, deploy_stack  # noqa: E402
from microwish.api import context as api_context  # noqa: E402
from microwish.settings import get_settings  # noqa: E402
from tests.support.harness import AUDIENCE, ISSUER, Api, Signer, environment, load_handler, person  # noqa: E402

# us-east-1 list prices (USD) from the AWS pricing pages of each service, as of 2025 (DynamoDB after its
# November 2024 on-demand cut); arm64 Lambda, HTTP API, standard queues. Change them here when they change.
PRICES_DATE = "2025 (us-east-1 list prices)"
PRICES = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_write_unit": 0.625 / 1e6,
    "dynamodb_read_unit": 0.125 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "scheduler_invocation": 1.00 / 1e6,
    "alarm_month": 0.10,
}
# Issue 15's figure for a wish's lifecycle on the day it was filed, by an older cost model (reads billed as
# writes, no Idempotency-Key, ...): not comparable with this model's. `--before DIR` measures the code of that
# day (or any checkout) with this very model in the same run: that ratio is the one goal 7 means.
ISSUE_TODAY = 0.00018
FIRST_RUN = 0.000169  # this script's first run (branch wt-cold, before the other scale work merged)
GOAL = ISSUE_TODAY / 2
DESCRIPTION_SIZES = (100, 300)  # characters (3 bytes each in UTF-8)
MONTH_SECONDS = 30 * 24 * 3600
# Lambda polls an SQS event source with long polls (20 s) from several pollers even when the queue is
# empty: an estimate, five pollers (AWS's stated starting concurrency), 3 receives a minute each.
IDLE_SQS_POLLERS = 5
CALL_LATENCY_MS = 10  # a DynamoDB/SQS round trip from Lambda in the same region (transactions a bit more)

RESIDENT = person("resident", "cost-resident")
OFFICER = person("officer", "cost-officer", region="4312")
DONOR = person("donor", "cost-donor")
# The article's wish, as the demo data has it (a wish's description is what its list card and page show).
WISH = {
    "title": "一台电视机",
    "description": "罹患癌症在家休养，想有一台电视机，看看外面的世界。",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "王家村3组"},
    "target_fen": 100_000,
}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


# ---------------------------------------------------------------- item sizes (DynamoDB's rules)
def value_size(value: dict[str, Any]) -> int:
    (kind, body), *_ = value.items()
    if kind == "S":
        return len(body.encode("utf-8"))
    if kind == "N":
        digits = body.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(body) if isinstance(body, bytes) else len(str(body))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: entry}) for entry in body)
    if kind == "L":
        return 3 + sum(1 + value_size(entry) for entry in body)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_size(entry) for name, entry in body.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


@dataclass
class TableShape:
    keys: list[str]
    indexes: list[tuple[list[str], str, list[str]]]  # (key attributes, projection type, included attributes)
    names: list[str] = field(default_factory=list)  # the indexes' names, in the same order

    def key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self.keys}

    def projected(self, item: dict[str, Any] | None, index: tuple[list[str], str, list[str]]) -> dict[str, Any] | None:
        index_keys, projection, included = index
        if not item or any(name not in item for name in index_keys):
            return None
        if projection == "ALL":
            return item
        names = set(self.keys) | set(index_keys) | (set(included) if projection == "INCLUDE" else set())
        return {name: value for name, value in item.items() if name in names}

    def index_write_units(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, int]:
        """Write units per index a table write costs there (AWS's GSI.Writes rules: entering or leaving an
        index is one write of the entry, a key change two (the old entry deleted, the new one put), a change
        of projected attributes one; each a write of the entry's size, 1 per started KB; no change, none)."""
        units: dict[str, int] = {}
        for position, index in enumerate(self.indexes):
            name = self.names[position] if position < len(self.names) else f"index{position}"
            old, new = self.projected(before, index), self.projected(after, index)
            if old is None and new is None:
                continue
            if old is None or new is None:
                units[name] = write_units(item_size(old or new))
            elif {k: old[k] for k in index[0]} != {k: new[k] for k in index[0]}:
                units[name] = write_units(item_size(old)) + write_units(item_size(new))  # delete + put
            elif old != new:
                units[name] = write_units(max(item_size(old), item_size(new)))
        return units

    def index_writes(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
        return sum(self.index_write_units(before, after).values())


def item_kind(table: str, key: dict[str, Any]) -> str:
    """What an item is, from its key: the partition key's prefix and the sort key's (WISH/AUDIT, STATS/M)."""
    values = [str(next(iter(value.values()))) for value in key.values()]
    if len(values) == 1:
        return table.split("-")[-2] if "-" in table else "record"
    partition, sort = values[0].split("#", 1)[0], values[1].split("#", 1)[0]
    return f"{partition}/{sort}" if re.fullmatch(r"[A-Z_]+", sort) else partition  # not a time or an id


@dataclass
class ItemWrite:
    """One item a write touched: its kind, sizes, the table's write units and each index's."""

    kind: str
    size_before: int
    size_after: int
    table_units: int
    index_units: dict[str, int]
    operation: str  # Put, Update, Delete, ConditionCheck (in a transaction) or the call's name


# ---------------------------------------------------------------- the meter
@dataclass
class Usage:
    calls: Counter[str] = field(default_factory=Counter)
    write_units: float = 0.0
    read_units: float = 0.0
    failed_writes: int = 0
    seconds_in_calls: float = 0.0
    items: list[ItemWrite] = field(default_factory=list)

    def add(self, other: Usage) -> None:
        self.calls.update(other.calls)
        self.write_units += other.write_units
        self.read_units += other.read_units
        self.failed_writes += other.failed_writes
        self.items.extend(other.items)


class Meter:
    """Counts AWS calls and computes DynamoDB units, while `on` (a handler runs)."""

    def __init__(self, session: Any) -> None:
        self.on = False
        self.usage = Usage()
        self._side = boto3.session.Session(region_name="us-east-1").client("dynamodb")  # unhooked: not counted
        self._shapes: dict[str, TableShape] = {}
        self._before: dict[int, list[tuple[str, dict[str, Any], dict[str, Any] | None, bool]]] = {}
        self.watch(session)

    def watch(self, session: Any) -> None:
        """Count the calls of the clients `session` makes from now on (a client copies its session's hooks)."""
        events = session._session.get_component("event_emitter")
        events.register("before-parameter-build.*.*", self._before_call)
        events.register("after-call.*.*", self._after_call)

    @contextmanager
    def every_session(self) -> Iterator[None]:
        """Watch every boto3 session made meanwhile too: a library that opens its own would go uncounted (the
        notifier's Powertools idempotency layer did before issue 15: its sent-records' writes)."""
        made = boto3.session.Session.__init__
        meter = self

        def watched(session: Any, *args: Any, **kwargs: Any) -> None:
            made(session, *args, **kwargs)
            meter.watch(session)

        with mock.patch.object(boto3.session.Session, "__init__", watched):
            yield

    def shape(self, table: str) -> TableShape:
        if table not in self._shapes:
            described = self._side.describe_table(TableName=table)["Table"]
            keys = [entry["AttributeName"] for entry in described["KeySchema"]]
            indexes = [
                (
                    [entry["AttributeName"] for entry in index["KeySchema"]],
                    index["Projection"]["ProjectionType"],
                    index["Projection"].get("NonKeyAttributes", []),
                )
                for index in described.get("GlobalSecondaryIndexes", [])
            ]
            names = [index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])]
            self._shapes[table] = TableShape(keys, indexes, names)
        return self._shapes[table]

    def _get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._side.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return item

    def _targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
        """(table, key, action) of every item a write touches; the action is a transaction's (Put, Update,
        Delete, ConditionCheck) or, outside one, the call's name."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            table = params["TableName"]
            key = params.get("Key") or self.shape(table).key_of(params["Item"])
            return [(table, key, operation)]
        found = []
        if operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                (action, body), *_ = entry.items()
                table = body["TableName"]
                found.append((table, body.get("Key") or self.shape(table).key_of(body["Item"]), action))
        if operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    put = request.get("PutRequest")
                    key = self.shape(table).key_of(put["Item"]) if put else request["DeleteRequest"]["Key"]
                    found.append((table, key, "PutItem" if put else "DeleteItem"))
        return found

    def _before_call(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self.on:
            return
        context["cost_started"] = time.perf_counter()
        if model.service_model.service_name != "dynamodb":
            return
        if model.name not in WRITES:
            context["cost_read"] = dict(params)
            return
        targets = self._targets(model.name, params)
        context["cost_before"] = [(table, key, self._get(table, key), action) for table, key, action in targets]

    def _after_call(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self.on:
            return
        try:
            self._count(model, parsed, context)
        finally:  # the call and the meter's own reads are not the handler's time
            if "cost_started" in context:
                self.usage.seconds_in_calls += time.perf_counter() - context["cost_started"]

    def _count(self, model: Any, parsed: dict[str, Any], context: dict[str, Any]) -> None:
        service = model.service_model.service_name
        self.usage.calls[f"{service}.{model.name}"] += 1
        if service != "dynamodb":
            return
        failed = "Error" in parsed and parsed["Error"].get("Code")
        if model.name in WRITES:
            transactional = model.name == "TransactWriteItems"
            for table, key, before, action in context.get("cost_before", []):
                check = action == "ConditionCheck"
                after = before if failed or check else self._get(table, key)
                # A transaction writes each item twice (prepare, commit), a ConditionCheck too: AWS bills it
                # as a write of the checked item's size.
                units = write_units(max(item_size(before), item_size(after))) * (2 if transactional else 1)
                indexes = {} if failed or check else self.shape(table).index_write_units(before, after)
                self.usage.write_units += units + sum(indexes.values())
                self.usage.items.append(
                    ItemWrite(item_kind(table, key), item_size(before), item_size(after), units, indexes, action)
                )
            self.usage.failed_writes += 1 if failed else 0
            return
        self.usage.read_units += self._billed_read_units(model.name, context.get("cost_read", {}), parsed)

    def _billed_read_units(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        """A read is billed on what DynamoDB read, not on what it returned: a filter or a projection cuts the
        answer, not the bill. So a filtered or projected Query is run again (unhooked) with its key condition
        alone, and a projected GetItem gets the whole item."""
        if operation in ("Query", "Scan") and ({"FilterExpression", "ProjectionExpression", "Select"} & set(params)):
            parsed = self._side.query(**_key_condition_only(params)) if operation == "Query" else parsed
        if operation == "GetItem" and "ProjectionExpression" in params and parsed.get("Item"):
            parsed = self._side.get_item(TableName=params["TableName"], Key=params["Key"])
        return read_units(operation, parsed, consistent=_consistent(operation, params))


def _consistent(operation: str, params: dict[str, Any]) -> bool:
    if operation == "BatchGetItem":
        return any(request.get("ConsistentRead") for request in params.get("RequestItems", {}).values())
    return bool(params.get("ConsistentRead"))


def _key_condition_only(params: dict[str, Any]) -> dict[str, Any]:
    """A Query's parameters without its filter and projection (and the names and values only they used)."""
    condition = params["KeyConditionExpression"]
    kept: dict[str, Any] = {
        name: params[name]
        for name in ("TableName", "IndexName", "KeyConditionExpression", "Limit", "ExclusiveStartKey")
        if name in params
    }
    kept.update({name: params[name] for name in ("ScanIndexForward", "ConsistentRead") if name in params})
    used = set(re.findall(r"[#:][A-Za-z0-9_]+", condition))
    if params.get("ExpressionAttributeNames"):
        kept["ExpressionAttributeNames"] = {k: v for k, v in params["ExpressionAttributeNames"].items() if k in used}
        if not kept["ExpressionAttributeNames"]:
            del kept["ExpressionAttributeNames"]
    if params.get("ExpressionAttributeValues"):
        kept["ExpressionAttributeValues"] = {k: v for k, v in params["ExpressionAttributeValues"].items() if k in used}
    return kept


def read_units(operation: str, parsed: dict[str, Any], consistent: bool = False) -> float:
    """Read units of a read call from the items it read: 1 per started 4 KB, halved when eventually
    consistent (a Query or Scan sums its items' sizes first; a BatchGetItem rounds each item)."""
    factor = 1.0 if consistent else 0.5
    if operation == "GetItem":
        return max(1, math.ceil(item_size(parsed.get("Item")) / 4096)) * factor
    if operation in ("Query", "Scan"):
        return max(1, math.ceil(sum(item_size(item) for item in parsed.get("Items", [])) / 4096)) * factor
    if operation == "BatchGetItem":
        items = [item for found in parsed.get("Responses", {}).values() for item in found]
        return sum(max(1, math.ceil(item_size(item) / 4096)) * factor for item in items)
    if operation == "TransactGetItems":
        return sum(max(1, math.ceil(item_size(entry.get("Item")) / 4096)) * 2 for entry in parsed.get("Responses", []))
    return 0.0


# ---------------------------------------------------------------- running the functions
@dataclass
class Invocation:
    step: str
    function: str
    memory_mb: int
    duration_ms: float
    usage: Usage
    http: bool = False
    poller_sqs_requests: int = 0


class Lifecycle:
    def __init__(self, stack: LocalStack, api: Api, meter: Meter, keyed: bool = True) -> None:
        self.stack = stack
        self.keyed = keyed
        self.api = api
        self.meter = meter
        self.invocations: list[Invocation] = []
        self.memory = template_memory()
        for spec in stack.functions.values():  # imported before anything is timed: warm invocations
            with environment(spec.env):
                load_handler(spec.code_dir, spec.handler)
        self._seen_audit: set[tuple[str, str]] = set()
        self._side_sqs = boto3.session.Session(region_name="us-east-1").client("sqs")

    def _run(self, step: str, function: str, call: Any, **extra: Any) -> Any:
        self.meter.usage = Usage()
        self.meter.on = True
        started = time.perf_counter()
        try:
            result = call()
        finally:
            self.meter.on = False
        usage = self.meter.usage
        own_ms = (time.perf_counter() - started - usage.seconds_in_calls) * 1000
        duration = own_ms + CALL_LATENCY_MS * sum(usage.calls.values())
        self.invocations.append(
            Invocation(step, function, self.memory.get(function, 512), duration, self.meter.usage, **extra)
        )
        return result

    def invoke(self, step: str, logical_id: str, event: Any, **extra: Any) -> Any:
        spec = self.stack.functions[logical_id]

        def call() -> Any:
            with environment({**spec.env, "JWKS_URL": self.api.signer.jwks_url}):
                handler = load_handler(spec.code_dir, spec.handler)
                return handler(event, LambdaContext(function_name=spec.name, timeout_s=float(spec.timeout)))

        return self._run(step, logical_id, call, **extra)

    def request(self, step: str, method: str, path: str, body: Any, as_: dict[str, Any]) -> Any:
        route, _ = self.api.router.match(method, path) or (None, None)
        assert route is not None, path
        # The web app sends an Idempotency-Key with every POST (README: every client should): its record is
        # written in the change's transaction, so it is part of the bill.
        headers = {"Idempotency-Key": uuid.uuid4().hex} if self.keyed else {}
        reply = self._run(
            step,
            route.function,
            lambda: self.api.request(method, path, json_body=body, as_=as_, headers=headers),
            http=True,
        )
        assert reply.status < 300, (step, reply.status, reply.text)
        self.background(step)
        return reply.json

    def background(self, step: str) -> None:
        """What the stream and the queue set off after a request: router and consumer per audit event."""
        from infra.local.events import dynamodb_stream_event, sqs_event
        from tests.support.stats_feed import audit_items, records_of

        table = self.stack.outputs["WishTableName"]
        with environment({}):
            new = [item for item in audit_items(table) if (item["PK"]["S"], item["SK"]["S"]) not in self._seen_audit]
        self._seen_audit.update((item["PK"]["S"], item["SK"]["S"]) for item in new)
        stream_arn = next(s for s in self.stack.stream_sources if s.function == "EventRouterFunction").stream_arn
        queue = next(s for s in self.stack.sqs_sources if s.function == "NotifierFunction")
        for record in records_of(new):
            event = dynamodb_stream_event([record], stream_arn=stream_arn)
            assert self.invoke(step, "EventRouterFunction", event) == {"batchItemFailures": []}
            assert self.invoke(step, "StatsConsumerFunction", event) == {"batchItemFailures": []}
            while True:
                messages = self._side_sqs.receive_message(QueueUrl=queue.queue_url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                if not messages:
                    break
                job_event = sqs_event(messages, queue_arn=queue.queue_arn)
                self.invoke(step, "NotifierFunction", job_event, poller_sqs_requests=2)
                for message in messages:
                    self._side_sqs.delete_message(QueueUrl=queue.queue_url, ReceiptHandle=message["ReceiptHandle"])


def template_memory() -> dict[str, int]:
    """Each function's MemorySize (the Globals' where it names none), read from template.yaml."""
    text = (CODE / "template.yaml").read_text(encoding="utf-8")
    default = int(re.search(r"^Globals:.*?MemorySize:\s*(\d+)", text, re.S | re.M).group(1))  # type: ignore[union-attr]
    memory = {}
    for match in re.finditer(
        r"^  (\w+Function):\n    Type: AWS::Serverless::Function\n(.*?)(?=^  \w+:\n)", text, re.S | re.M
    ):
        size = re.search(r"^      MemorySize:\s*(\d+)", match.group(2), re.M)
        memory[match.group(1)] = int(size.group(1)) if size else default
    return memory


# ---------------------------------------------------------------- pricing
@dataclass
class Bill:
    lambda_requests: int = 0
    gb_seconds: float = 0.0
    http_requests: int = 0
    write_units: float = 0.0
    read_units: float = 0.0
    sqs_requests: int = 0
    scheduler_invocations: int = 0

    def add_invocation(self, invocation: Invocation) -> None:
        self.lambda_requests += 1
        self.gb_seconds += invocation.memory_mb / 1024 * math.ceil(invocation.duration_ms) / 1000
        self.http_requests += 1 if invocation.http else 0
        self.write_units += invocation.usage.write_units
        self.read_units += invocation.usage.read_units
        sqs_calls = sum(n for call, n in invocation.usage.calls.items() if call.startswith("sqs."))
        self.sqs_requests += sqs_calls + invocation.poller_sqs_requests

    def lines(self) -> list[tuple[str, float, float]]:
        """(what, quantity, dollars)."""
        return [
            ("Lambda requests", self.lambda_requests, self.lambda_requests * PRICES["lambda_request"]),
            ("Lambda GB-seconds (arm64)", self.gb_seconds, self.gb_seconds * PRICES["lambda_gb_second_arm64"]),
            ("HTTP API requests", self.http_requests, self.http_requests * PRICES["http_api_request"]),
            ("DynamoDB write units", self.write_units, self.write_units * PRICES["dynamodb_write_unit"]),
            ("DynamoDB read units", self.read_units, self.read_units * PRICES["dynamodb_read_unit"]),
            ("SQS requests", self.sqs_requests, self.sqs_requests * PRICES["sqs_request"]),
            (
                "Scheduler invocations",
                self.scheduler_invocations,
                self.scheduler_invocations * PRICES["scheduler_invocation"],
            ),
        ]

    def total(self) -> float:
        return sum(dollars for _, _, dollars in self.lines())


def schedule_rates() -> dict[str, float]:
    """Runs a month of each scheduled function, from the template's schedule parameters' defaults."""
    text = (CODE / "template.yaml").read_text(encoding="utf-8")
    seconds = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}

    def runs(parameter: str) -> float:
        block = re.search(rf"^  {parameter}:\n(.*?)(?=^  \w+:\n)", text, re.S | re.M)
        rate = re.search(r"Default:\s*rate\((\d+) (\w+)\)", block.group(1)) if block else None
        if not rate:
            raise SystemExit(f"cost: no rate(...) default for {parameter} in template.yaml")
        return MONTH_SECONDS / (int(rate.group(1)) * seconds[rate.group(2)])

    return {
        "EscalationSweepFunction": runs("EscalationScheduleRate"),
        "LeaseSweepFunction": runs("LeaseScheduleRate"),
        "RetentionSweepFunction": runs("RetentionScheduleRate"),
    }


@dataclass
class Lives:
    """What one run measured: the priced life, the idle runs of the sweeps, the lives with longer descriptions."""

    priced: list[Invocation]
    idle: list[Invocation]
    longer: dict[int, list[Invocation]]


def measure(keyed: bool = True) -> Lives:
    """Runs the lives on the code of CODE (this checkout, or --code's) in moto, metered."""
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    signer = Signer()
    full_reset = api_context.reset
    motopatch.apply()
    try:
        with mock_aws():
            boto3.setup_default_session(region_name="us-east-1")
            parameters = {"JwtIssuer": ISSUER, "JwtAudience": AUDIENCE}
            stack = deploy_stack(boto3.DEFAULT_SESSION, CODE / "template.yaml", parameters)
            meter = Meter(boto3.DEFAULT_SESSION)
            with meter.every_session():
                # Warm invocations keep their clients, as a Lambda instance does: the harness's per-invocation
                # reset (tests run many stacks in one process) forgets only the settings here.
                api_context.reset = forget_settings
                life = Lifecycle(stack, Api(stack, signer), meter, keyed=keyed)
                idle = [
                    life.invoke("idle", name, scheduled_event({"trigger": "schedule"})) for name in schedule_rates()
                ]
                assert all(isinstance(summary, dict) for summary in idle)
                idle_runs = life.invocations[:]
                for _ in range(2):  # the first life warms every function (deferred model builds, caches)
                    life.invocations.clear()
                    live(life, WISH)
                priced = life.invocations[:]
                # The same life with longer descriptions (up to 1,000 characters are allowed): what item sizes
                # near the 1 KB line do to the bill.
                longer = {}
                for chars in DESCRIPTION_SIZES:
                    life.invocations.clear()
                    live(life, {**WISH, "description": ("想有一台电视机，看看外面的世界。" * 70)[:chars]})
                    longer[chars] = life.invocations[:]
        return Lives(priced, idle_runs, longer)
    finally:
        api_context.reset = full_reset
        motopatch.revert()
        signer.close()


# ---------------------------------------------------------------- another checkout beside this one (--before)
JSON_MARK = "cost-bench-lives: "  # the line --before reads (the handlers log JSON to stdout too)


def _plain(invocation: Invocation) -> dict[str, Any]:
    """An invocation as JSON holds it (asdict would rebuild the Counter of calls from (name, count) pairs)."""
    usage = invocation.usage
    plain = {name: getattr(invocation, name) for name in Invocation.__dataclass_fields__}
    plain["usage"] = {name: getattr(usage, name) for name in Usage.__dataclass_fields__}
    plain["usage"].update(calls=dict(usage.calls), items=[asdict(item) for item in usage.items])
    return plain


def lives_to_json(lives: Lives) -> str:
    longer = {chars: [_plain(entry) for entry in life] for chars, life in lives.longer.items()}
    return json.dumps(
        {
            "priced": [_plain(entry) for entry in lives.priced],
            "idle": [_plain(entry) for entry in lives.idle],
            "longer": longer,
        }
    )


def _invocation(data: dict[str, Any]) -> Invocation:
    usage = data["usage"]
    return Invocation(
        **{
            **data,
            "usage": Usage(
                calls=Counter(usage["calls"]),
                write_units=usage["write_units"],
                read_units=usage["read_units"],
                failed_writes=usage["failed_writes"],
                seconds_in_calls=usage["seconds_in_calls"],
                items=[ItemWrite(**item) for item in usage["items"]],
            ),
        }
    )


def lives_from_json(text: str) -> Lives:
    data = json.loads(text)
    return Lives(
        [_invocation(entry) for entry in data["priced"]],
        [_invocation(entry) for entry in data["idle"]],
        {int(chars): [_invocation(entry) for entry in life] for chars, life in data["longer"].items()},
    )


def measure_elsewhere(checkout: Path, keyed: bool) -> Lives:
    """The lives on another checkout's code, measured by this file in a subprocess: its template, shared/,
    functions/ and harness (sys.path), this file's meter and prices. PYTHONDONTWRITEBYTECODE: nothing is
    written in the checkout."""
    command = [sys.executable, str(Path(__file__).resolve()), "--code", str(checkout.resolve()), "--json"]
    done = subprocess.run(
        command + ([] if keyed else ["--no-key"]),
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )
    found = [line for line in done.stdout.splitlines() if line.startswith(JSON_MARK)]
    if done.returncode or not found:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"cost: measuring {checkout} failed (exit {done.returncode})")
    return lives_from_json(found[-1][len(JSON_MARK) :])


def figures(invocations: list[Invocation]) -> dict[str, float]:
    """The lifecycle's figures compared with --before, each priced and counted by this file."""
    bill = Bill()
    parts = ("API", "StatsConsumer", "Notifier", "EventRouter")
    writes: dict[str, float] = dict.fromkeys(parts, 0.0)
    reads: dict[str, float] = dict.fromkeys(parts, 0.0)
    for invocation in invocations:
        bill.add_invocation(invocation)
        writes[component(invocation.function)] += invocation.usage.write_units
        reads[component(invocation.function)] += invocation.usage.read_units
    return {
        "lifecycle USD": bill.total(),
        "  USD without Lambda duration": bill.total() - bill.gb_seconds * PRICES["lambda_gb_second_arm64"],
        "write units": bill.write_units,
        **{f"  {part}": writes[part] for part in parts},
        "read units": bill.read_units,
        **{f"  {part} ": reads[part] for part in parts},  # (a space apart from the write units' names)
        "Lambda invocations": bill.lambda_requests,
        "Lambda GB-seconds": bill.gb_seconds,
        "HTTP API requests": bill.http_requests,
        "SQS requests": bill.sqs_requests,
    }


def _ratio(now: float, before: float) -> str:
    return f"{now / before:.2f}" if before else "-"


def write_units_by(invocations: list[Invocation], by_step: bool = False) -> Counter[tuple[str, ...]]:
    """Write units per (component, item kind) (the table's, x2 in a transaction) and (component, index), or
    with `by_step` per (step, component, kind or index)."""
    units: Counter[tuple[str, ...]] = Counter()
    for invocation in invocations:
        where: tuple[str, ...] = (component(invocation.function),)
        where = (invocation.step, *where) if by_step else where
        for write in invocation.usage.items:
            units[(*where, write.kind)] += write.table_units
            for name, index_units in write.index_units.items():
                units[(*where, f"index {name}")] += index_units
    return units


def calls_by_step(invocations: list[Invocation]) -> Counter[tuple[str, ...]]:
    calls: Counter[tuple[str, ...]] = Counter()
    for invocation in invocations:
        for call, n in invocation.usage.calls.items():
            calls[(invocation.step, invocation.function.removesuffix("Function"), call)] += n
    return calls


def print_differences(before: Counter[tuple[str, ...]], now: Counter[tuple[str, ...]]) -> None:
    for key in sorted(set(before) | set(now)):
        if before[key] != now[key]:
            *where, kind = key
            label = " ".join(f"{part:<13}" for part in where)
            print(f"  {label} {kind:<28}{before[key]:>5} -> {now[key]:>5}  ({now[key] - before[key]:+})")


def compare(before: Lives, now: Lives, name: str, detail: bool = False) -> float:
    """Both checkouts' lives side by side, and now/before: the ratio goal 7 asks about (<= 0.5)."""
    old, new = figures(before.priced), figures(now.priced)
    print(f"\nThe same life on {name} (before) and on this checkout (now), measured in this run by this file:")
    print(f"  {'':<32}{'before':>12}{'now':>12}{'now/before':>12}")
    for what in new:
        digits = 7 if "USD" in what else 2
        print(f"  {what:<32}{old[what]:>12.{digits}f}{new[what]:>12.{digits}f}{_ratio(new[what], old[what]):>12}")
    for chars in now.longer:
        if chars in before.longer:
            then, today = figures(before.longer[chars])["lifecycle USD"], figures(now.longer[chars])["lifecycle USD"]
            label = f"lifecycle USD, {chars} characters"
            print(f"  {label:<32}{then:>12.7f}{today:>12.7f}{_ratio(today, then):>12}")
    ratio = new["lifecycle USD"] / old["lifecycle USD"]
    print(
        f"  goal 7 (issue 15): the lifecycle at or under half of the code of the issue's day: now/before = "
        f"{ratio:.2f} ({'met' if ratio <= 0.5 else 'not met'}); Lambda duration is modelled from each run's own time"
    )
    if detail:
        print("\nWrite units that differ, by component and item kind or index (before -> now):")
        print_differences(write_units_by(before.priced), write_units_by(now.priced))
        print("\n... and by step:")
        print_differences(write_units_by(before.priced, by_step=True), write_units_by(now.priced, by_step=True))
        print("\nCalls that differ, by step and function (before -> now):")
        print_differences(calls_by_step(before.priced), calls_by_step(now.priced))
    return ratio


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.cost", description=__doc__.split("\n")[0])
    parser.add_argument("--detail", action="store_true", help="every item each write touched")
    parser.add_argument("--no-key", action="store_true", help="POSTs without an Idempotency-Key")
    parser.add_argument(
        "--before", type=Path, metavar="DIR", help="another checkout measured beside this one, read only"
    )
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)  # read at import (measured_checkout)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # what --before reads
    args = parser.parse_args(argv)
    if args.code is not None and args.code.resolve() != CODE:
        parser.error("--code: run this file as a script (python infra/bench/cost.py --code DIR), as --before does")
    before = measure_elsewhere(args.before, keyed=not args.no_key) if args.before is not None else None
    lives = measure(keyed=not args.no_key)
    if args.json:
        print(JSON_MARK + lives_to_json(lives))
        return
    report(lives.priced, lives.idle, alarms(), detail=args.detail)
    report_sizes(lives.longer)
    if before is not None:
        compare(before, lives, str(args.before), detail=args.detail)


def live(life: Lifecycle, submission: dict[str, Any]) -> None:
    """One wish's life through the API: submitted, approved, claimed, delivered, confirmed."""
    wish = life.request("submit", "POST", "/wishes", submission, RESIDENT)["id"]
    approve = {"decision": "approve", "mode": "sole"}
    life.request("review", "POST", f"/wishes/{wish}/review", approve, OFFICER)
    life.request("claim", "POST", f"/wishes/{wish}/claims", {}, DONOR)
    life.request("delivery", "POST", f"/wishes/{wish}/delivery", {"note": "已送达"}, DONOR)
    life.request("confirmation", "POST", f"/wishes/{wish}/confirmation", {"accepted": True}, OFFICER)


def report_sizes(lives: dict[int, list[Invocation]]) -> None:
    print("\nThe same life with a longer description (write units by component; lifecycle USD):")
    for chars, invocations in lives.items():
        bill = Bill()
        units: Counter[str] = Counter()
        for invocation in invocations:
            bill.add_invocation(invocation)
            units[component(invocation.function)] += int(invocation.usage.write_units)
        parts = ", ".join(f"{part} {n}" for part, n in sorted(units.items(), key=lambda e: -e[1]) if n)
        print(f"  {chars:>5} characters: {sum(units.values()):>4} write units ({parts})   ${bill.total():.7f}")


def forget_settings() -> None:
    get_settings.cache_clear()
    api_context.repository.cache_clear()


def alarms() -> int:
    return len(re.findall(r"Type: AWS::CloudWatch::Alarm", (CODE / "template.yaml").read_text(encoding="utf-8")))


def component(function: str) -> str:
    if function in ("StatsConsumerFunction", "NotifierFunction", "EventRouterFunction"):
        return function.removesuffix("Function")
    return "API"


def print_write_breakdown(invocations: list[Invocation], detail: bool) -> None:
    """Where the write units go: per component, per kind of item (the table's units, transactions'
    doubling included) and per index; with `detail`, every item of every write."""
    table: Counter[tuple[str, str]] = Counter()
    indexes: Counter[tuple[str, str]] = Counter()
    for invocation in invocations:
        part = component(invocation.function)
        for write in invocation.usage.items:
            table[(part, write.kind)] += write.table_units
            for name, units in write.index_units.items():
                indexes[(part, name)] += units
    totals: Counter[str] = Counter()
    for (part, _), units in (table + indexes).items():
        totals[part] += units
    print("\nWrite units by component, item kind (table, x2 in a transaction) and index:")
    for part in sorted(totals, key=lambda name: -totals[name]):
        kinds = ", ".join(f"{kind} {n}" for (p, kind), n in sorted(table.items(), key=lambda e: -e[1]) if p == part)
        index = ", ".join(f"{name} {n}" for (p, name), n in sorted(indexes.items(), key=lambda e: -e[1]) if p == part)
        print(f"  {part:<14}{totals[part]:>5}  items: {kinds}")
        if index:
            print(f"  {'':<14}{'':>5}  indexes: {index}")
    if not detail:
        return
    print("\nEvery item written (step, function: action kind size before -> after: table units + index units):")
    for invocation in invocations:
        for write in invocation.usage.items:
            index = " ".join(f"{name}+{n}" for name, n in write.index_units.items())
            print(
                f"  {invocation.step:<13}{invocation.function.removesuffix('Function'):<15}{write.operation:<15}"
                f"{write.kind:<18}{write.size_before:>5} -> {write.size_after:>5} B  {write.table_units:>2}  {index}"
            )


def report(invocations: list[Invocation], idle_runs: list[Invocation], alarm_count: int, detail: bool = False) -> float:
    print(f"One wish's life (submit, review, claim, delivery, confirmation) at {PRICES_DATE}:")
    print(f"{'step':<13}{'function':<26}{'ms':>6}{'WRU':>6}{'RRU':>6}  calls")
    bill = Bill()
    for invocation in invocations:
        bill.add_invocation(invocation)
        calls = ", ".join(f"{name.split('.', 1)[1]} {n}" for name, n in sorted(invocation.usage.calls.items()))
        print(
            f"{invocation.step:<13}{invocation.function.removesuffix('Function'):<26}{invocation.duration_ms:>6.0f}"
            f"{invocation.usage.write_units:>6.0f}{invocation.usage.read_units:>6.1f}  {calls}"
        )
    print()
    for what, quantity, dollars in bill.lines():
        print(f"  {what:<28}{quantity:>10.2f}   ${dollars:.7f}")
    lifecycle = bill.total()
    consumer = sum(i.usage.write_units for i in invocations if i.function == "StatsConsumerFunction")
    print(
        f"  {'lifecycle':<28}{'':>10}   ${lifecycle:.7f}   (issue 15 said ${ISSUE_TODAY:.5f}; goal <= ${GOAL:.5f}: "
        f"{'met' if lifecycle <= GOAL else 'not met'})"
    )
    print("  (the issue's figure is an older model's: --before DIR measures a baseline in the same run)")
    duration = bill.gb_seconds * PRICES["lambda_gb_second_arm64"]
    print(f"  of which Lambda duration (modelled, varies with this machine's load): ${duration:.7f}")
    print(f"  the stats consumer's share of the write units: {consumer:.0f} of {bill.write_units:.0f}")
    print(f"  first run of this script (before the other scale work merged): ${FIRST_RUN:.7f}")
    print_write_breakdown(invocations, detail)

    print("\nA month idle:")
    month = Bill()
    rates = schedule_rates()
    for run in idle_runs:
        count = rates[run.function]
        one = Bill()
        one.add_invocation(run)
        month.lambda_requests += round(count)
        month.gb_seconds += one.gb_seconds * count
        month.write_units += one.write_units * count
        month.read_units += one.read_units * count
        month.scheduler_invocations += round(count)
        print(
            f"  {run.function.removesuffix('Function'):<22}{count:>6.0f} runs x ${one.total():.8f} + a scheduler call"
        )
    for what, quantity, dollars in month.lines():
        if quantity:
            print(f"  {what:<28}{quantity:>10.2f}   ${dollars:.5f}")
    alarm_cost = alarm_count * PRICES["alarm_month"]
    polls = IDLE_SQS_POLLERS * 3 * MONTH_SECONDS / 60
    print(f"  {'CloudWatch alarms':<28}{alarm_count:>10}   ${alarm_cost:.2f}")
    print(
        f"  {'(estimate) SQS long polls':<28}{polls:>10.0f}   ${polls * PRICES['sqs_request']:.2f}"
        "  (the notifier's poller)"
    )
    print(
        f"  {'month idle':<28}{'':>10}   ${month.total() + alarm_cost:.2f} "
        f"+ ~${polls * PRICES['sqs_request']:.2f} of SQS polling (inside SQS's 1M-request free tier for most accounts)"
    )
    return lifecycle


if __name__ == "__main__":
    main()
