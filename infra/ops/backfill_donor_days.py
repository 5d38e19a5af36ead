"""Fold the donor-days items of the per-dimension layout into one item per donor (README "The report
counters"); run once right after deploying the version that keeps a donor's days in one item, before
its stats consumer counts a fulfilment (or again at once if it already did: see below).

    python -m infra.ops.backfill_donor_days --table <wish table> [--region cn-northwest-1]
    python -m infra.ops.backfill_donor_days --local http://127.0.0.1:3000

A by-hand operation, never on a request path: it Scans the wish table once for the old items
(PK=DAYS#<dim>#<donor id>, SK=DAYS) and ORs each one's month masks into its donor's item (PK=DAYS#<donor
id>, SK=ALL) as "<dim>|<yyyy-mm>", on condition the donor's item is still at the version read (a race with
the consumer reads again). A wider dimension's days are the union of the dims under it, so keeping an old
county's or city's days beside its townships' changes no union: running it twice changes nothing the
second time. The old items are left where they are (nothing reads them).

Until it has run, the consumer takes a donor it has counted before for a new one where the old items
hold its days (its distinct-donor figures count it again); events counted in between are not
recounted by this script.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from botocore.exceptions import ClientError  # noqa: E402

from infra.ops import backfill_cli  # noqa: E402
from microwish.repository import from_dynamo, keys, to_dynamo  # noqa: E402


def _old_items(client: Any, table: str) -> dict[str, dict[str, int]]:
    """Every donor's days from the old per-dimension items: donor id → {"<dim>|<yyyy-mm>": mask}."""
    found: dict[str, dict[str, int]] = {}
    start = None
    while True:
        params: dict[str, Any] = {
            "TableName": table,
            "FilterExpression": "begins_with(PK, :prefix) AND SK = :sk",
            "ExpressionAttributeValues": {
                ":prefix": {"S": keys.DONOR_DAYS_PREFIX},
                ":sk": {"S": keys.DONOR_DAYS_SK},
            },
        }
        if start:
            params["ExclusiveStartKey"] = start
        page = client.scan(**params)
        for item in (from_dynamo(raw) for raw in page.get("Items", [])):
            dimension, _, donor_id = item["PK"][len(keys.DONOR_DAYS_PREFIX) :].partition("#")
            days = found.setdefault(donor_id, {})
            for month, mask in item.items():
                if month[:2].isdigit():
                    days[f"{dimension}|{month}"] = days.get(f"{dimension}|{month}", 0) | int(mask)
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def _fold(client: Any, table: str, donor_id: str, old: dict[str, int]) -> bool:
    """OR the old days into the donor's item; False when it held them all already."""
    key = keys.donor_trail_key(donor_id)
    while True:
        raw = client.get_item(TableName=table, Key=to_dynamo(key), ConsistentRead=True).get("Item")
        item = from_dynamo(raw) if raw else {**key, "type": "donor_days"}
        version = int(item["v"]) if "v" in item else None
        days = {name: int(value) for name, value in item.items() if "|" in name}
        merged = {name: days.get(name, 0) | mask for name, mask in old.items()}
        if all(days.get(name, 0) == mask for name, mask in merged.items()):
            return False
        put: dict[str, Any] = {"TableName": table, "Item": to_dynamo({**item, **merged, "v": (version or 0) + 1})}
        if version is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put |= {"ConditionExpression": "v = :v", "ExpressionAttributeValues": to_dynamo({":v": version})}
        try:
            client.put_item(**put)
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # the consumer moved the donor's days meanwhile: read again


def backfill(client: Any, table: str) -> dict[str, int]:
    done = {"donors": 0, "unchanged": 0}
    for donor_id, old in sorted(_old_items(client, table).items()):
        done["donors" if _fold(client, table, donor_id, old) else "unchanged"] += 1
    return done


def main(argv: list[str] | None = None) -> int:
    return backfill_cli.run(__doc__.split("\n")[0], backfill, argv)


if __name__ == "__main__":
    raise SystemExit(main())
