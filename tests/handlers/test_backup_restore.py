"""Data that survives (issue 16 §3): the wish table made from template.yaml is protected from deletion, and
a backup restored into a new table holds every wish, private part, claim and audit item — and the API
served from the restored table gives figures equal to a recount of its audit trail (README "Runbook:
restoring the wish table")."""

from __future__ import annotations

import dataclasses
from collections import Counter

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.handlers.test_reports import Trail, assert_leaderboard, assert_stats
from tests.support.harness import Api
from tests.support.people import CITY_OFFICER, DONOR, DONOR_2, all_items, open_wish, submit
from tests.support.stats_feed import audit_items, count_all


def ok(reply, *statuses):
    assert reply.status in (statuses or (200, 201, 204)), reply.text
    return reply.json


def some_history(api) -> None:
    """Wishes in every state that holds data: in review, rejected, open, claimed, pooled, fulfilled, cancelled."""
    submit(api)
    rejected = submit(api)
    ok(api.post(f"/wishes/{rejected['id']}/review", {"decision": "reject", "reason": "不符合条件"}, as_=CITY_OFFICER))
    open_wish(api, category="study")
    claimed = open_wish(api)
    ok(api.post(f"/wishes/{claimed['id']}/claims", {}, as_=DONOR_2))
    pooled = submit(api, target_fen=60000)
    ok(api.post(f"/wishes/{pooled['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=CITY_OFFICER))
    ok(api.post(f"/wishes/{pooled['id']}/claims", {"amount_fen": 20000}, as_=DONOR))
    for fulfilled in (open_wish(api), open_wish(api, groups=["elderly_alone"])):
        ok(api.post(f"/wishes/{fulfilled['id']}/claims", {}, as_=DONOR))
        ok(api.post(f"/wishes/{fulfilled['id']}/delivery", {"note": "已送达"}, as_=DONOR))
        ok(api.post(f"/wishes/{fulfilled['id']}/confirmation", {"accepted": True}, as_=CITY_OFFICER))
    cancelled = open_wish(api)
    ok(api.post(f"/wishes/{cancelled['id']}/cancellation", {"reason": "情况变化"}, as_=CITY_OFFICER))


def kinds(items) -> Counter:
    return Counter(item.get("type", {}).get("S") or item["SK"]["S"].split("#")[0] for item in items)


def served_from(api: Api, table: str) -> Api:
    """The same functions, reading `table` (as after pointing the stack at a restored table)."""
    stack = api.stack
    functions = {
        name: dataclasses.replace(spec, env={**spec.env, "WISH_TABLE_NAME": table})
        for name, spec in stack.functions.items()
    }
    restored = dataclasses.replace(stack, functions=functions, outputs={**stack.outputs, "WishTableName": table})
    return Api(restored, api.signer)


def test_both_tables_refuse_deletion(stack):
    client = boto3.client("dynamodb")
    for output in ("WishTableName", "IdempotencyTableName"):
        table = stack.outputs[output]
        assert client.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"] is True
        with pytest.raises(ClientError) as refused:
            client.delete_table(TableName=table)
        assert refused.value.response["Error"]["Code"] in ("ValidationException", "ResourceInUseException")
        assert client.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"


def test_a_backup_restored_holds_every_item_and_the_figures_equal_a_recount(api, table):
    some_history(api)
    count_all(api, table)  # the stats consumer has counted every event (as the stream would have)
    before = all_items(table)
    client = boto3.client("dynamodb")
    backup = client.create_backup(TableName=table, BackupName="before-the-accident")["BackupDetails"]
    assert backup["BackupStatus"] in ("AVAILABLE", "CREATING")
    arn = backup["BackupArn"]
    assert client.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    submit(api)  # written after the backup: not in it

    restored = f"{table}-restored"
    client.restore_table_from_backup(TargetTableName=restored, BackupArn=arn)
    after = all_items(restored)
    counts = kinds(after)
    assert counts["wish"] == counts["private"] == 8 and counts["audit"] > 20 and counts["claim"] == 4, counts
    assert counts["counted"] >= counts["audit"] and counts["T"] > 0 and counts["RECORD"] == 2, counts
    key = lambda item: (item["PK"]["S"], item["SK"]["S"])  # noqa: E731
    assert sorted(after, key=key) == sorted(before, key=key)  # every item, as it was: wishes, private parts,
    # claims, audit items, counters and their markers, donors' records
    described = client.describe_table(TableName=restored)["Table"]
    assert {index["IndexName"] for index in described["GlobalSecondaryIndexes"]} >= {
        "ByProvince",
        "ByCity",
        "ByCounty",
        "ByCampaign",
        "ByDue",
        "ByPerson",
        "ByWritten",
        "ByArea",
    }

    # The API on the restored table: its figures equal a recount of its own audit trail.
    restored_api = served_from(api, restored)
    trail = Trail(audit_items(restored))
    figures = assert_stats(restored_api, trail, "4312")
    assert figures["fulfilled"] == 2 and figures["submitted"] == 8 and figures["rejected"] == 1
    assert_stats(restored_api, trail, "431222")
    assert_leaderboard(restored_api, trail, "4312")
    listed = restored_api.get("/wishes", query={"region": "4312", "limit": 50})
    assert listed.status == 200 and listed.json["items"]  # the list indexes came back with the table
    assert listed.json["items"] == api.get("/wishes", query={"region": "4312", "limit": 50}).json["items"]
