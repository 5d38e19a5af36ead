"""Report counters, kept by a consumer of the wish table's stream (audit INSERTs only).

Every state change writes an audit item in its own transaction; this turns each audit item into
counter moves, so that a report (GET /stats, GET /campaigns/{id}, GET /donors/leaderboard) is a
few key reads, never a Scan, whatever the table holds.

What is stored (in the wish table; the keys are spelled in repository/keys.py, written by repository/stats.py):
- counter      one item per (dim, bucket): bucket = a month (M) or a day (D), China Standard Time (UTC+8);
               dim = a region prefix at province, city, county and township level ("4312",
               "431222", "431222250"), or "<prefix>@<campaign id>" for the wish's campaign. A period
               reads whole months as M items and the edge days as D items, and sums them; all time is
               the sum of the months (issue 15: no all-time flow item, a third fewer writes per event).
               A province's and a city's items hold only their distinct donors: their flows are the sum
               of their counties' (SUMMED_LEVELS, summed on read by services/reports.py).
               Attributes (numbers, moved with ADD, so moves commute and need no read):
                 in_<status>, out_<status>  a wish entered / left the status (flow counters: stocks
                                            such as "open" are Σ in − out up to a day)
                 approved, value_fen        approvals; what the fulfilled wishes were worth
                 c_<category>_<m>, g_<group>_<m>   m: s(ubmitted), a(pproved), f(ulfilled), v(alue); the
                                            category and group by a short code (TAG_CODES): DynamoDB bills
                                            a write per started KB, and with the long names a busy
                                            township's items passed 1 KB (`canonical` reads both)
                 d_<n>                      histogram: fulfilled n whole days after approval (the median
                                            is read from it exactly; a list of durations would grow)
                 u0, up<month>, ud<dd>, un<month>   distinct donors (below): numbers, never a set
               The T item of a dim holds only `months` (a string set: the months that have data, where
               "from the start" begins), ADDed when a month first appears (read before, so rarely).
               N#<day>#<month> items hold the donor pairs that cross months (below).
- donor days   one item per donor: the CST days the donor made a wish come true, one 31-bit mask per
               (dim, month) for the most specific dims it gave in (its wishes' townships, and
               township@campaign), "<dim>|<yyyy-mm>"; a wider dim's days are the union of those under it
               (`days_in`). A few bytes a month and place: it grows with the donor's own giving, never with
               the number of donors. With a version `v`; put on condition it is still at the version read.
               One item, not one per dim (issue 15): a fulfilment writes 1 item per donor, not 4 (8 in a
               campaign).
- leaderboard  one item per (region prefix, month, kind, donor):
               donor_ref (opaque, from the donor's record), display_name (as it was when counted), name (a
               unit's own name; empty for individuals), kind, fulfilled (wishes), value_fen, donor_id (kept,
               never shown): one partition per region and month, read
               whole and ranked in memory (a month's donors of one region are hundreds, not millions;
               a sort key cannot hold a count that keeps changing without a delete and re-put per move).
- marker       one item per counted part of an audit record that moves something: the record's flows and its first donor
               (`<audit SK>`), each further donor of a many-donor wish (`<audit SK>#dn<n>`, so a part always
               fits a transaction), each leaderboard chunk (`#lb<n>`); written in the SAME transaction as the
               moves it guards, on condition it does not exist: a redelivered or replayed record finds its
               markers and changes nothing.

Distinct donors, exact for any period with O(1) writes (issue 15). The donors of [a, b] are not a sum of
per-bucket distinct counts (a donor of two months counts once), so each donor is counted on the FIRST day
it gave on within the period: a day d of its days S whose previous day p in S is before a. Each (donor, d)
is filed on d's items by where p lies — D#d/M#m: u0 (no p: first ever), up<month> (p in that earlier
month); D#d: ud<dd> (p on day dd of the same month) — and each pair (p, d) across months also from p's side
— D#p: un<month> (next day in that later month), N#p#<month>: ud<dd> (next on that day) — which a period
with a partial first month needs to leave out donors whose p lies inside the period (`donors_between`).
A new day d between p and n moves three pairs (p,n out; p,d and d,n in): a fixed handful of ADDs, on items
the event moves anyway unless p or n lie in another month. Which days are new, and p and n, come from
the donors' items, read with one BatchGetItem per batch; the version condition guards the race with
another batch (a cancelled transaction reads again and plans again).

A stream batch is counted together (`count_batch`): the parts not yet counted (their markers read first),
their moves merged into one ADD per counter item, in transactions of at most 100 items.
A village is never a dimension: figures stop at the township, as the public list does (a village
plus a category can name a person).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .. import clock, regions
from ..repository import (
    ConditionFailed,
    CounterMove,
    DonorDays,
    DonorTrail,
    LeaderboardMove,
    WishRepository,
    from_dynamo,
)
from ..repository.keys import TOTAL_BUCKET, counter_dimension, day_bucket, month_bucket, pairs_bucket, wish_id_of
from ..repository.stats import MAX_TRANSACTION_ITEMS
from .profiles import ensure_ref, shown_as

CST = timezone(timedelta(hours=8), "CST")  # the federation's calendar: China Standard Time, no DST
SCOPE_LEVELS = ("province", "city", "county", "township")
# A province's and a city's flows (everything but their distinct donors) are not counted on their own
# items: they are the sum of their counties', which a city's report reads anyway for by_region (a
# province's reads its ~130 counties: services/reports.py). Eight write units fewer per event (python -m
# infra.bench.stats). Distinct donors do not add up (a donor of two counties counts once): the province's
# and the city's own items keep those, moved only when a wish comes true.
SUMMED_LEVELS = ("province", "city")
TOTAL = TOTAL_BUCKET
# Short names for the tag counters (issue 15 goal 2): a month with every category and group in it has 52
# of them, and with names like g_left_behind_children_submitted a township's month and busy day items
# were ~1.4 KB: 2 write units per write instead of 1. A code not listed keeps its name (still read right).
METRIC_CODES = {"submitted": "s", "approved": "a", "fulfilled": "f", "value": "v"}
TAG_CODES = {
    "goods": "gd",
    "skill": "sk",
    "yard": "yd",
    "study": "st",
    "care": "ca",
    "women_in_hardship": "wh",
    "disabled_women": "dw",
    "left_behind_women": "lw",
    "children_in_hardship": "ch",
    "left_behind_children": "lc",
    "de_facto_orphans": "fo",
    "elderly_alone": "ea",
    "disabled": "di",
}
_METRIC_NAMES = {short: name for name, short in METRIC_CODES.items()}
_TAG_NAMES = {short: name for name, short in TAG_CODES.items()}
MAX_DAYS_BIN = 999  # d_999: 999 days or more
_LEADERBOARD_UPDATES_PER_TRANSACTION = 90


# ---------------------------------------------------------------- keys
def tag_attribute(prefix: str, code: str, metric: str) -> str:
    """The counter attribute of a category ("c") or group ("g") metric, as written: c_gd_s."""
    return f"{prefix}_{TAG_CODES.get(code, code)}_{METRIC_CODES[metric]}"


def canonical(name: str) -> str:
    """A counter attribute's long name (c_goods_submitted), from the short one written now or the long one
    written before (items keep both kinds until their month is over)."""
    if name[:2] not in ("c_", "g_") or "_" not in name[2:]:
        return name
    code, _, metric = name[2:].rpartition("_")
    if metric not in _METRIC_NAMES:
        return name
    return f"{name[:2]}{_TAG_NAMES.get(code, code)}_{_METRIC_NAMES[metric]}"


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
    """Where a move on `day` is counted: its month and its day (all time is the sum of the months)."""
    return [month_bucket(day[:7]), day_bucket(day)]


def days_between(start: str, end: str) -> int:
    return max(0, int((clock.parse(end) - clock.parse(start)).total_seconds() // 86400))


# ---------------------------------------------------------------- what an event moves
Flows = dict[tuple[str, str], dict[str, int]]


def moves_of(
    event: dict[str, Any], summed_levels: tuple[str, ...] = SUMMED_LEVELS
) -> tuple[Flows, list[tuple[str, str]]]:
    """One audit event's flow moves, (dim, bucket) → {attribute: delta}, and the (dim, day) its donors gave on
    (`summed_levels`: the levels whose flows are read as their counties' sum, not counted on their own items)."""
    wish = event.get("wish") or {}
    region = wish.get("region_code")
    if not region:
        return {}, []
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
            deltas[tag_attribute("c", category, metric)] += amount
        for group in groups:
            deltas[tag_attribute("g", group, metric)] += amount

    gave = False
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
        gave = bool(event.get("donor_ids"))

    flows: Flows = {}
    gave_in: list[tuple[str, str]] = []

    def add(dimension: str, on_day: str, values: dict[str, int]) -> None:
        for bucket in buckets_of(on_day):
            move = flows.setdefault((dimension, bucket), defaultdict(int))
            for name, amount in values.items():
                if amount:
                    move[name] += amount

    campaign = wish.get("campaign_id")
    for scope in scopes(region):
        summed = regions.level_of(scope) in summed_levels  # flows read as the sum of their counties'
        if not summed:
            add(dim(scope), day, deltas)
        gave_in += [(dim(scope), day)] if gave else []
        if campaign:
            if not summed:
                add(dim(scope, campaign), day, deltas)
            gave_in += [(dim(scope, campaign), day)] if gave else []
            if not summed and event.get("campaign_joined") == campaign and wish.get("created_at"):
                # Joined at review: the campaign counts the submission it did not see, on its day.
                joined: dict[str, int] = defaultdict(int, {"in_submitted": 1})
                if category:
                    joined[tag_attribute("c", category, "submitted")] += 1
                for group in groups:
                    joined[tag_attribute("g", group, "submitted")] += 1
                add(dim(scope, campaign), local_day(wish["created_at"]), joined)
    return {key: dict(move) for key, move in flows.items() if any(move.values())}, gave_in


# ---------------------------------------------------------------- distinct donors, exactly, in O(1) writes
# For a dimension X and a donor u, S = the days u gave on in X (one item per (X, u): DonorDays, month
# bitmasks). The donors of [a, b] are the days d of some S in [a, b] whose previous day in S (prev) is
# before a: each donor is counted on the first day it gave on in the period. So each (u, d) is filed by
# where its prev lies, on d's own items, and each consecutive pair (p, d) of months p < d also from p:
#   D#d  u0          first day ever in X           up<yyyy-mm>  prev in that earlier month
#        ud<dd>      prev on day dd of d's month   un<yyyy-mm>  pairs from d to a later day in that month
#   M#m  u0, up<yyyy-mm>  the same for the month's days (a prev inside the month never counts there)
#   N#p#<yyyy-mm>  ud<dd>  pairs from day p to day dd of that later month (read only when a period has
#                          partial months at both ends)
# A new day between p and n in S moves three pairs (p,n out; p,d and d,n in): a fixed handful of items.
def _month_of(day: str) -> str:
    return day[:7]


def _days_of(months: dict[str, int]) -> list[str]:
    return sorted(f"{month}-{bit + 1:02d}" for month, mask in months.items() for bit in range(31) if mask >> bit & 1)


def days_in(trail: DonorTrail, dimension: str) -> dict[str, int]:
    """A donor's days in `dimension` ({month: mask}): the union of its days in the dims under it (a region
    prefix of theirs, the same campaign or none)."""
    region, _, campaign = dimension.partition("@")
    months: dict[str, int] = {}
    for name, mask in trail.days.items():
        where, _, month = name.rpartition("|")
        their_region, _, their_campaign = where.partition("@")
        if their_campaign == campaign and their_region.startswith(region):
            months[month] = months.get(month, 0) | mask
    return months


def _most_specific(dimensions: list[str]) -> set[str]:
    """The dims of a gift kept in the donor's item: those with no narrower one of the same campaign beside
    them (the township, the township@campaign); the wider ones are unions of them."""

    def narrower(one: str, other: str) -> bool:
        region, _, campaign = one.partition("@")
        other_region, _, other_campaign = other.partition("@")
        return campaign == other_campaign and other_region != region and other_region.startswith(region)

    return {d for d in dimensions if not any(narrower(d, other) for other in dimensions)}


class _Moves:
    """Counter moves being planned: (dim, bucket) → CounterMove."""

    def __init__(self) -> None:
        self.moves: dict[tuple[str, str], CounterMove] = {}

    def add(self, dimension: str, bucket: str, name: str, amount: int) -> None:
        move = self.moves.setdefault((dimension, bucket), CounterMove())
        move.numbers[name] = move.numbers.get(name, 0) + amount

    def month(self, dimension: str, month: str) -> None:
        self.moves.setdefault((dimension, TOTAL), CounterMove()).months.add(month)

    def first(self, dimension: str, day: str, sign: int) -> None:
        self.add(dimension, day_bucket(day), "u0", sign)
        self.add(dimension, month_bucket(_month_of(day)), "u0", sign)

    def pair(self, dimension: str, prev: str, day: str, sign: int) -> None:
        if _month_of(prev) == _month_of(day):
            self.add(dimension, day_bucket(day), f"ud{prev[8:]}", sign)
            return
        self.add(dimension, day_bucket(day), f"up{_month_of(prev)}", sign)
        self.add(dimension, month_bucket(_month_of(day)), f"up{_month_of(prev)}", sign)
        self.add(dimension, day_bucket(prev), f"un{_month_of(day)}", sign)
        self.add(dimension, pairs_bucket(prev, _month_of(day)), f"ud{day[8:]}", sign)


def give(days: DonorDays, day: str, moves: _Moves) -> bool:
    """The donor gave on `day` in `days.dimension`: move the pairs; False when that day was known."""
    known = _days_of(days.months)
    if day in known:
        return False
    earlier = [d for d in known if d < day]
    later = [d for d in known if d > day]
    prev, following = (earlier[-1] if earlier else None), (later[0] if later else None)
    dimension = days.dimension
    if following:
        if prev:
            moves.pair(dimension, prev, following, -1)
        else:
            moves.first(dimension, following, -1)
        moves.pair(dimension, day, following, +1)
    if prev:
        moves.pair(dimension, prev, day, +1)
    else:
        moves.first(dimension, day, +1)
    month = _month_of(day)
    days.months[month] = days.months.get(month, 0) | 1 << (int(day[8:]) - 1)
    return True


def donors_between(dimension: str, start: date, end: date, item: Callable[[str], dict[str, Any]]) -> int:
    """Distinct donors of [start, end] in a dimension, from its counter items (`item(bucket)`, {} if none):
    the days in the period whose donor's previous day is before `start` (see above)."""
    if start > end:
        return 0
    first_month = start.isoformat()[:7]
    cut = start.day != 1  # the first month is partial: its days are read one by one
    first_days = [start + timedelta(days=n) for n in range((month_days(first_month)[1] - start).days + 1)]
    first_days = [d for d in first_days if d <= end]

    def before_first_month(found: dict[str, Any]) -> int:
        return int(found.get("u0", 0)) + sum(
            int(value) for name, value in found.items() if name[:2] == "up" and name[2:] < first_month
        )

    def from_cut_to(later_month: str) -> int:  # pairs from [start, end of its month] into a later month
        return sum(int(item(day_bucket(d.isoformat())).get(f"un{later_month}", 0)) for d in first_days)

    total = 0
    for bucket in interval_buckets(start, end):
        found = item(bucket)
        if bucket.startswith("M#"):
            month = bucket[2:]
            total += before_first_month(found)
            if cut:
                total += int(found.get(f"up{first_month}", 0)) - from_cut_to(month)
            continue
        day = bucket[2:]
        total += before_first_month(found)
        if day[:7] == first_month:
            total += sum(int(v) for name, v in found.items() if name[:2] == "ud" and int(name[2:]) < start.day)
        elif cut:  # a day of the last, partial month; its donors' prev in the first month counts if before start
            later = sum(int(item(pairs_bucket(d.isoformat(), day[:7])).get(f"ud{day[8:]}", 0)) for d in first_days)
            total += int(found.get(f"up{first_month}", 0)) - later
    return total


def pair_buckets_needed(start: date, end: date, item: Callable[[str], dict[str, Any]]) -> list[str]:
    """The N# items `donors_between` reads for [start, end]: only when both end months are partial, and only
    for the first month's days that have pairs into the last month."""
    first_month, last_month = start.isoformat()[:7], end.isoformat()[:7]
    if start.day == 1 or first_month == last_month or end == month_days(last_month)[1]:
        return []
    day = start
    wanted = []
    while day.isoformat()[:7] == first_month:
        if item(day_bucket(day.isoformat())).get(f"un{last_month}"):
            wanted.append(pairs_bucket(day.isoformat(), last_month))
        day += timedelta(days=1)
    return wanted


# ---------------------------------------------------------------- the consumer
@dataclass
class _Unit:
    """What one transaction-sized part of an audit event moves, guarded by its own marker: the flows and
    the first donor (the audit SK), or one more donor of a many-donor wish (`<audit SK>#dn<n>`)."""

    wish_id: str
    marker: str
    at: str
    flows: Flows
    gave: list[tuple[str, str, str]]  # (dim, donor, day)

    @property
    def key(self) -> tuple[str, str]:
        return (self.wish_id, self.marker)


def units_of(event: dict[str, Any]) -> list[_Unit]:
    wish_id, sort_key = wish_id_of(event), event["SK"]
    flows, gave_in = moves_of(event)
    donors = sorted(set(event.get("donor_ids") or [])) if gave_in else []
    first = [(d, donors[0], day) for d, day in gave_in] if donors else []
    if not flows and not first:
        return []  # moves nothing (a pledge short of the target, a reminder): no marker needed, nothing to repeat
    units = [_Unit(wish_id, sort_key, event["at"], flows, first)]
    for n, donor in enumerate(donors[1:], start=1):
        units.append(_Unit(wish_id, f"{sort_key}#dn{n}", event["at"], {}, [(d, donor, day) for d, day in gave_in]))
    return units


@dataclass
class _Group:
    """Units committed in one transaction, their moves merged per item."""

    units: list[_Unit] = field(default_factory=list)
    moves: _Moves = field(default_factory=_Moves)
    trails: dict[str, DonorTrail] = field(default_factory=dict)  # as they will be put (version read)

    def size(self) -> int:
        return len(self.units) + len(self.moves.moves) + len(self.trails)


def _plan(
    units: list[_Unit],
    donor_days: dict[tuple[str, str], DonorDays],
    months: dict[str, set[str]],
    trails: dict[str, DonorTrail],
) -> list[_Group]:
    """Group units into transactions of at most MAX_TRANSACTION_ITEMS items, moves merged per item.

    `donor_days`: each (dim, donor)'s days (`days_in` its trail), moved on by `give`; `trails`: the donors'
    items, where a gift's day is kept on its most specific dims."""
    groups = [_Group()]
    for unit in units:
        moves, touched = _Moves(), []
        for (dimension, bucket), numbers in unit.flows.items():
            for name, amount in numbers.items():
                moves.add(dimension, bucket, name, amount)
        kept = _most_specific([dimension for dimension, _, _ in unit.gave])
        for dimension, donor, day in unit.gave:
            if give(donor_days[(dimension, donor)], day, moves) and donor not in touched:
                touched.append(donor)
            if dimension in kept:
                trail, name = trails[donor], f"{dimension}|{_month_of(day)}"
                trail.days[name] = trail.days.get(name, 0) | 1 << (int(day[8:]) - 1)
        for dimension, bucket in list(moves.moves):
            month = bucket[2:9] if bucket[:2] in ("M#", "D#") else None
            if month and month not in months.setdefault(dimension, set()):
                moves.month(dimension, month)
                months[dimension].add(month)
        group = groups[-1]
        adds = 1 + len(set(moves.moves) - set(group.moves.moves)) + len(set(touched) - set(group.trails))
        if group.units and group.size() + adds > MAX_TRANSACTION_ITEMS:
            for trail in group.trails.values():  # the next group finds them at the version this one puts
                trails[trail.donor_id].version = (trail.version or 0) + 1
            group = _Group()
            groups.append(group)
        group.units.append(unit)
        for key, move in moves.moves.items():
            for name, amount in move.numbers.items():
                group.moves.add(key[0], key[1], name, amount)
            if move.months:
                group.moves.moves.setdefault(key, CounterMove()).months |= move.months
        for donor in touched:
            now = trails[donor]
            version = group.trails[donor].version if donor in group.trails else now.version
            group.trails[donor] = DonorTrail(donor, dict(now.days), version)
    return [group for group in groups if group.units]


_ATTEMPTS = 8


def count_batch(events: list[dict[str, Any]], repo: WishRepository) -> int:
    """Count audit events exactly once, a stream batch in a few transactions; how many moved something now.

    Reads first (which parts are counted, the donors' days, the months each dimension has), then commits
    the plan; a condition that fails (counted meanwhile, a donor's days moved on by another batch) makes it
    read and plan again what is left.
    """
    pending = [unit for event in events for unit in units_of(event)]
    pending = list({unit.key: unit for unit in pending}.values())
    counted_now = 0
    if not pending:
        return counted_now  # nothing in the batch moves a counter: nothing to read
    for attempt in range(_ATTEMPTS):
        done = repo.stats.counted([unit.key for unit in pending])
        pending = [unit for unit in pending if unit.key not in done]
        if not pending:
            return counted_now
        trails = repo.stats.donor_trails(sorted({donor for unit in pending for _, donor, _ in unit.gave}))
        gifts = sorted({(d, donor) for unit in pending for d, donor, _ in unit.gave})
        donor_days = {(d, donor): DonorDays(d, donor, days_in(trails[donor], d)) for d, donor in gifts}
        dims = sorted({d for unit in pending for d, _ in unit.flows} | {d for unit in pending for d, _, _ in unit.gave})
        totals = repo.stats.counters([(d, TOTAL) for d in dims])
        months = {d: set((totals.get((d, TOTAL)) or {}).get("months") or []) for d in dims}
        try:
            for group in _plan(pending, donor_days, months, trails):
                repo.stats.count_together(
                    [(unit.wish_id, unit.marker, unit.at) for unit in group.units],
                    group.moves.moves,
                    list(group.trails.values()),
                )
                counted_now += sum(1 for unit in group.units if "#dn" not in unit.marker)
                committed = {unit.key for unit in group.units}
                pending = [unit for unit in pending if unit.key not in committed]
        except ConditionFailed:
            time.sleep(0.01 * (attempt + 1))  # another consumer moved the same donors' days: read again
            continue
        return counted_now
    raise RuntimeError("report counters: the same donors' days kept moving; the stream will deliver again")


def count(event: dict[str, Any], repo: WishRepository) -> bool:
    """Count one audit event exactly once (and its leaderboard moves); True when it moved something now."""
    counted = count_batch([event], repo) > 0
    if event["action"] == "fulfilled":
        _count_donors(event, wish_id_of(event), event["SK"], repo)
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


def audit_item_of(record: Any) -> dict[str, Any] | None:
    """The audit item a stream record INSERTs, or None (another change, another kind of item)."""
    raw = record.raw_event if hasattr(record, "raw_event") else record
    if raw.get("eventName") != "INSERT":
        return None
    image = (raw.get("dynamodb") or {}).get("NewImage")
    if not image:
        return None
    item = from_dynamo(image)
    return item if item.get("type") == "audit" else None


def stream_batch(records: list[dict[str, Any]], repo: WishRepository) -> None:
    """One stream batch: its audit items counted together (moves merged per item), then the leaderboard."""
    events = [item for item in (audit_item_of(record) for record in records) if item is not None]
    count_batch(events, repo)
    for event in events:
        if event["action"] == "fulfilled":
            _count_donors(event, wish_id_of(event), event["SK"], repo)


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
