"""Recognition counters (issue 12 §4), kept by the stream consumer: per (region prefix, year) one row per unit
and per person — activities held, volunteer minutes, wishes fulfilled in a unit's activities and their value.

- event    PK=RECEVENT#<subject> SK=EVENT#<at>#<n>, type `recognition_event`: written in the transaction of
           the change it stands for (an activity recorded, a check-in's minutes), with the ByWritten keys
           (a dead-lettered batch is replayed from them); the stream consumer counts it once (its marker)
- row      PK=RECOG#<prefix>#<year> SK=unit#<id> | person#<sub>: numbers moved with ADD (moves commute)
- link     PK=WISH#<id> SK=ACTIVITY#<activity id>: the wish is in an activity of that unit
- markers  PK=COUNTED#<subject> SK=<event SK> (an event counted), PK=COUNTED#<wish id> SK=CREDIT#<unit id>
           (a wish credited to a unit): written only if absent, in the transaction of the moves they guard
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import keys
from .codec import to_dynamo
from .table import TableStore
from .transaction import Transaction
from .written import written_keys

EVENT_TYPE = "recognition_event"


@dataclass
class RowMove:
    """What is added to one recognition row (numbers, may be negative) and the name it is shown by."""

    scope: str
    year: int
    row: str
    numbers: dict[str, int] = field(default_factory=dict)
    name: str | None = None


def unit_row(unit_id: str) -> str:
    return f"unit#{unit_id}"


def person_row(sub: str) -> str:
    return f"person#{sub}"


def event_item(subject: str, at: str, fields: dict[str, Any], n: str | None = None) -> dict[str, Any]:
    """The event item; `n` makes its key deterministic (the backfill's), else it is unique."""
    return {**keys.recognition_event_key(subject, at, n), **written_keys(), "type": EVENT_TYPE, "at": at, **fields}


def _move_row(transaction: Transaction, move: RowMove) -> None:
    numbers = {name: amount for name, amount in sorted(move.numbers.items()) if amount}
    names = {f"#n{index}": name for index, name in enumerate(numbers)}
    values: dict[str, Any] = {f":n{index}": amount for index, amount in enumerate(numbers.values())}
    parts = [f"#n{index} :n{index}" for index in range(len(numbers))]
    expression = f"ADD {', '.join(parts)}" if parts else ""
    sets = ["#type = :type"]
    values[":type"] = "recognition"
    names["#type"] = "type"
    if move.name:
        sets.append("#name = :name")
        names["#name"], values[":name"] = "name", move.name
    expression = f"SET {', '.join(sets)} {expression}".strip()
    key = keys.recognition_row_key(move.scope, move.year, move.row)
    transaction._add(  # noqa: SLF001 - the generic part of the transaction builder
        "recognition row",
        "Update",
        {
            "Key": to_dynamo(key),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_dynamo(values),
        },
    )


class RecognitionCountStore(TableStore):
    def count_once(self, marker: tuple[str, str], at: str, moves: list[RowMove]) -> bool:
        """The moves and the marker (subject, sort key), all or nothing; False when counted before."""
        transaction = self.transaction()
        guard = transaction.mark_counted(marker[0], marker[1], at)
        for move in moves:
            _move_row(transaction, move)
        return self.commit_unless(transaction, guard)

    def rows(self, scope: str, year: int) -> list[dict[str, Any]]:
        """A region's recognition rows of a year: one Query of its partition."""
        return list(self._partition(keys.recognition_partition(scope, year)))

    def links_of(self, wish_id: str) -> list[dict[str, Any]]:
        """The activities a wish is in (unit_id, activity_id), read strongly consistent."""
        return list(
            self._query_all(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :link)",
                ExpressionAttributeValues=to_dynamo(
                    {":pk": keys.wish_partition(wish_id), ":link": keys.ACTIVITY_LINK_PREFIX}
                ),
                ConsistentRead=True,
            )
        )

    def fulfilled_event(self, wish_id: str) -> dict[str, Any] | None:
        """The wish's `fulfilled` audit event (the last one), or None while it is not fulfilled."""
        found = None
        for item in self._query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :audit)",
            ExpressionAttributeValues=to_dynamo({":pk": keys.wish_partition(wish_id), ":audit": keys.AUDIT_PREFIX}),
            ConsistentRead=True,
        ):
            if item.get("action") == "fulfilled":
                found = item
        return found
