"""Report counters, the monthly leaderboards, and the markers that make counting happen once.

- counter      PK=STATS#<dim>  SK=T | M#<yyyy-mm> | D#<yyyy-mm-dd> | N#<yyyy-mm-dd>#<yyyy-mm>
               (services/stats.py says what they hold)
- donor days   PK=DAYS#<donor id>  SK=ALL   a donor's days in every dimension it gave in, month bitmasks, versioned
- leaderboard  PK=LB#<region prefix>#<yyyy-mm>  SK=<individual|unit>#<donor id>
- marker       PK=COUNTED#<wish id>  SK=<audit SK>[#lb<n>], in the same transaction as the moves it guards
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from . import keys
from .table import TableStore
from .transaction import ConditionFailed, Guard, Transaction

# TransactWriteItems takes at most 100 items.
MAX_TRANSACTION_ITEMS = 100


@dataclass
class CounterMove:
    """What is added to one counter item: numbers (ADD, may be negative), months with data (T only)."""

    numbers: dict[str, int] = field(default_factory=dict)
    months: set[str] = field(default_factory=set)


@dataclass
class DonorTrail:
    """A donor's days, one item for every dimension: {"<dim>|<yyyy-mm>": bitmask of days (bit d-1)}, kept for
    the most specific dimensions it gave in (a township, a township@campaign); a wider dimension's days are
    the union of those under it (services/stats.py). version None = not stored yet."""

    donor_id: str
    days: dict[str, int] = field(default_factory=dict)
    version: int | None = None


@dataclass
class DonorDays:
    """A donor's days in one dimension: {"yyyy-mm": bitmask of days (bit d-1)}; version None = not stored yet."""

    dimension: str
    donor_id: str
    months: dict[str, int] = field(default_factory=dict)
    version: int | None = None


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

    def count_together(
        self,
        markers: list[tuple[str, str, str]],
        moves: dict[tuple[str, str], CounterMove],
        trails: list[DonorTrail],
    ) -> None:
        """One transaction: the markers (wish id, audit SK, at) of the audit records counted, their counter
        moves merged per item, and the donors' days they changed (each at the version read).

        ConditionFailed when a marker was there (counted meanwhile) or a donor's days moved on: the caller
        reads again and plans again. At most MAX_TRANSACTION_ITEMS items (the caller splits).
        """
        transaction = self.transaction()
        for wish_id, audit_sk, at in markers:
            transaction.mark_counted(wish_id, audit_sk, at)
        for trail in trails:
            transaction.put_donor_trail(trail.donor_id, trail.days, trail.version)
        for (dimension, bucket), move in sorted(moves.items()):
            numbers = {name: amount for name, amount in move.numbers.items() if amount}
            if numbers or move.months:
                transaction.move_counter(dimension, bucket, numbers, {"months": move.months})
        try:
            self.commit(transaction)
        except ClientError as error:  # cancelled by a concurrent transaction on the same items: plan again
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            raise ConditionFailed(None) from None

    def counted(self, markers: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of (wish id, audit SK) have their marker (read strongly consistent)."""
        found = self._batch_get([keys.counted_marker_key(w, sk) for w, sk in markers], consistent=True)
        return {(w, sk) for w, sk in markers if tuple(keys.counted_marker_key(w, sk).values()) in found}

    def donor_trails(self, donor_ids: list[str]) -> dict[str, DonorTrail]:
        """Each donor's days as stored now (read strongly consistent; version None if none)."""
        found = self._batch_get([keys.donor_trail_key(donor) for donor in donor_ids], consistent=True)
        result = {}
        for donor_id in donor_ids:
            key = keys.donor_trail_key(donor_id)
            item = found.get((key["PK"], key["SK"]))
            days = {name: int(value) for name, value in (item or {}).items() if "|" in name}
            result[donor_id] = DonorTrail(donor_id, days, int(item["v"]) if item else None)
        return result

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
