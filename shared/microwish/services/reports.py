"""Reading the report counters (services/stats.py): GET /stats, campaign progress, the leaderboard.

Aggregates only: nothing here reads a wish, let alone a beneficiary. A report is BatchGetItem of
counter items: the all-time item of each dimension (the region, and each child region for
by_region: it lists the months with data), then the month items of the whole months and the day
items of the edge days (all time is the sum of the months), and — only for a period with partial
months at both ends — the N# items of its first days that have pairs into its last month (distinct
donors, services/stats.py). Figures:
- submitted, approved, fulfilled, rejected, cancelled, value_fen, donors, median: what happened in
  the period (events whose China-time day falls in [from, to]);
- in_review, open, assigned, claimed, delivered: how many wishes are in that status at the end of
  the period (Σ in − out up to `to`);
- fulfilment_rate = fulfilled / approved over the same period, at most 1 (wishes approved before
  the period may be fulfilled in it); 0 when nothing was approved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from .. import regions
from ..catalog import categories as catalog_categories
from ..catalog import groups as catalog_groups
from ..errors import InvalidInput
from ..models import Leaderboard, LeaderboardEntry, RegionFigures, Stats, TagFigures
from ..privacy import refuse_village
from ..registry import get_registry
from ..repository import WishRepository
from .profiles import records_of, shown_as
from .stats import (
    SUMMED_LEVELS,
    TOTAL,
    canonical,
    dim,
    donors_between,
    interval_buckets,
    month_days,
    pair_buckets_needed,
)
from .trend import by_month

__all__ = ["Leaderboard", "Stats", "campaign_totals", "check_period", "check_region", "leaderboard", "stats"]

STOCK_STATUSES = {
    "in_review": "submitted",
    "open": "open",
    "assigned": "assigned",
    "claimed": "claimed",
    "delivered": "delivered",
}
_NOT_COUNTERS = {"PK", "SK", "type", "months"}


class _Sum:
    def __init__(self) -> None:
        self.n: Counter[str] = Counter()
        self.donors = 0  # distinct, counted by services.stats.donors_between

    def add(self, item: dict[str, Any] | None) -> None:
        if not item:
            return
        for name, value in item.items():
            # u…: the distinct-donor attributes, which do not add up across buckets
            if name not in _NOT_COUNTERS and not name.startswith("u") and isinstance(value, int):
                self.n[canonical(name)] += value  # tag counters: short names now, long ones before


def parts_of(dimension: str) -> list[str]:
    """The dimensions whose flows sum to `dimension`'s when its level is not counted on its own items
    (SUMMED_LEVELS: a city from its counties, a province from its cities' counties; the same campaign);
    [] when it is counted itself."""
    region, _, campaign = dimension.partition("@")
    if regions.level_of(region) not in SUMMED_LEVELS:
        return []
    parts: list[str] = []
    for child in get_registry().children(region):
        if child.level != "village":
            part = dim(child.code, campaign or None)
            parts += parts_of(part) or [part]
    return parts


Counters = Callable[[list[tuple[str, str]]], dict[tuple[str, str], dict[str, Any]]]


def _once(counters: Counters) -> Counters:
    """`counters` reading each item at most once per report (the trend reads the items the figures read)."""
    seen: dict[tuple[str, str], dict[str, Any] | None] = {}

    def read(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        missing = [key for key in dict.fromkeys(wanted) if key not in seen]
        if missing:
            found = counters(missing)
            seen.update({key: found.get(key) for key in missing})
        return {key: item for key in wanted if (item := seen.get(key)) is not None}

    return read


def _read(counters: Counters, dims: list[str], start: date | None, end: date | None) -> dict[str, tuple[_Sum, _Sum]]:
    """Per dimension: (the period's sums, the sums up to the period's end). A summed dimension (a
    city, a province) takes its flows from its parts (counties), read in the same calls, and its distinct
    donors from its own items."""
    summed = {d: parts_of(d) for d in dims}
    summed = {d: parts for d, parts in summed.items() if parts}
    dims = list(dict.fromkeys([*dims, *(part for parts in summed.values() for part in parts)]))
    totals = counters([(d, TOTAL) for d in dims])
    result: dict[str, tuple[_Sum, _Sum]] = {}
    wanted: dict[str, tuple[list[str], list[str], date, date]] = {}
    for d in dims:
        period, stock = _Sum(), _Sum()
        result[d] = (period, stock)
        months = sorted((totals.get((d, TOTAL)) or {}).get("months") or [])
        if not months:
            continue
        first, last = month_days(months[0])[0], month_days(months[-1])[1]
        period_start, period_end = max(start or first, first), min(end or last, last)
        period_buckets = interval_buckets(period_start, period_end) if period_start <= period_end else []
        stock_buckets = interval_buckets(first, period_end) if first <= period_end else []
        wanted[d] = (period_buckets, stock_buckets, period_start, period_end)
    items = counters([(d, bucket) for d, (p, s, _, _) in wanted.items() for bucket in sorted({*p, *s})])

    def item_of(d: str) -> Callable[[str], dict[str, Any]]:
        return lambda bucket: items.get((d, bucket)) or {}

    pairs = [(d, bucket) for d, (_, _, a, b) in wanted.items() for bucket in pair_buckets_needed(a, b, item_of(d))]
    if pairs:  # a period with partial months at both ends: where its first days' donors gave next
        items.update(counters(pairs))
    for d, (period_buckets, stock_buckets, period_start, period_end) in wanted.items():
        period, stock = result[d]
        for bucket in period_buckets:
            period.add(items.get((d, bucket)))
        for bucket in stock_buckets:
            stock.add(items.get((d, bucket)))
        period.donors = donors_between(d, period_start, period_end, item_of(d))
    for d, parts in summed.items():
        period, stock = result[d]
        period.n, stock.n = Counter(), Counter()  # its own items: distinct donors only
        for part in parts:
            period.n.update(result[part][0].n)
            stock.n.update(result[part][1].n)
    return result


def _median(histogram: Counter[str]) -> float | None:
    bins = sorted((int(name[2:]), count) for name, count in histogram.items() if name.startswith("d_") and count > 0)
    total = sum(count for _, count in bins)
    if not total:
        return None

    def at(position: int) -> int:
        seen = 0
        for days, count in bins:
            if position < seen + count:
                return days
            seen += count
        return bins[-1][0]

    return (at((total - 1) // 2) + at(total // 2)) / 2


def _figures(period: _Sum, stock: _Sum) -> dict[str, Any]:
    n, s = period.n, stock.n
    approved, fulfilled = n["approved"], n["in_fulfilled"]
    figures: dict[str, Any] = {
        "submitted": n["in_submitted"],
        "approved": approved,
        "fulfilled": fulfilled,
        "rejected": n["in_rejected"],
        "cancelled": n["in_cancelled"],
        "value_fen": n["value_fen"],
        "donors": period.donors,
        "median_days_to_fulfil": _median(n),
        "fulfilment_rate": round(min(1.0, fulfilled / approved), 4) if approved else 0.0,
    }
    for name, status in STOCK_STATUSES.items():
        figures[name] = s[f"in_{status}"] - s[f"out_{status}"]
    return figures


def _tags(period: _Sum, prefix: str, codes: list[str]) -> dict[str, TagFigures]:
    n = period.n
    return {
        code: TagFigures(
            submitted=n[f"{prefix}_{code}_submitted"],
            approved=n[f"{prefix}_{code}_approved"],
            fulfilled=n[f"{prefix}_{code}_fulfilled"],
            value_fen=n[f"{prefix}_{code}_value"],
        )
        for code in codes
    }


def check_region(region: str) -> str:
    return refuse_village(region, "figures stop at the township: a village is too small to report on")


def check_period(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise InvalidInput("from", "must not be after to")


def stats(repo: WishRepository, region: str, campaign: str | None, start: date | None, end: date | None) -> Stats:
    check_region(region)
    check_period(start, end)
    registry = get_registry()
    known = registry.get(region)
    children = [child for child in registry.children(region) if child.level != "village"] if known else []
    dims = [dim(region, campaign)] + [dim(child.code, campaign) for child in children]
    counters = _once(repo.stats.counters)
    sums = _read(counters, dims, start, end)
    period, stock = sums[dims[0]]
    trend_dims = parts_of(dims[0]) or dims[:1]  # a city's or a province's series: its counties' summed
    totals = counters([(d, TOTAL) for d in trend_dims])
    counted = sorted({month for total in totals.values() for month in total.get("months") or []})
    months = by_month(trend_dims, counted, start, end, counters)
    return Stats(
        region=region,
        region_name=registry.full_name(region) if known else None,
        campaign=campaign,
        from_=start,
        to=end,
        **_figures(period, stock),
        by_category=_tags(period, "c", list(catalog_categories())),
        by_group=_tags(period, "g", list(catalog_groups())),
        by_region=[
            RegionFigures(code=child.code, name=child.name, **_figures(*sums[dim(child.code, campaign)]))
            for child in children
        ],
        by_month=months,
    )


def campaign_totals(repo: WishRepository, region: str, campaign_id: str) -> dict[str, int]:
    period, stock = _read(repo.stats.counters, [dim(region, campaign_id)], None, None)[dim(region, campaign_id)]
    figures = _figures(period, stock)
    return {
        "wishes": figures["submitted"],
        "open": figures["open"],
        "fulfilled": figures["fulfilled"],
        "value_fen": figures["value_fen"],
        "donors": figures["donors"],
    }


# ---------------------------------------------------------------- the leaderboard
def leaderboard(repo: WishRepository, region: str, start: date | None, end: date | None, limit: int) -> Leaderboard:
    """Donors and units by wishes fulfilled, then value, over the months of [from, to].

    Entries show a donor_ref and a display name, never a login id (issue 14): see services/profiles.py.
    """
    check_region(region)
    check_period(start, end)
    total = repo.stats.counters([(dim(region), TOTAL)]).get((dim(region), TOTAL)) or {}
    months = [
        month
        for month in sorted(total.get("months") or [])
        if (start is None or month >= start.isoformat()[:7]) and (end is None or month <= end.isoformat()[:7])
    ]
    donors: dict[str, dict[str, Any]] = {}
    for month in months:
        for item in repo.stats.leaderboard(region, month):
            entry = donors.setdefault(
                item["SK"],
                {
                    "donor_id": item["donor_id"],
                    "kind": item.get("kind", "individual"),
                    "unit_name": "",
                    "donor_ref": "",
                    "wishes": 0,
                    "value_fen": 0,
                },
            )
            entry["wishes"] += int(item.get("fulfilled", 0))
            entry["value_fen"] += int(item.get("value_fen", 0))
            entry["unit_name"] = item.get("name") or entry["unit_name"]
            entry["donor_ref"] = item.get("donor_ref") or entry["donor_ref"]

    def ranked(kind: str) -> list[dict[str, Any]]:
        return sorted(
            (e for e in donors.values() if e["kind"] == kind),
            key=lambda e: (-e["wishes"], -e["value_fen"], e["donor_ref"], e["donor_id"]),
        )[:limit]

    tops = {kind: ranked(kind) for kind in ("individual", "unit")}
    # Names as the donors choose them now (a donor who goes anonymous is so at once): their records by key.
    records = records_of(repo, [e["donor_id"] for entries in tops.values() for e in entries])

    def shown(entries: list[dict[str, Any]]) -> list[LeaderboardEntry]:
        shown_entries: list[LeaderboardEntry] = []
        for entry in entries:
            record = records.get(entry["donor_id"], {})
            ref = entry["donor_ref"] or record.get("donor_ref")
            if not ref:
                continue  # counted before donors had refs and never since: no id to show but the login id
            shown_entries.append(
                LeaderboardEntry(
                    rank=len(shown_entries) + 1,
                    donor_ref=ref,
                    kind=entry["kind"],
                    wishes=entry["wishes"],
                    value_fen=entry["value_fen"],
                    display_name=shown_as(record.get("display_name"), entry["kind"], entry["unit_name"]),
                )
            )
        return shown_entries

    return Leaderboard(region=region, months=months, individuals=shown(tops["individual"]), units=shown(tops["unit"]))
