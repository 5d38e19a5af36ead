"""What one escalation sweep reads, next to a Scan, on a table of 100,000 wishes of which 100 are due.

    python -m infra.bench.escalation [--wishes 100000] [--due 100]

In moto in-process: the stack from template.yaml (infra.local.stack.deploy_stack), wishes loaded
with BatchWriteItem (moto's transactions slow down as the table grows), then:
1. a Scan of the table for what is due (what a sweep without the index would have to do);
2. one real sweep (microwish.services.escalation.Sweep): Query of the sparse ByDue index
   (KEYS_ONLY) + BatchGetItem of the due wishes + one transaction per move;
3. for the projection decision, the same Query against a copy of the ByDue index projected ALL
   (a second, small table holding the due wishes and some not due: a Query's cost depends only on
   what its key condition selects).
Every call is counted through a client proxy that asks for ReturnConsumedCapacity=TOTAL. moto's
capacity figures are placeholders (1 per Query/Scan call, 1 per BatchGetItem key, whatever the
sizes), so read units are also estimated from item sizes by DynamoDB's rules: a Query or Scan
costs its items' total size in 4 KB units, a BatchGetItem each item's size in 4 KB units, both
halved for eventually consistent reads (what the sweep and the index use). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
from botocore.config import Config
from moto import mock_aws

from infra.bench import offline_aws_env

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from infra.local.stack import deploy_stack  # noqa: E402
from microwish import clock  # noqa: E402
from microwish.lifecycle import Status  # noqa: E402
from microwish.models import Wish  # noqa: E402
from microwish.repository import DUE_ESCALATION, WishRepository, to_dynamo, wish_item  # noqa: E402
from microwish.services.escalation import Sweep  # noqa: E402
from microwish.settings import Settings  # noqa: E402

TEMPLATE = ROOT / "template.yaml"
READS = {"query", "scan", "batch_get_item", "get_item"}


# ---------------------------------------------------------------- sizes (DynamoDB's rules, roughly)
def value_size(value: dict[str, Any]) -> int:
    kind, body = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(body.encode("utf-8")) if kind == "S" else len(body)
    if kind == "N":
        return math.ceil(len(body.lstrip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(entry) for entry in body)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_size(entry) for name, entry in body.items())
    if kind in ("SS", "NS"):
        return sum(value_size({kind[0]: entry}) for entry in body)
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def rcu_together(total_bytes: int) -> float:
    """Query/Scan: the items' total size in 4 KB units, eventually consistent (half)."""
    return math.ceil(total_bytes / 4096) * 0.5 if total_bytes else 0.5


def rcu_each(sizes: list[int]) -> float:
    """BatchGetItem/GetItem: each item's size in 4 KB units, eventually consistent (half)."""
    return sum(math.ceil(size / 4096) * 0.5 for size in sizes)


# ---------------------------------------------------------------- counting client
class Recorder:
    """A DynamoDB client that counts what each kind of call reads, and asks every call for its capacity."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.reset()

    def reset(self) -> None:
        self.calls: Counter[str] = Counter()
        self.count: Counter[str] = Counter()  # items returned (Count; Responses of a BatchGetItem)
        self.scanned: Counter[str] = Counter()  # items read (ScannedCount; Responses of a BatchGetItem)
        self.bytes: Counter[str] = Counter()
        # Read units are fractional (half a unit for an eventually consistent read).
        self.reported: defaultdict[str, float] = defaultdict(float)  # ConsumedCapacity as moto reports it
        self.estimated: defaultdict[str, float] = defaultdict(float)  # read units by the item sizes

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in READS | {"transact_write_items"}:
            return method

        def call(**params: Any) -> Any:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")
            response = method(**params)
            self.calls[name] += 1
            consumed = response.get("ConsumedCapacity")
            for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
                self.reported[name] += float(entry.get("CapacityUnits", 0))
            if name in ("query", "scan"):
                sizes = [item_size(item) for item in response.get("Items", [])]
                self.count[name] += response.get("Count", 0)
                self.scanned[name] += response.get("ScannedCount", 0)
                self.estimated[name] += rcu_together(sum(sizes))
            elif name == "batch_get_item":
                items = [item for table in response.get("Responses", {}).values() for item in table]
                sizes = [item_size(item) for item in items]
                self.count[name] += len(items)
                self.scanned[name] += len(items)
                self.estimated[name] += rcu_each(sizes)
            else:
                sizes = []
            self.bytes[name] += sum(sizes)
            return response

        return call

    def reads(self, counter: Mapping[str, float]) -> float:
        return sum(value for name, value in counter.items() if name in READS)


# ---------------------------------------------------------------- moto's transactions, made affordable
def cheap_transaction_rollback() -> None:
    """moto backs up a transaction by deep-copying every table it touches, per item: ~4 s per
    transaction at 5,000 items on this machine, minutes at 100,000. For this benchmark only, back up
    just the items the transaction names and put them back if it fails (DynamoDB's semantics for
    what a transaction may change; moto's indexes are computed from the items). Reads are unaffected.
    """
    import copy
    import types

    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, models.Table) else copy.deepcopy(value, memo)

    shallow = types.SimpleNamespace(deepcopy=deepcopy)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.get_table(op["TableName"])
            attrs = op.get("Key") or op["Item"]
            key = {name: attrs[name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            current = self.get_item(op["TableName"], key)
            backups.append((op["TableName"], key, current.to_json()["Attributes"] if current else None))
        try:
            with mock.patch.object(models, "copy", shallow):
                original(self, transact_items)
        except Exception:
            for table_name, key, attributes in backups:
                if attributes is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attributes)
            raise

    # For the rest of the benchmark's process.
    mock.patch.object(models.DynamoDBBackend, "transact_write_items", transact_write_items).start()


# ---------------------------------------------------------------- data
def make_wishes(total: int, due: int, seed: int = 7) -> list[Wish]:
    """`due` open/submitted wishes past their window; the rest waiting (not due) or taken (off the index)."""
    rng = random.Random(seed)
    now = clock.now()
    wishes = []
    for n in range(total):
        county, township, village = rng.randint(1, 13), rng.randint(1, 30), rng.randint(1, 40)
        region = f"4312{county:02d}{township:03d}{village:03d}"
        if n < due:
            status, due_at = (
                rng.choice([Status.OPEN, Status.OPEN, Status.SUBMITTED]),
                now - timedelta(minutes=rng.randint(1, 600)),
            )
        elif rng.random() < 0.8:
            status, due_at = (
                rng.choice([Status.OPEN, Status.OPEN, Status.SUBMITTED]),
                now + timedelta(minutes=rng.randint(60, 14 * 24 * 60)),
            )
        else:
            status, due_at = rng.choice([Status.CLAIMED, Status.FULFILLED]), None
        created = clock.iso(now - timedelta(days=rng.randint(1, 60)))
        wishes.append(
            Wish(
                id=f"{n:032x}" if n >= due else f"{rng.getrandbits(128):032x}",
                title=f"心愿{n}：一台电视机",
                description="罹患癌症在家休养，想有一台电视机看看外面的世界。",
                category="goods",
                groups=["women_in_hardship"],
                region_code=region,
                level=rng.choice(["village", "township", "county"]),
                status=status,
                beneficiary_alias="谢女士",
                submitted_by=f"resident-{n % 500}",
                created_at=created,
                updated_at=created,
                due_at=clock.iso(due_at) if due_at else None,
                target_fen=150_000,
            )
        )
    return wishes


def load(client: Any, table: str, wishes: list[Wish]) -> list[int]:
    """BatchWriteItem, 25 at a time (retrying what comes back unprocessed); returns the item sizes.

    moto checks the 400 KB item limit by re-summing the whole item at each attribute it stores
    (quadratic: ~3 ms an item here, five minutes for 100,000); these items are ~1 KB, so the load
    skips that check. Nothing the sweep or the Scan measures goes through it.
    """
    from moto.dynamodb.models import dynamo_type

    checked = dynamo_type.LimitedSizeDict.__setitem__
    dynamo_type.LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[method-assign]
    try:
        return _load(client, table, wishes)
    finally:
        dynamo_type.LimitedSizeDict.__setitem__ = checked  # type: ignore[method-assign]


def _load(client: Any, table: str, wishes: list[Wish]) -> list[int]:
    sizes, batch = [], []
    for wish in wishes:
        item = to_dynamo(wish_item(wish))
        sizes.append(item_size(item))
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            _write(client, table, batch)
            batch = []
    if batch:
        _write(client, table, batch)
    return sizes


def _write(client: Any, table: str, batch: list[dict[str, Any]]) -> None:
    requests = {table: batch}
    while requests:
        requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}


def all_projection_copy(client: Any, source: str) -> str:
    """A table like the wish table whose ByDue index projects ALL (the alternative to KEYS_ONLY)."""
    description = client.describe_table(TableName=source)["Table"]
    indexes = []
    for index in description["GlobalSecondaryIndexes"]:
        projection = {"ProjectionType": "ALL"} if index["IndexName"] == "ByDue" else index["Projection"]
        indexes.append({"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": projection})
    name = f"{source}-due-all"
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=description["KeySchema"],
        AttributeDefinitions=description["AttributeDefinitions"],
        GlobalSecondaryIndexes=indexes,
    )
    return name


# ---------------------------------------------------------------- the run
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wishes", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=100)
    args = parser.parse_args()
    offline_aws_env()

    cheap_transaction_rollback()
    with mock_aws():
        stack = deploy_stack(boto3.Session(region_name="us-east-1"), TEMPLATE, {})
        table = stack.outputs["WishTableName"]
        settings = Settings.from_env(stack.functions["EscalationSweepFunction"].env)
        client = boto3.client("dynamodb", region_name="us-east-1")
        # The loader's client skips botocore's parameter validation (a fifth of the load's time).
        loader = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=False))

        wishes = make_wishes(args.wishes, args.due)
        started = time.monotonic()
        sizes = load(loader, table, wishes)
        load_seconds = time.monotonic() - started
        on_index = sum(1 for wish in wishes if wish.due_at and wish.status in (Status.OPEN, Status.SUBMITTED))
        print(
            f"table: {args.wishes:,} wishes ({on_index:,} on the ByDue index, {args.due} due), mean item "
            f"{sum(sizes) / len(sizes):.0f} B; loaded with BatchWriteItem in {load_seconds:.1f} s"
        )

        now = clock.iso(clock.now())
        recorder = Recorder(client)
        due_values = {":kind": {"S": DUE_ESCALATION}, ":now": {"S": f"{now}#~"}}

        # 1. A Scan for what is due: every item of the table is read.
        started = time.monotonic()
        scan_count, scan_scanned, scan_calls, start = 0, 0, 0, None
        while True:
            page = recorder.scan(
                TableName=table,
                FilterExpression="DuePK = :kind AND DueSK <= :now",
                ExpressionAttributeValues=due_values,
                Select="COUNT",
                **({"ExclusiveStartKey": start} if start else {}),
            )
            scan_count += page["Count"]
            scan_scanned += page["ScannedCount"]
            scan_calls += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        scan_seconds = time.monotonic() - started
        scan_reported = recorder.reported["scan"]
        scan_estimated = rcu_together(sum(sizes))  # Select=COUNT still reads (and bills) every item

        # 2. One sweep: Query the sparse index, BatchGetItem the due wishes, one transaction per move.
        recorder.reset()
        repo = WishRepository(table, recorder)
        started = time.monotonic()
        summary = Sweep(repo, settings).run()
        sweep_seconds = time.monotonic() - started
        sweep_items_read = recorder.reads(recorder.scanned)
        sweep_rcu = recorder.reads(recorder.estimated)
        due = max(args.due, 1)
        key_bytes = recorder.bytes["query"] / max(recorder.count["query"], 1)

        print("\n== one sweep (ByDue KEYS_ONLY: Query + BatchGetItem, then one transaction per move)")
        print(
            f"summary: moved {summary.moved}, flagged {summary.flagged}, skipped {summary.skipped}, "
            f"unchanged {summary.unchanged}, pages {summary.pages}, due {summary.due} "
            f"({sweep_seconds:.1f} s)"
        )
        print(f"calls: {dict(recorder.calls)}")
        for name in ("query", "batch_get_item"):
            print(
                f"  {name}: Count {recorder.count[name]:,}, ScannedCount/items read "
                f"{recorder.scanned[name]:,}, {recorder.bytes[name]:,} B; "
                f"moto reports {recorder.reported[name]:.1f} units; "
                f"estimated {recorder.estimated[name]:.1f} RCU"
            )
        print(
            f"items read by the sweep: {sweep_items_read:,} = {sweep_items_read / due:.2f} per due wish "
            f"(an index key is ~{key_bytes:.0f} B)"
        )
        print(
            f"read capacity: moto reports {recorder.reads(recorder.reported):.1f} units (placeholders: "
            f"1 per Query call, 1 per BatchGetItem key, whatever the sizes); estimated from sizes "
            f"{sweep_rcu:.1f} RCU = {sweep_rcu / due:.3f} per due wish; writes: "
            f"{recorder.calls['transact_write_items']} "
            f"transactions (2 items each: ~4 WCU per move, 2x for transactions)"
        )

        print("\n== a Scan of the same table for what is due (what a sweep without the index would read)")
        print(
            f"Scan: {scan_calls} calls, Count {scan_count:,}, ScannedCount {scan_scanned:,} "
            f"({scan_seconds:.1f} s); moto reports {scan_reported:.1f} units; "
            f"estimated {scan_estimated:,.1f} RCU"
        )
        print(
            f"ratio Scan/sweep: items read {scan_scanned / max(sweep_items_read, 1):,.0f}x, "
            f"read units {scan_estimated / max(sweep_rcu, 0.5):,.0f}x"
        )

        # 3. The projection decision: the same Query on an index projected ALL needs no BatchGetItem.
        copy = all_projection_copy(client, table)
        load(loader, copy, wishes[: 6 * args.due])  # the due wishes and some waiting ones
        recorder.reset()
        start = None
        while True:
            page = recorder.query(
                TableName=copy,
                IndexName="ByDue",
                KeyConditionExpression="DuePK = :kind AND DueSK <= :now",
                ExpressionAttributeValues=due_values,
                Limit=100,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        print("\n== the alternative: ByDue projected ALL (Query only, no BatchGetItem)")
        all_rcu = recorder.estimated["query"]
        print(
            f"Query: {recorder.calls['query']} calls, {recorder.scanned['query']:,} items, "
            f"{recorder.bytes['query']:,} B; estimated {all_rcu:.1f} RCU = {all_rcu / due:.3f} per due "
            f"wish (KEYS_ONLY + BatchGetItem: {sweep_rcu / due:.3f}); saves {sweep_rcu - all_rcu:.1f} RCU "
            f"a run, {(sweep_rcu - all_rcu) * 96:,.0f} RCU a day at 96 runs"
        )
        mean = sum(sizes) / len(sizes)
        print(
            f"its price on the write side: every write of a wish on the index (a pledge, a review, an "
            f"edit) also rewrites its ~{mean:.0f} B copy in ByDue (1 WCU per KB), and the index stores a "
            f"full copy of all {on_index:,} waiting wishes (~{on_index * mean / 1e6:.1f} MB); KEYS_ONLY "
            f"writes the index only when DueSK changes, and stores ~{on_index * key_bytes / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
