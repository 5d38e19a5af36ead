"""Report counters, kept by a consumer of the wish table's stream (audit INSERTs only).

Every state change writes an audit item in its own transaction; this turns each audit item into
counter moves, so that a report (GET /stats, GET /campaigns/{id}, GET /donors/leaderboard) is a
few key reads, never a Scan, whatever the table holds.

What is stored (in the wish table; the keys are spelled in repository/keys.py, written by repository/stats.py):
- counter      one item per (dim, bucket): bucket = all time (T), a month (M) or a day (D);
               dim = a region prefix at province, city, county and township level ("4312",
               "431222", "431222250"), or "<prefix>@<campaign id>" for the wish's campaign. Buckets are
               China Standard Time (UTC+8) days and months, plus T (all time). A period query reads
               whole months as M items and the edge days as D items, and sums them.
               Attributes (numbers, moved with ADD, so moves commute and need no read):
                 in_<status>, out_<status>  a wish entered / left the status (flow counters: stocks
                                            such as "open" are Σ in − out up to a day)
                 approved, value_fen        approvals; what the fulfilled wishes were worth
                 c_<category>_<metric>, g_<group>_<metric>   metric: submitted, approved, fulfilled, value
                 d_<n>                      histogram: fulfilled n whole days after approval (the median
                                            is read from it exactly; a list of durations would grow)
                 donors (string set)        distinct donors of the fulfilled wishes; ADD to a set is
                                            idempotent and sets union across buckets and regions,
                                            which counts cannot (see README for its size limit)
                 months (string set, T only) the months that have data: where "from the start" begins
- leaderboard  one item per (region prefix, month, kind, donor):
               donor_ref (opaque, from the donor's record), display_name (as it was when counted), name (a
               unit's own name; empty for individuals), kind, fulfilled (wishes), value_fen, donor_id (kept,
               never shown): one partition per region and month, read
               whole and ranked in memory (a month's donors of one region are hundreds, not millions;
               a sort key cannot hold a count that keeps changing without a delete and re-put per move).
- marker       one item per counted audit record (and leaderboard chunk of it),
               written in the SAME transaction as the counter moves, on condition it does not exist:
               a redelivered or replayed record finds its marker and changes nothing.
A village is never a dimension: figures stop at the township, as the public list does (a village
plus a category can name a person).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .. import clock, regions
from ..repository import CounterMove, LeaderboardMove, WishRepository, from_dynamo
from ..repository.keys import TOTAL_BUCKET, counter_dimension, day_bucket, month_bucket, wish_id_of
from .profiles import ensure_ref, shown_as

CST = timezone(timedelta(hours=8), "CST")  # the federation's calendar: China Standard Time, no DST
SCOPE_LEVELS = ("province", "city", "county", "township")
TOTAL = TOTAL_BUCKET
MAX_DAYS_BIN = 999  # d_999: 999 days or more
_LEADERBOARD_UPDATES_PER_TRANSACTION = 90


# ---------------------------------------------------------------- keys
def local_day(at: str) -> str:
    return clock.parse(at).astimezone(CST).date().isoformat()


def scopes(region_code: str) -> list[str]:
    """The region prefixes a village's figures count in: province, city, county, township."""
    found: list[str] = []
    for level in SCOPE_LEVELS:
        prefix = regions.prefix_at(region_code, level)
        if prefix not in found:
            found.append(prefix)
    return found


dim = counter_dimension  # a counter's dimension: a region prefix, or "<prefix>@<campaign id>"


def buckets_of(day: str) -> list[str]:
    return [TOTAL, month_bucket(day[:7]), day_bucket(day)]


def days_between(start: str, end: str) -> int:
    return max(0, int((clock.parse(end) - clock.parse(start)).total_seconds() // 86400))


# ---------------------------------------------------------------- what an event moves
def moves_of(event: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(dim, bucket) → {attribute: delta, "donors": set, "months": set} for one audit event."""
    wish = event.get("wish") or {}
    region = wish.get("region_code")
    if not region:
        return {}
    action = event["action"]
    day = local_day(event["at"])
    category, groups = wish.get("category"), wish.get("groups") or []
    deltas: dict[str, int] = defaultdict(int)
    # A `pledged` event never moves the status (a pledge that reaches the target is told as `claimed`);
    # a sponsor's matched pledge beside it repeats the wish's move, which is the claim's to count.
    from_status, to_status = event.get("from_status"), event.get("to_status")
    if action != "pledged" and from_status != to_status:
        if from_status:
            deltas[f"out_{from_status}"] += 1
        if to_status:
            deltas[f"in_{to_status}"] += 1

    def tagged(metric: str, amount: int = 1) -> None:
        if category:
            deltas[f"c_{category}_{metric}"] += amount
        for group in groups:
            deltas[f"g_{group}_{metric}"] += amount

    donors: set[str] = set()
    if action == "submitted":
        tagged("submitted")
    elif action == "approved":
        deltas["approved"] += 1
        tagged("approved")
    elif action == "fulfilled":
        value = int(event.get("amount_fen") or 0)
        deltas["value_fen"] += value
        tagged("fulfilled")
        tagged("value", value)
        if wish.get("approved_at"):
            deltas[f"d_{min(MAX_DAYS_BIN, days_between(wish['approved_at'], event['at']))}"] += 1
        donors = set(event.get("donor_ids") or [])

    moves: dict[tuple[str, str], dict[str, Any]] = {}

    def add(dimension: str, on_day: str, values: dict[str, int], donor_ids: set[str]) -> None:
        for bucket in buckets_of(on_day):
            move = moves.setdefault((dimension, bucket), {"n": defaultdict(int), "donors": set(), "months": set()})
            for name, amount in values.items():
                if amount:
                    move["n"][name] += amount
            move["donors"] |= donor_ids
            if bucket == TOTAL:
                move["months"].add(on_day[:7])

    campaign = wish.get("campaign_id")
    for scope in scopes(region):
        add(dim(scope), day, deltas, donors)
        if campaign:
            add(dim(scope, campaign), day, deltas, donors)
            if event.get("campaign_joined") == campaign and wish.get("created_at"):
                # Joined at review: the campaign counts the submission it did not see, on its day.
                joined: dict[str, int] = defaultdict(int, {"in_submitted": 1})
                if category:
                    joined[f"c_{category}_submitted"] += 1
                for group in groups:
                    joined[f"g_{group}_submitted"] += 1
                add(dim(scope, campaign), local_day(wish["created_at"]), joined, set())
    return {key: move for key, move in moves.items() if move["n"] or move["donors"]}


# ---------------------------------------------------------------- the consumer
def count(event: dict[str, Any], repo: WishRepository) -> bool:
    """Count one audit event exactly once; True when it moved something now."""
    wish_id, sort_key = wish_id_of(event), event["SK"]
    moves = {
        key: CounterMove(numbers=dict(move["n"]), donors=move["donors"], months=move["months"])
        for key, move in moves_of(event).items()
    }
    counted = repo.stats.count_once(wish_id, sort_key, event["at"], moves)
    if event["action"] == "fulfilled":
        _count_donors(event, wish_id, sort_key, repo)
    return counted


def donor_shares(repo: WishRepository, wish_id: str, value_fen: int) -> dict[str, dict[str, Any]]:
    """Who made a fulfilled wish come true, with what: its claims in status fulfilled (stable for good).

    A sole claim or an accepted assignment brings the wish's whole value; a pledge its amount.
    """
    shares: dict[str, dict[str, Any]] = {}
    for claim in repo.claims_of(wish_id):
        if claim.get("status") != "fulfilled":
            continue
        kind = "unit" if claim.get("kind") == "assignment" else (claim.get("donor_kind") or "individual")
        # A unit's own name (its token's `name`) may be shown; an individual's may be a real name: never kept.
        share = shares.setdefault(
            claim["donor_id"], {"name": claim.get("donor_name") or "", "kind": kind, "value_fen": 0}
        )
        if kind == "unit":
            share["kind"] = "unit"
        share["value_fen"] += (
            value_fen if claim.get("kind") in ("sole", "assignment") else int(claim.get("amount_fen") or 0)
        )
    return shares


def _count_donors(event: dict[str, Any], wish_id: str, sort_key: str, repo: WishRepository) -> None:
    """Leaderboard moves of a fulfilled wish, in chunks that fit a transaction, each counted once."""
    wish = event.get("wish") or {}
    shares = donor_shares(repo, wish_id, int(event.get("amount_fen") or 0))
    month = local_day(event["at"])[:7]
    moves: list[LeaderboardMove] = []
    for donor_id, share in sorted(shares.items()):
        record = ensure_ref(repo, donor_id)  # the donor's opaque ref (made once) and chosen display name
        unit_name = share["name"] if share["kind"] == "unit" else ""
        display = shown_as(record.get("display_name"), share["kind"], unit_name)
        moves += [
            LeaderboardMove(
                scope=scope,
                month=month,
                kind=share["kind"],
                donor_id=donor_id,
                unit_name=unit_name,
                display_name=display,
                donor_ref=record["donor_ref"],
                value_fen=share["value_fen"],
            )
            for scope in scopes(wish["region_code"])
        ]
    size = _LEADERBOARD_UPDATES_PER_TRANSACTION
    for chunk, start in enumerate(range(0, len(moves), size)):
        repo.stats.rank_once(wish_id, f"{sort_key}#lb{chunk}", event["at"], moves[start : start + size])


def record_handler(record: Any, repo: WishRepository) -> None:
    """One stream record (Powertools BatchProcessor): count it if it is a new audit item."""
    raw = record.raw_event if hasattr(record, "raw_event") else record
    if raw.get("eventName") != "INSERT":
        return
    image = (raw.get("dynamodb") or {}).get("NewImage")
    if not image:
        return
    item = from_dynamo(image)
    if item.get("type") != "audit":
        return
    count(item, repo)


# ---------------------------------------------------------------- periods (the reading side)
def month_days(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def interval_buckets(start: date, end: date) -> list[str]:
    """The buckets that sum to [start, end]: whole months as M, the edge days as D."""
    buckets: list[str] = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        month = cursor.isoformat()[:7]
        first, last = month_days(month)
        if start <= first and last <= end:
            buckets.append(month_bucket(month))
        else:
            day = max(first, start)
            while day <= min(last, end):
                buckets.append(day_bucket(day.isoformat()))
                day += timedelta(days=1)
        cursor = last + timedelta(days=1)
    return buckets


def today() -> date:
    return clock.now().astimezone(CST).date()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
