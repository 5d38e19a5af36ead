"""What a list page and a ledger page read, at 1,000, 10,000 and 50,000 wishes: today's path next to the old one.

    python -m infra.bench.reads [--sizes 1000,10000,50000]

In moto in-process: the stack from template.yaml, one city of 13 counties × 20 townships × 20 villages,
its wishes (and the claims of those taken or pledged) loaded with BatchWriteItem of the very items the
repository writes (`wish_item`, `claim_item`: keys and index attributes included), in three steps
(1k, then 9k more, then 40k more). At each size, through a counting client (infra.bench.escalation's
`Recorder`), one page of:
- a county list (20 open wishes, newest first: ByCounty, unchanged);
- a township list, unfiltered and filtered by category; a village list (officers only);
- the ledger (台账) of a county (a 500-row page) and of a township.
"old" is the path before the ByArea index, kept here as the baseline: a township or village filter
read its county's ByCounty partition with a FilterExpression and a Limit of "rows still missing"
(one round trip per few rows, up to 500 items read a page), and the ledger queried each claimed row's
partition for its donors. Printed: round trips (calls), items read (ScannedCount; BatchGetItem
answers), read units estimated from item sizes (DynamoDB's rules, eventually consistent), rows, and
calls and items read per returned row. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from moto import mock_aws

from infra.bench import offline_aws_env

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from infra.bench.escalation import Recorder, item_size, load  # noqa: E402
from infra.local.stack import deploy_stack  # noqa: E402
from microwish import clock, regions  # noqa: E402
from microwish.auth import Caller  # noqa: E402
from microwish.lifecycle import Status  # noqa: E402
from microwish.models import Claim, Wish  # noqa: E402
from microwish.models.claims import ClaimKind, ClaimStatus  # noqa: E402
from microwish.repository import ListQuery, WishRepository, claim_item, from_dynamo, to_dynamo  # noqa: E402
from microwish.services import ledger  # noqa: E402
from microwish.settings import Settings  # noqa: E402

TEMPLATE = ROOT / "template.yaml"
CITY, COUNTIES, TOWNSHIPS, VILLAGES = "4312", 13, 20, 20
COUNTY, TOWNSHIP, VILLAGE = "431201", "431201001", "431201001001"
OFFICER = Caller(sub="bench-officer", role="officer", region=CITY)
STATUSES = (
    [Status.OPEN] * 10 + [Status.CLAIMED] * 4 + [Status.FULFILLED] * 3 + [Status.SUBMITTED] * 2 + [Status.CANCELLED]
)
CATEGORIES = ["goods", "study", "health", "care"]


# ---------------------------------------------------------------- data
def make(first: int, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """`count` wishes (numbered from `first`) and the claims of those taken or pledged, as stored."""
    now = clock.now()
    items: list[dict[str, Any]] = []
    for n in range(first, first + count):
        region = f"{CITY}{rng.randint(1, COUNTIES):02d}{rng.randint(1, TOWNSHIPS):03d}{rng.randint(1, VILLAGES):03d}"
        status = rng.choice(STATUSES)
        pooled = rng.random() < 0.3
        created = clock.iso(now - timedelta(minutes=n))  # distinct, newest last
        pledges = rng.randint(1, 5) if pooled and status is not Status.SUBMITTED else 0
        wish = Wish(
            id=f"{n:032x}",
            title=f"心愿{n}：一台电视机",
            description="罹患癌症在家休养，想有一台电视机看看外面的世界。",
            category=rng.choice(CATEGORIES),
            groups=["women_in_hardship"],
            region_code=region,
            level=rng.choice(["village", "township", "county"]),
            status=status,
            mode="pooled" if pooled else "sole",
            beneficiary_alias="谢女士",
            submitted_by=f"resident-{n % 500}",
            created_at=created,
            updated_at=created,
            target_fen=150_000,
            pledged_fen=30_000 * pledges,
            pledge_count=pledges,
        )
        items.append({"wish": wish})
        holders = pledges if pooled else int(status in (Status.CLAIMED, Status.FULFILLED))
        for k in range(holders):
            claim = Claim(
                id=f"{n:024x}{k:08x}",
                wish_id=wish.id,
                donor_id=f"donor-{rng.randint(1, 500)}",
                donor_name=f"爱心人士{k}",
                kind=ClaimKind.PLEDGE if pooled else ClaimKind.SOLE,
                amount_fen=30_000 if pooled else 150_000,
                status=ClaimStatus.FULFILLED if status is Status.FULFILLED else ClaimStatus.ACTIVE,
                created_at=created,
                updated_at=created,
                wish_title=wish.title,
            )
            items.append({"claim": claim_item(claim, wish=wish)})
    return items


def load_all(client: Any, table: str, made: list[dict[str, Any]]) -> None:
    wishes = [entry["wish"] for entry in made if "wish" in entry]
    load(client, table, wishes)
    batch = [{"PutRequest": {"Item": to_dynamo(entry["claim"])}} for entry in made if "claim" in entry]
    for start in range(0, len(batch), 25):
        requests: dict[str, Any] = {table: batch[start : start + 25]}
        while requests:
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}


# ---------------------------------------------------------------- the old paths (the baseline)
def old_list(repo: WishRepository, query: ListQuery) -> list[dict[str, Any]]:
    """A township or village page before ByArea: the county's partition, filtered, Limit = rows still missing."""
    values: dict[str, Any] = {
        ":key": f"{query.status.value}#{regions.prefix_at(query.region, 'county')}",
        ":region": query.region,
    }
    filters = ["begins_with(region_code, :region)"]
    if query.category:
        filters.append("category = :category")
        values[":category"] = query.category
    found: list[dict[str, Any]] = []
    read, start = 0, None
    while True:
        response = repo._query(
            IndexName="ByCounty",
            KeyConditionExpression="CountyPK = :key",
            FilterExpression=" AND ".join(filters),
            ExpressionAttributeValues=to_dynamo(values),
            ScanIndexForward=False,
            Limit=query.limit - len(found),
            ExclusiveStartKey=start,
        )
        read += response.get("ScannedCount", 0)
        found.extend(response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if not start or len(found) >= query.limit or read >= 500:
            return found


def old_created(repo: WishRepository, region: str, status: Status) -> Any:
    """A region's wishes of one status, oldest first, as the old ledger read them (county partition, filtered)."""
    county = regions.prefix_at(region, "county")
    params: dict[str, Any] = {
        "IndexName": "ByCounty",
        "KeyConditionExpression": "CountyPK = :key AND ListSK BETWEEN :low AND :high",
        "ExpressionAttributeValues": to_dynamo({":key": f"{status.value}#{county}", ":low": "0", ":high": "~"}),
        "Limit": 100,
    }
    if region != county:
        params["FilterExpression"] = "begins_with(region_code, :region)"
        params["ExpressionAttributeValues"][":region"] = {"S": region}
    for wish in repo._query_all(**params):
        yield wish["ListSK"], wish


def old_ledger(repo: WishRepository, region: str, limit: int) -> int:
    """The old ledger page: the status partitions merged, then one Query of each claimed row's partition."""
    merged = heapq.merge(*(old_created(repo, region, status) for status in Status), key=lambda pair: pair[0])
    rows = 0
    for _, wish in merged:
        if rows == limit:
            break
        if ledger._has_donors(wish):
            repo.claims_of(wish["id"])
        rows += 1
    return rows


# ---------------------------------------------------------------- measuring
def measure(recorder: Recorder, run: Any) -> tuple[int, int, float, int]:
    """(round trips, items read, read units estimated, rows) of one run."""
    recorder.reset()
    rows = run()
    calls = sum(recorder.calls.values())
    return calls, int(recorder.reads(recorder.scanned)), recorder.reads(recorder.estimated), rows


def report(size: int, name: str, old: tuple[int, int, float, int] | None, new: tuple[int, int, float, int]) -> None:
    def cells(figures: tuple[int, int, float, int] | None) -> str:
        if figures is None:
            return f"{'(same)':>44}"
        calls, read, units, rows = figures
        per = max(rows, 1)
        return f"{calls:>5} {read:>6} {units:>7.1f} {rows:>5} {calls / per:>8.2f} {read / per:>8.2f}"

    print(f"{size:>7,} {name:<26}{cells(old)} |{cells(new)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    offline_aws_env()

    with mock_aws():
        stack = deploy_stack(boto3.Session(region_name="us-east-1"), TEMPLATE, {})
        table = stack.outputs["WishTableName"]
        settings = Settings.from_env(stack.functions["ExportsFunction"].env)
        client = boto3.client("dynamodb", region_name="us-east-1")
        loader = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=False))
        recorder = Recorder(client)
        repo = WishRepository(table, recorder)
        rng = random.Random(7)

        header = "  calls   read   units  rows calls/row read/row"
        print(f"{'wishes':>7} {'page':<26}{'old':^44} |{'now':^44}")
        print(f"{'':>7} {'':<26}{header} |{header}")
        loaded, started = 0, time.monotonic()
        for size in sizes:
            load_all(loader, table, make(loaded, size - loaded, rng))
            loaded = size

            def page(region: str, category: str | None = None) -> ListQuery:
                return ListQuery(status=Status.OPEN, region=region, category=category, limit=20)

            def listed(query: ListQuery) -> Any:
                return lambda: len(repo.list_wishes(query)[0])

            def old(query: ListQuery) -> Any:
                return lambda: len(old_list(repo, query))

            def exported(region: str) -> Any:
                return lambda: ledger.export(OFFICER, repo, settings, region, None, None, None, 500)[2]

            report(size, f"county {COUNTY}", None, measure(recorder, listed(page(COUNTY))))
            for name, query in (
                (f"township {TOWNSHIP}", page(TOWNSHIP)),
                (f"township, category {CATEGORIES[1]}", page(TOWNSHIP, CATEGORIES[1])),
                (f"village {VILLAGE} (officer)", page(VILLAGE)),
            ):
                report(size, name, measure(recorder, old(query)), measure(recorder, listed(query)))
            for region in (COUNTY, TOWNSHIP):
                report(
                    size,
                    f"ledger {region}",
                    measure(recorder, lambda region=region: old_ledger(repo, region, 500)),
                    measure(recorder, exported(region)),
                )
        seconds = time.monotonic() - started
        entry = next(
            iter(
                client.query(
                    TableName=table,
                    IndexName="ByArea",
                    KeyConditionExpression="AreaPK = :key",
                    ExpressionAttributeValues={":key": {"S": f"open#{TOWNSHIP}"}},
                    Limit=1,
                )["Items"]
            )
        )
        wish = client.get_item(TableName=table, Key={"PK": entry["PK"], "SK": entry["SK"]})["Item"]
        print(
            f"\n{loaded:,} wishes in one city ({COUNTIES} counties × {TOWNSHIPS} townships × {VILLAGES} villages), "
            f"loaded and measured in {seconds:.0f} s. A wish item is ~{item_size(wish)} B; its ByArea entry "
            f"~{item_size(entry)} B (INCLUDE: keys and filter attributes), so a pledge (which changes none of them) "
            f"writes nothing to ByArea. calls = round trips (Query, BatchGetItem); read = items read (ScannedCount; "
            f"BatchGetItem answers); units = read units estimated from sizes, eventually consistent. The ledger's "
            f"'now' reads the holders partition of each county of its rows once per page (ByArea) instead of "
            f"one Query per claimed row."
        )
        assert from_dynamo(wish)["status"] == "open"


if __name__ == "__main__":
    main()
