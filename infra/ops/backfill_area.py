"""Give the items written before the ByArea index their ByArea keys (README "Reads at scale"); run once after
deploying the version that added the index, and again whenever it reports items it could not do.

    python -m infra.ops.backfill_area --table <wish table> [--region cn-northwest-1]
    python -m infra.ops.backfill_area --local http://127.0.0.1:3000

A by-hand operation, never on a request path: it Scans the wish table once. A wish gets AreaPK/AreaSK as
`items.wish_index_keys` derives them, only if it still has none and is still in the status read (a wish
the API rewrote meanwhile has them already); a claim gets its wish's county holders keys, only if it has
none. Until then a township list misses the old wishes and the ledger their donors' names. Running it
twice changes nothing the second time.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from botocore.exceptions import ClientError  # noqa: E402

from infra.ops import backfill_cli  # noqa: E402
from microwish.models import Claim, Wish  # noqa: E402
from microwish.repository import from_dynamo, keys, to_dynamo, wish_index_keys  # noqa: E402
from microwish.repository.items import claim_item  # noqa: E402


def _set_if_absent(client: Any, table: str, key: dict[str, str], values: dict[str, str], condition: str = "") -> bool:
    names = {f"#{name}": name for name in values}
    expression = "SET " + ", ".join(f"#{name} = :{name}" for name in values)
    attributes = {f":{name}": value for name, value in values.items()}
    guard = "attribute_not_exists(AreaPK)"
    if condition:
        guard += " AND #status = :status"
        names["#status"] = "status"
        attributes[":status"] = condition
    try:
        client.update_item(
            TableName=table,
            Key=to_dynamo(key),
            UpdateExpression=expression,
            ConditionExpression=guard,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_dynamo(attributes),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def backfill(client: Any, table: str) -> dict[str, int]:
    """Scan once; wishes first in each page, so a page's claims find their wish without a read."""
    done = {"wishes": 0, "claims": 0, "skipped": 0}
    wishes: dict[str, dict[str, Any]] = {}
    pending_claims: list[dict[str, Any]] = []
    start = None
    while True:
        params: dict[str, Any] = {
            "TableName": table,
            "FilterExpression": "#type IN (:wish, :claim) AND attribute_not_exists(AreaPK)",
            "ExpressionAttributeNames": {"#type": "type"},
            "ExpressionAttributeValues": {":wish": {"S": "wish"}, ":claim": {"S": "claim"}},
        }
        if start:
            params["ExclusiveStartKey"] = start
        page = client.scan(**params)
        for item in (from_dynamo(raw) for raw in page.get("Items", [])):
            if item["type"] == "wish":
                wishes[item["id"]] = item
                area = {name: wish_index_keys(Wish.model_validate(item))[name] for name in ("AreaPK", "AreaSK")}
                changed = _set_if_absent(client, table, keys.wish_key(item["id"]), area, item["status"])
                done["wishes" if changed else "skipped"] += 1
            else:
                pending_claims.append(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    for claim in pending_claims:
        wish_id = claim["wish_id"]
        wish = wishes.get(wish_id)
        if wish is None:
            raw = client.get_item(TableName=table, Key=to_dynamo(keys.wish_key(wish_id))).get("Item")
            wish = wishes[wish_id] = from_dynamo(raw) if raw else {}
        if not wish:
            done["skipped"] += 1
            continue
        item = claim_item(Claim.model_validate(claim), wish=Wish.model_validate(wish))
        area = {"AreaPK": item["AreaPK"], "AreaSK": item["AreaSK"]}
        changed = _set_if_absent(client, table, keys.claim_key(wish_id, claim["id"]), area)
        done["claims" if changed else "skipped"] += 1
    return done


def main(argv: list[str] | None = None) -> int:
    return backfill_cli.run(__doc__.split("\n")[0], backfill, argv)


if __name__ == "__main__":
    raise SystemExit(main())
