"""The donor-days items of the per-dimension layout folded into one item per donor
(infra/ops/backfill_donor_days.py): after it, the consumer knows the donors it counted before."""

from __future__ import annotations

import uuid

import boto3

from microwish.repository import WishRepository, from_dynamo, keys, to_dynamo
from microwish.services import stats

TOWNSHIP, COUNTY = "431222250", "431222"


def _fulfilled(donor: str, day: str) -> dict:
    at = f"{day}T03:00:00.000Z"
    wish_id = uuid.uuid4().hex
    return {
        "PK": f"WISH#{wish_id}",
        "SK": f"AUDIT#{at}#1",
        "type": "audit",
        "at": at,
        "action": "fulfilled",
        "from_status": "delivered",
        "to_status": "fulfilled",
        "amount_fen": 100,
        "donor_ids": [donor],
        "wish": {"region_code": f"{TOWNSHIP}201", "category": "goods", "groups": []},
    }


def test_old_donor_days_are_folded_into_the_donors_item_once_and_the_consumer_knows_them(table):
    from infra.ops.backfill_donor_days import backfill

    client = boto3.client("dynamodb")
    donor = f"old-{uuid.uuid4().hex[:8]}"
    for dimension, mask in ((TOWNSHIP, 0b100), (COUNTY, 0b110), ("4312", 0b110), ("43", 0b110)):
        old = {**keys.donor_days_key(dimension, donor), "type": "donor_days", "v": 1, "2025-03": mask}
        client.put_item(TableName=table, Item=to_dynamo(old))

    done = backfill(client, table)
    assert done["donors"] >= 1
    assert backfill(client, table)["donors"] == 0  # twice changes nothing
    item = from_dynamo(client.get_item(TableName=table, Key=to_dynamo(keys.donor_trail_key(donor)))["Item"])
    assert item["v"] == 1 and item[f"{TOWNSHIP}|2025-03"] == 0b100 and item[f"{COUNTY}|2025-03"] == 0b110

    # a gift on a day the old county item knew (2025-03-02: another township) is no donor's first in the county
    repo = WishRepository(table)
    before = repo.stats.counters([(COUNTY, "M#2025-03"), (TOWNSHIP, "M#2025-03")])
    assert stats.count_batch([_fulfilled(donor, "2025-03-02")], repo) == 1
    after = repo.stats.counters([(COUNTY, "M#2025-03"), (TOWNSHIP, "M#2025-03")])
    assert after[(COUNTY, "M#2025-03")].get("u0", 0) == before.get((COUNTY, "M#2025-03"), {}).get("u0", 0)
    assert after[(TOWNSHIP, "M#2025-03")].get("u0", 0) - before.get((TOWNSHIP, "M#2025-03"), {}).get("u0", 0) == 0
    trail = repo.stats.donor_trails([donor])[donor]
    assert trail.version == 2 and trail.days[f"{TOWNSHIP}|2025-03"] == 0b110
