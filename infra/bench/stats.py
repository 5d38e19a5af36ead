"""What the report counters cost to write: write units per audit event, today's design against the new one.

    python -m infra.bench.stats

Method. moto does not bill, so write units are computed from item sizes the way DynamoDB bills them:
an item's size is the sum of its attribute names and values (strings: UTF-8 bytes; numbers: 1 byte
per two significant digits + 1; sets: the sum of their elements), a write costs ceil(max(size before,
size after) / 1 KB) units (at least 1), and twice that inside a transaction.
- The new design is measured: the real consumer (`microwish.services.stats.count_batch`) runs against
  a table with the wish table's keys in moto (the stats items use no index), and every item a
  TransactWriteItems touches is looked up in moto's table before and after the call to size it.
- Today's design (a `donors` string set ADDed to the all-time, month and day items of every scope, one
  transaction per event with its marker) is the baseline, kept here as it was (`todays_cost`): its
  items are built in memory from the same events and sized by the same rule.
The leaderboard's transaction (the same in both designs) and the donor record's one-time `donor_ref`
are left out of both. moto's per-transaction copy of the whole table (for a rollback) is skipped
(`skip_moto_table_backups`): it would take minutes per transaction at 100k donors.

Printed:
1. An ordinary event (a submission, and a fulfilment by a donor new to the region) at 0, 1k, 10k and
   100k distinct donors already counted in one township and one month (the worst case: every donor in
   the same items). The prior state is loaded fast: the items the new design keeps for those donors
   (their donor-days items and the counters they moved) are written straight into moto's table;
   today's is built and sized in memory.
2. The consumer's write units per event for ordinary lifecycles (a sole wish: submitted, approved,
   claimed, delivered, fulfilled on five days; a campaign's pooled wish with three donors), one event
   per stream batch (quiet hours: nothing to merge), and a giving day's batches (100 events a batch,
   100 wishes in one county; and a busy township's month, 120 sole wishes with every category and group,
   whose counter items carry every tag counter): today's against the new, as a ratio.
3. What a report reads: GET /stats for a year of a city (its 13 counties) and of a province (14 cities, 134
   counties), every county, city and the province with a counted month in each month of the year (written
   straight into moto's table): BatchGetItem calls, keys asked for and items read.

BENCH_STATS_SECTIONS (default "1,2,3") picks the sections; BENCH_STATS_DONORS (default
"0,1000,10000,100000") the donor counts of section 1 (the 100k point takes minutes).
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from microwish.repository import WishRepository, from_dynamo, to_dynamo  # noqa: E402
from microwish.repository.keys import TOTAL_BUCKET, counted_marker_key, counter_key, donor_trail_key  # noqa: E402
from microwish.services import stats  # noqa: E402

KB = 1024
MAX_ITEM = 400 * KB
VILLAGE = "431222250201"  # one township (431222250) of one county, city and province
MONTH = "2026-05"
DONOR_POINTS = tuple(int(n) for n in os.environ.get("BENCH_STATS_DONORS", "0,1000,10000,100000").split(","))
SECTIONS = {s.strip() for s in os.environ.get("BENCH_STATS_SECTIONS", "1,2,3").split(",")}
YEAR = 2026


# ---------------------------------------------------------------- sizes and units, as DynamoDB bills
def _value_size(value: dict[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(_value_size({"N": n}) for n in inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    raise ValueError(kind)


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes of a low-level (DynamoDB JSON) item."""
    return sum(len(name.encode()) + _value_size(value) for name, value in (item or {}).items())


def write_units(before: int, after: int, transactional: bool) -> int:
    return max(1, math.ceil(max(before, after) / KB)) * (2 if transactional else 1)


def skip_moto_table_backups() -> None:
    """moto copies the whole table for every item of a transaction (to roll back a failed one): at 100k
    donors that is minutes per transaction. The bench's transactions do not fail (one consumer, no race),
    so the table is not copied; single items still are."""
    import copy

    import moto.dynamodb.models as models

    class _Copy:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, models.Table) else copy.deepcopy(value, memo)

    models.copy = _Copy  # type: ignore[assignment]


def moto_table(name: str) -> Any:
    """moto's own table: read to size items without a request, and written to load the prior state fast."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(name)


class WriteMeter:
    """Sizes every item a client's TransactWriteItems touches, before and after (from moto's table)."""

    def __init__(self, client: Any, table: Any) -> None:
        self.table = table
        self.units = 0
        self.too_big = 0
        self._before: list[tuple[dict[str, Any], int]] = []
        client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", self._size_before)
        client.meta.events.register("after-call.dynamodb.TransactWriteItems", self._size_after)

    def _current(self, key: dict[str, Any]) -> int:
        from moto.dynamodb.models.dynamo_type import DynamoType

        try:
            found = self.table.get_item(DynamoType(key["PK"]), DynamoType(key["SK"]))
        except KeyError:
            found = None
        return item_size(found.to_json()["Attributes"]) if found else 0

    @staticmethod
    def _key(operation: dict[str, Any]) -> dict[str, Any]:
        (body,) = operation.values()
        item = body.get("Key") or body["Item"]
        return {"PK": item["PK"], "SK": item["SK"]}

    def _size_before(self, params: dict[str, Any], **_: object) -> None:
        self._before = [(key, self._current(key)) for key in map(self._key, params["TransactItems"])]

    def _size_after(self, http_response: Any, parsed: dict[str, Any], **_: object) -> None:
        if http_response.status_code != 200:
            return  # cancelled: DynamoDB still bills it, but the consumer plans again (counted when it commits)
        for key, before in self._before:
            after = self._current(key)
            self.units += write_units(before, after, transactional=True)
            self.too_big += max(before, after) > MAX_ITEM

    def take(self) -> int:
        units, self.units = self.units, 0
        return units


# ---------------------------------------------------------------- synthetic audit events
def event(
    wish: dict[str, Any], action: str, day: int, hour: int, from_status: str | None, to_status: str, **extra: Any
) -> dict[str, Any]:
    at = f"{wish['month']}-{day:02d}T{hour:02d}:00:00.000Z"
    return {
        "PK": f"WISH#{wish['id']}",
        "SK": f"AUDIT#{at}#000000001.0#{uuid.uuid4().hex[:8]}",
        "type": "audit",
        "wish_id": wish["id"],
        "action": action,
        "at": at,
        "from_status": from_status,
        "to_status": to_status,
        "wish": {
            "region_code": wish["region"],
            "category": "goods",
            "groups": ["women_in_hardship"],
            "mode": wish["mode"],
            "campaign_id": wish.get("campaign"),
            "created_at": f"{wish['month']}-{wish['day']:02d}T01:00:00.000Z",
            "approved_at": f"{wish['month']}-{wish['day']:02d}T02:00:00.000Z",
        },
        **extra,
    }


def new_wish(region: str = VILLAGE, day: int = 1, mode: str = "sole", campaign: str | None = None) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "region": region, "month": MONTH, "day": day, "mode": mode, "campaign": campaign}


def sole_lifecycle(wish: dict[str, Any], donor: str) -> list[dict[str, Any]]:
    d = wish["day"]
    return [
        event(wish, "submitted", d, 1, None, "submitted"),
        event(wish, "approved", d, 2, "submitted", "open"),
        event(wish, "claimed", d + 1, 3, "open", "claimed", donor_id=donor),
        event(wish, "delivered", d + 3, 4, "claimed", "delivered"),
        event(wish, "fulfilled", d + 4, 5, "delivered", "fulfilled", donor_ids=[donor], amount_fen=150_000),
    ]


def pooled_lifecycle(wish: dict[str, Any], donors: list[str]) -> list[dict[str, Any]]:
    d = wish["day"]
    events = [event(wish, "submitted", d, 1, None, "submitted"), event(wish, "approved", d, 2, "submitted", "open")]
    events += [event(wish, "pledged", d + 1, 3 + n, "open", "open", donor_id=x) for n, x in enumerate(donors[:-1])]
    events += [
        event(wish, "claimed", d + 2, 3, "open", "claimed", donor_id=donors[-1]),
        event(wish, "delivered", d + 3, 4, "claimed", "delivered"),
        event(wish, "fulfilled", d + 4, 5, "delivered", "fulfilled", donor_ids=donors, amount_fen=90_000),
    ]
    return events


def donor_id() -> str:
    return str(uuid.uuid4())  # a Cognito sub: 36 characters


# ---------------------------------------------------------------- today's design, kept as the baseline
class Today:
    """The design before issue 15: per event one transaction of its marker and, for every scope (and
    campaign scope), the all-time, month and day counter items, each ADDing the event's numbers and the
    fulfilled wish's donors to a `donors` string set (and the month to the all-time item's `months`)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    @staticmethod
    def moves(audit: dict[str, Any]) -> dict[tuple[str, str], tuple[dict[str, int], set[str], set[str]]]:
        flows, gave_in = stats.moves_of(audit, summed_levels=())  # every level counted on its own items
        donors = set(audit.get("donor_ids") or []) if gave_in else set()
        moves: dict[tuple[str, str], tuple[dict[str, int], set[str], set[str]]] = {}
        for (dimension, bucket), numbers in flows.items():
            buckets = [bucket, TOTAL_BUCKET] if bucket.startswith("M#") else [bucket]
            for b in buckets:
                n, _donors, m = moves.setdefault((dimension, b), (defaultdict(int), set(), set()))
                for name, amount in numbers.items():
                    n[stats.canonical(name)] += amount  # its long names (c_goods_submitted)
                if b == TOTAL_BUCKET:
                    m.add(bucket[2:])
        for dimension, day in gave_in:
            for b in (TOTAL_BUCKET, f"M#{day[:7]}", f"D#{day}"):
                moves.setdefault((dimension, b), (defaultdict(int), set(), set()))[1].update(donors)
        return moves

    def count(self, audit: dict[str, Any]) -> int:
        """The write units of counting one event (a marker and each counter item, in one transaction)."""
        marker = to_dynamo({**counted_marker_key(audit["wish_id"], audit["SK"]), "type": "counted", "at": audit["at"]})
        units = write_units(0, item_size(marker), transactional=True)
        for (dimension, bucket), (numbers, donors, months) in self.moves(audit).items():
            item = self.items.setdefault((dimension, bucket), dict(counter_key(dimension, bucket)))
            before = item_size(to_dynamo(item))
            for name, amount in numbers.items():
                item[name] = item.get(name, 0) + amount
            if donors:
                item["donors"] = item.get("donors", set()) | donors
            if months:
                item["months"] = item.get("months", set()) | months
            units += write_units(before, item_size(to_dynamo(item)), transactional=True)
        return units

    def largest_item(self) -> int:
        return max(item_size(to_dynamo(item)) for item in self.items.values())


def load_today(today: Today, donors: int) -> None:
    """`donors` distinct donors' fulfilments already counted in one township and one month (sets filled directly)."""
    for n in range(donors):
        day = f"{MONTH}-{n % 28 + 1:02d}"
        for dimension in stats.scopes(VILLAGE):
            for bucket in (TOTAL_BUCKET, f"M#{MONTH}", f"D#{day}"):
                item = today.items.setdefault((dimension, bucket), dict(counter_key(dimension, bucket)))
                item.setdefault("donors", set()).add(f"{n:08d}-0000-4000-8000-000000000000")
                item["in_fulfilled"] = item.get("in_fulfilled", 0) + 1
                item["out_delivered"] = item.get("out_delivered", 0) + 1
                item["value_fen"] = item.get("value_fen", 0) + 150_000


# ---------------------------------------------------------------- the new design, measured in moto
def load_new(table: Any, start: int, end: int) -> None:
    """Donors start..end-1 of the worst case (first fulfilments in one township and one month), added to
    what is loaded: each donor's days item (its township's days) and the day and month counters they moved
    (u0: first days ever; the flows), written straight into moto's table."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    counters: dict[tuple[str, str], dict[str, Any]] = {}
    for dimension in stats.scopes(VILLAGE):
        for day in range(1, 29):
            for bucket in (f"M#{MONTH}", f"D#{MONTH}-{day:02d}"):
                key = to_dynamo(counter_key(dimension, bucket))
                try:
                    found = table.get_item(DynamoType(key["PK"]), DynamoType(key["SK"]))
                except KeyError:
                    found = None
                counters[(dimension, bucket)] = (
                    from_dynamo(found.to_json()["Attributes"]) if found else counter_key(dimension, bucket)
                )
    for n in range(start, end):
        day = n % 28 + 1
        donor = f"{n:08d}-0000-4000-8000-000000000000"
        township = stats.scopes(VILLAGE)[-1]
        days = {**donor_trail_key(donor), "type": "donor_days", "v": 1, f"{township}|{MONTH}": 1 << (day - 1)}
        table.put_item(to_dynamo(days))
        for dimension in stats.scopes(VILLAGE):
            for bucket in (f"M#{MONTH}", f"D#{MONTH}-{day:02d}"):
                item = counters[(dimension, bucket)]
                for name, amount in (("u0", 1), ("in_fulfilled", 1), ("out_delivered", 1), ("value_fen", 150_000)):
                    item[name] = int(item.get(name, 0)) + amount
    for item in counters.values():
        table.put_item(to_dynamo(item))
    for dimension in stats.scopes(VILLAGE):
        table.put_item(to_dynamo({**counter_key(dimension, TOTAL_BUCKET), "months": {MONTH}}))


def per_event(meter: WriteMeter, repo: WishRepository, batches: list[list[dict[str, Any]]]) -> float:
    meter.take()
    events = sum(len(batch) for batch in batches)
    for batch in batches:
        stats.count_batch(batch, repo)
    return meter.take() / events


def busy_township(wishes: int) -> list[dict[str, Any]]:
    """Sole wishes of one township over a month, every category and group among them (two groups a wish),
    their events in the order they happened: the counter items carry every tag counter."""
    from microwish.catalog import categories, groups

    kinds, people = list(categories()), list(groups())
    events: list[dict[str, Any]] = []
    for n in range(wishes):
        wish = new_wish(region="431222102201", day=n % 24 + 1)
        lifecycle = sole_lifecycle(wish, donor_id())
        for audit in lifecycle:
            audit["wish"]["category"] = kinds[n % len(kinds)]
            audit["wish"]["groups"] = [people[n % len(people)], people[(n + 3) % len(people)]]
        events += lifecycle
    events.sort(key=lambda e: e["at"])
    return events


def giving_day(wishes: int) -> list[dict[str, Any]]:
    """Sole wishes of one county's townships on one day, their events in the order they happened."""
    townships = ["431222250201", "431222250202", "431222250203", "431222100201", "431222101201"]
    events: list[dict[str, Any]] = []
    for n in range(wishes):
        wish = new_wish(region=townships[n % len(townships)], day=10)
        events += sole_lifecycle(wish, donor_id())
    events.sort(key=lambda e: e["at"])
    return events


class ReadMeter:
    """BatchGetItem calls, keys asked for and items answered, on one client."""

    def __init__(self, client: Any) -> None:
        self.calls = self.keys = self.items = 0
        client.meta.events.register("provide-client-params.dynamodb.BatchGetItem", self._asked)
        client.meta.events.register("after-call.dynamodb.BatchGetItem", self._answered)

    def _asked(self, params: dict[str, Any], **_: object) -> None:
        self.calls += 1
        self.keys += sum(len(request["Keys"]) for request in params["RequestItems"].values())

    def _answered(self, parsed: dict[str, Any], **_: object) -> None:
        self.items += sum(len(items) for items in parsed.get("Responses", {}).values())

    def take(self) -> tuple[int, int, int]:
        taken = (self.calls, self.keys, self.items)
        self.calls = self.keys = self.items = 0
        return taken


def load_year(table: Any, province: str) -> None:
    """A counted year for every county, city and the province itself: the T item (its months) and a month
    item per month with a few flows and distinct donors (whatever the design keeps on which level)."""
    from microwish.registry import get_registry

    registry = get_registry()
    months = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    cities = [c.code for c in registry.children(province) if c.level != "village"]
    counties = [c.code for city in cities for c in registry.children(city) if c.level != "village"]
    for dimension in [province, *cities, *counties]:
        table.put_item(to_dynamo({**counter_key(dimension, TOTAL_BUCKET), "months": set(months)}))
        for month in months:
            numbers = {"in_submitted": 7, "approved": 6, "in_fulfilled": 5, "value_fen": 750_000, "u0": 4, "d_3": 5}
            table.put_item(to_dynamo({**counter_key(dimension, f"M#{month}"), **numbers}))


def report_reads(client: Any, repo: WishRepository, moto: Any) -> list[tuple[str, int, int, int]]:
    from datetime import date

    from microwish.services import reports

    load_year(moto, "43")
    meter = ReadMeter(client)
    rows = []
    for name, region in (("a city's year (4312: 13 counties)", "4312"), ("a province's year (43: 14 cities)", "43")):
        meter.take()
        reports.stats(repo, region, None, date(YEAR, 1, 1), date(YEAR, 12, 31))
        rows.append((name, *meter.take()))
    return rows


def main() -> None:
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    rows: list[tuple[int, str, str, str, str]] = []
    with mock_aws():
        boto3.setup_default_session(region_name="us-east-1")
        table = "bench-wishes"  # the wish table's keys; the stats items use no index
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK")],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        )
        moto = moto_table(table)
        skip_moto_table_backups()
        meter = WriteMeter(client, moto)
        repo = WishRepository(table, client)

        # 1. an ordinary event as the donors grow (one township, one month)
        loaded = 0
        for donors in DONOR_POINTS if "1" in SECTIONS else (0,):  # section 2 starts where 1 leaves the table
            began = time.monotonic()
            if donors > loaded:
                load_new(moto, loaded, donors)
                loaded = donors
            today = Today()
            load_today(today, donors)
            wish = new_wish(day=5)
            submitted = sole_lifecycle(wish, donor_id())[0]
            fulfilled = sole_lifecycle(new_wish(day=6), donor_id())[-1]
            new_submitted = per_event(meter, repo, [[submitted]])
            new_fulfilled = per_event(meter, repo, [[fulfilled]])
            old_submitted, old_fulfilled = today.count(submitted), today.count(fulfilled)
            largest = today.largest_item()
            note = f"  (largest item {largest / KB:,.0f} KB" + (
                ", over 400 KB: cannot be written)" if largest > MAX_ITEM else ")"
            )
            print(f"  measured at {donors:,} donors", file=sys.stderr, flush=True)
            rows.append(
                (
                    donors,
                    f"{old_submitted:,}",
                    f"{old_fulfilled:,}" + note,
                    f"{new_submitted:.0f}",
                    f"{new_fulfilled:.0f}  [load {time.monotonic() - began:.0f}s]",
                )
            )

        # 2. lifecycles: today's against the new, one event per batch and a giving day's batches
        lifecycles = []
        for name, events in (
            ()
            if "2" not in SECTIONS
            else (
                ("sole wish, 5 events", sole_lifecycle(new_wish(day=3), donor_id())),
                (
                    "campaign pooled wish, 3 donors, 7 events",
                    pooled_lifecycle(
                        new_wish(day=3, mode="pooled", campaign="bench-campaign"), [donor_id() for _ in range(3)]
                    ),
                ),
            )
        ):
            today = Today()
            old = sum(today.count(e) for e in events) / len(events)
            new = per_event(meter, repo, [[e] for e in events])
            lifecycles.append((name + ", one event a batch", old, new))
        if "2" in SECTIONS:
            busy = busy_township(120)
            today = Today()
            old = sum(today.count(e) for e in busy) / len(busy)
            new = per_event(meter, repo, [[e] for e in busy])
            lifecycles.append(("busy township: 120 sole wishes a month, all tags, one event a batch", old, new))
            day_events = giving_day(100)
            today = Today()
            old = sum(today.count(e) for e in day_events) / len(day_events)
            new = per_event(meter, repo, [day_events[i : i + 100] for i in range(0, len(day_events), 100)])
            lifecycles.append(("giving day: 100 sole wishes in 5 townships, 100 events a batch", old, new))
        reads = report_reads(client, repo, moto) if "3" in SECTIONS else []

    if "1" in SECTIONS:
        print("1. Write units of one event, as distinct donors grow in one township and one month")
        print(
            f"{'donors':>8}  {'today: submitted':>17}  {'today: fulfilled':<46}  {'new: submitted':>14}  new: fulfilled"
        )
        for donors, old_s, old_f, new_s, new_f in rows:
            print(f"{donors:>8,}  {old_s:>17}  {old_f:<46}  {new_s:>14}  {new_f}")
    if "2" in SECTIONS:
        print("\n2. The stats consumer's write units per event")
        print(f"{'lifecycle':<66}{'today':>7}{'new':>7}{'new/today':>11}")
        for name, old, new in lifecycles:
            print(f"{name:<66}{old:>7.1f}{new:>7.1f}{new / old:>11.2f}")
    if "1" in SECTIONS or "2" in SECTIONS:
        print(
            "\nwrite units: computed from item sizes as DynamoDB bills them (max of before/after, 1 per KB, x2 in a"
            "\ntransaction); today's design sized in memory, the new one measured on the consumer in moto."
        )
    if reads:
        print("\n3. What GET /stats reads (BatchGetItem), a whole year, every county counted every month")
        print(f"{'report':<40}{'calls':>7}{'keys':>7}{'items':>7}")
        for name, calls, asked, found in reads:
            print(f"{name:<40}{calls:>7}{asked:>7}{found:>7}")


if __name__ == "__main__":
    main()
