"""The cost model's arithmetic (infra/bench/cost.py): DynamoDB item sizes and units, and what it reads
from the template. The lifecycle itself runs in `make bench`."""

from __future__ import annotations

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
