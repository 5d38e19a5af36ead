"""Report counters, the monthly leaderboards, and the markers that make counting happen once.

- counter      PK=STATS#<dim>  SK=T | M#<yyyy-mm> | D#<yyyy-mm-dd>   (services/stats.py says what they hold)
- leaderboard  PK=LB#<region prefix>#<yyyy-mm>  SK=<individual|unit>#<donor id>
- marker       PK=COUNTED#<wish id>  SK=<audit SK>[#lb<n>], in the same transaction as the moves it guards
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import keys
from .table import TableStore
from .transaction import ConditionFailed, Guard, Transaction


@dataclass
class CounterMove:
    """What one audit event adds to one counter item: numbers, distinct donors, months with data."""

    numbers: dict[str, int] = field(default_factory=dict)
    donors: set[str] = field(default_factory=set)
    months: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class LeaderboardMove:
    scope: str
    month: str
    kind: str
    donor_id: str
    unit_name: str
    display_name: str
    donor_ref: str
    value_fen: int


class StatsStore(TableStore):
    def _commit_once(self, transaction: Transaction, marker: Guard) -> bool:
        """Commit the marker and the moves; False when the marker was there: counted before."""
        try:
            self.commit(transaction)
        except ConditionFailed as failure:
            if marker.failed(failure):
                return False
            raise
        return True

    def count_once(self, wish_id: str, audit_sk: str, at: str, moves: dict[tuple[str, str], CounterMove]) -> bool:
        """Move the counters of one audit record, unless it was counted before (its marker is there)."""
        transaction = self.transaction()
        marker = transaction.mark_counted(wish_id, audit_sk, at)
        for (dimension, bucket), move in sorted(moves.items()):
            transaction.move_counter(dimension, bucket, move.numbers, {"donors": move.donors, "months": move.months})
        return self._commit_once(transaction, marker)

    def rank_once(self, wish_id: str, marker_sk: str, at: str, moves: list[LeaderboardMove]) -> bool:
        """Leaderboard moves (at most ~90: one transaction), unless counted before under `marker_sk`."""
        transaction = self.transaction()
        marker = transaction.mark_counted(wish_id, marker_sk, at)
        for move in moves:
            transaction.move_leaderboard(
                move.scope,
                move.month,
                move.kind,
                move.donor_id,
                unit_name=move.unit_name,
                display_name=move.display_name,
                donor_ref=move.donor_ref,
                value_fen=move.value_fen,
            )
        return self._commit_once(transaction, marker)

    # ------------------------------------------------------------ reading
    def counters(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Counter items by (dimension, bucket); absent ones are left out."""
        found = self._batch_get([keys.counter_key(dimension, bucket) for dimension, bucket in wanted])
        by_key = {(item["PK"], item["SK"]): item for item in found.values()}
        result = {}
        for dimension, bucket in wanted:
            key = keys.counter_key(dimension, bucket)
            item = by_key.get((key["PK"], key["SK"]))
            if item is not None:
                result[(dimension, bucket)] = item
        return result

    def leaderboard(self, scope: str, month: str) -> Iterator[dict[str, Any]]:
        """One region's leaderboard items of one month (donor_id, kind, fulfilled, value_fen, names)."""
        for item in self._partition(keys.leaderboard_partition(scope, month)):
            yield {**item, "donor_id": item.get("donor_id", item["SK"].split("#", 1)[1])}
