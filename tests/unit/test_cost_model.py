"""The cost model's arithmetic (infra/bench/cost.py): DynamoDB item sizes and units, and what it reads
from the template. The lifecycle itself runs in `make bench`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from infra.bench import cost


def test_item_sizes_follow_dynamodbs_rules() -> None:
    assert cost.item_size({"PK": {"S": "WISH#1"}}) == 2 + 6
    assert cost.item_size({"n": {"N": "12345"}}) == 1 + 4  # 5 digits: 3 bytes + 1
    assert cost.item_size({"名": {"S": "谢"}}) == 3 + 3  # UTF-8 bytes, names too
    assert cost.item_size({"ok": {"BOOL": True}, "x": {"NULL": True}}) == 2 + 1 + 1 + 1
    assert cost.item_size({"l": {"L": [{"S": "ab"}]}}) == 1 + 3 + 1 + 2
    assert cost.item_size({"m": {"M": {"k": {"S": "ab"}}}}) == 1 + 3 + 1 + 1 + 2
    assert cost.item_size({"s": {"SS": ["a", "bc"]}}) == 1 + 3
    assert cost.item_size(None) == 0


def test_write_units_round_up_per_kilobyte() -> None:
    assert cost.write_units(0) == 1
    assert cost.write_units(1024) == 1
    assert cost.write_units(1025) == 2


def test_index_writes() -> None:
    shape = cost.TableShape(["PK", "SK"], [(["GPK", "GSK"], "ALL", []), (["DPK", "DSK"], "KEYS_ONLY", [])])
    base = {"PK": {"S": "a"}, "SK": {"S": "b"}}
    listed = {**base, "GPK": {"S": "g"}, "GSK": {"S": "1"}, "title": {"S": "x"}}
    assert shape.index_writes(None, base) == 0  # in no index
    assert shape.index_writes(None, listed) == 1  # enters one
    assert shape.index_writes(listed, {**listed, "title": {"S": "y"}}) == 1  # ALL: any change
    assert shape.index_writes(listed, {**listed, "GSK": {"S": "2"}}) == 2  # key moved: delete + put
    due = {**base, "DPK": {"S": "d"}, "DSK": {"S": "1"}, "title": {"S": "x"}}
    assert shape.index_writes(due, {**due, "title": {"S": "y"}}) == 0  # KEYS_ONLY: keys unchanged
    assert shape.index_writes(due, base) == 1  # leaves it


def test_read_units() -> None:
    item = {"PK": {"S": "x" * 5000}}
    assert cost.read_units("GetItem", {"Item": item}) == 1.0  # 2 x 4 KB, eventually consistent
    assert cost.read_units("Query", {"Items": []}) == 0.5
    assert cost.read_units("BatchGetItem", {"Responses": {"t": [item, item]}}) == 2.0
    assert cost.read_units("TransactGetItems", {"Responses": [{"Item": item}]}) == 4
    assert cost.read_units("DescribeTable", {}) == 0.0


def test_the_template_is_read() -> None:
    memory = cost.template_memory()
    assert memory["SubmitWishFunction"] == 512
    assert memory["StatsConsumerFunction"] == 256
    runs = cost.schedule_rates()
    assert runs["EscalationSweepFunction"] == 30 * 24 * 4
    assert runs["LeaseSweepFunction"] == 30 * 24
    assert cost.alarms() >= 6


def test_index_write_units_name_each_index() -> None:
    shape = cost.TableShape(
        ["PK", "SK"], [(["GPK", "GSK"], "ALL", []), (["APK", "ASK"], "INCLUDE", ["status"])], ["ByList", "ByArea"]
    )
    before = {"PK": {"S": "a"}, "SK": {"S": "b"}, "GPK": {"S": "open#1"}, "GSK": {"S": "1"}, "status": {"S": "open"}}
    before.update({"APK": {"S": "open#1"}, "ASK": {"S": "1"}, "title": {"S": "x"}})
    moved = {**before, "GPK": {"S": "claimed#1"}, "APK": {"S": "claimed#1"}, "status": {"S": "claimed"}}
    assert shape.index_write_units(before, moved) == {"ByList": 2, "ByArea": 2}  # each: delete + put
    retitled = {**before, "title": {"S": "y"}}
    assert shape.index_write_units(before, retitled) == {"ByList": 1}  # not projected into ByArea: nothing there
    big = {**before, "title": {"S": "x" * 1100}}
    assert shape.index_write_units(before, {**big, "GPK": {"S": "claimed#1"}}) == {
        "ByList": 1 + 2
    }  # old entry 1 KB, new 2 KB


def test_item_kinds() -> None:
    assert cost.item_kind("t", {"PK": {"S": "WISH#1"}, "SK": {"S": "AUDIT#2026#1"}}) == "WISH/AUDIT"
    assert cost.item_kind("t", {"PK": {"S": "INBOX#user#a"}, "SK": {"S": "2026-12-02T07:49:47.191Z#x"}}) == "INBOX"
    assert cost.item_kind("microwish-IdempotencyTable-X", {"id": {"S": "k"}}) == "IdempotencyTable"


def test_reads_are_billed_on_what_was_read() -> None:
    item = {"PK": {"S": "x" * 5000}}
    assert cost.read_units("GetItem", {"Item": item}, consistent=True) == 2.0  # strongly consistent: whole units
    assert cost.read_units("BatchGetItem", {"Responses": {"t": [item]}}, consistent=True) == 2.0
    assert cost._consistent("GetItem", {"ConsistentRead": True})
    assert cost._consistent("BatchGetItem", {"RequestItems": {"t": {"Keys": [], "ConsistentRead": True}}})
    assert not cost._consistent("Query", {})
    query = {
        "TableName": "t",
        "IndexName": "ByArea",
        "KeyConditionExpression": "AreaPK = :key",
        "FilterExpression": "#status IN (:s0) AND category = :category",
        "ProjectionExpression": "PK",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":key": {"S": "k"}, ":s0": {"S": "open"}, ":category": {"S": "goods"}},
        "Limit": 20,
    }
    assert cost._key_condition_only(query) == {
        "TableName": "t",
        "IndexName": "ByArea",
        "KeyConditionExpression": "AreaPK = :key",
        "Limit": 20,
        "ExpressionAttributeValues": {":key": {"S": "k"}},
    }


def _life() -> list[cost.Invocation]:
    writes = [cost.ItemWrite("WISH/WISH", 0, 892, 2, {"ByArea": 1}, "Put")]
    usage = cost.Usage(Counter({"dynamodb.TransactWriteItems": 1}), 3.0, 0.5, 0, 0.001, writes)
    consumer = cost.Usage(Counter({"dynamodb.TransactWriteItems": 1}), 10.0, 1.0, 0, 0.002, [])
    return [
        cost.Invocation("submit", "SubmitWishFunction", 512, 15.0, usage, http=True),
        cost.Invocation("submit", "StatsConsumerFunction", 256, 30.0, consumer),
    ]


def test_lives_travel_as_json_unchanged() -> None:
    """--before gets another checkout's lives from a subprocess as JSON: they must come back as they were."""
    lives = cost.Lives(_life(), _life()[:1], {100: _life()})
    back = cost.lives_from_json(cost.lives_to_json(lives))
    assert back == lives
    assert back.priced[0].usage.calls == Counter({"dynamodb.TransactWriteItems": 1})


def test_compare_prints_the_ratio_of_the_same_measure(capsys: pytest.CaptureFixture[str]) -> None:
    before = cost.Lives(_life() + _life(), [], {})
    now = cost.Lives(_life(), [], {})
    assert cost.compare(before, now, "old", detail=True) == pytest.approx(0.5)
    out = capsys.readouterr().out
    assert "now/before = 0.50 (met)" in out
    assert "  API           WISH/WISH                       4 ->     2  (-2)" in out
    assert "  API           index ByArea                    2 ->     1  (-1)" in out
    by_step, calls = out.split("and by step")[1].split("Calls that differ")
    assert "  submit        API           WISH/WISH                       4 ->     2  (-2)" in by_step
    assert "StatsConsumer" not in by_step  # it wrote no item: no difference
    assert "  submit        StatsConsumer dynamodb.TransactWriteItems     2 ->     1  (-1)" in calls


def test_code_is_read_only_when_run_as_a_script() -> None:
    assert cost.measured_checkout(["cost.py", "--code", "/tmp/x"], as_script=True) == Path("/tmp/x").resolve()
    assert cost.measured_checkout(["cost.py", "--code", "/tmp/x"], as_script=False) == cost.ROOT
    assert cost.measured_checkout(["cost.py", "--code"], as_script=True) == cost.ROOT
